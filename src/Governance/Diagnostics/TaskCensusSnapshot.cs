using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Governance;

/// <summary>How much a census text shows, after pprof's <c>debug</c> levels.</summary>
public enum CensusTextDetail
{
    /// <summary>One entry per creation site, with the count, the oldest age and the states (pprof <c>debug=1</c>).</summary>
    Grouped = 1,

    /// <summary>Every unit on its own, with its owner, state, age and labels (pprof <c>debug=2</c>).</summary>
    Units = 2,
}

/// <summary>The live units that share a creation site.</summary>
/// <param name="Site">The creation site.</param>
/// <param name="Count">How many units are alive there.</param>
/// <param name="OldestAge">The age of the oldest.</param>
/// <param name="Queued">How many are queued.</param>
/// <param name="Waiting">How many are waiting.</param>
/// <param name="Running">How many are running.</param>
/// <param name="Owners">Their owners, as <c>kind "name"</c>, in order of first appearance.</param>
public sealed record CensusGroup(CreationSite Site, int Count, TimeSpan OldestAge, int Queued, int Waiting, int Running, IReadOnlyList<string> Owners);

/// <summary>A census of live governed work at one moment, with the runtime's figures. See <see cref="TaskCensus"/>.</summary>
public sealed class TaskCensusSnapshot
{
    internal TaskCensusSnapshot(DateTimeOffset takenAt, List<GovernedUnit> units, RuntimeFigures runtime)
    {
        TakenAt = takenAt;
        units.Sort(static (a, b) =>
        {
            var bySite = CompareSites(a.Site, b.Site);
            return bySite != 0 ? bySite : b.Age.CompareTo(a.Age);
        });
        Units = units;
        Runtime = runtime;
        var total = 0;
        foreach (var unit in units)
        {
            total += unit.Count;
        }

        TotalUnits = total;
        Groups = Group(units);
    }

    /// <summary>When the snapshot was taken (wall clock).</summary>
    public DateTimeOffset TakenAt { get; }

    /// <summary>Every live unit (an entry per unit; items queued in a worker pool as one entry with their count), by site, oldest first.</summary>
    public IReadOnlyList<GovernedUnit> Units { get; }

    /// <summary>The live units grouped by creation site, the largest group first.</summary>
    public IReadOnlyList<CensusGroup> Groups { get; }

    /// <summary>How many units are alive: the sum of <see cref="GovernedUnit.Count"/>.</summary>
    public int TotalUnits { get; }

    /// <summary>The runtime's figures when the snapshot was taken.</summary>
    public RuntimeFigures Runtime { get; }

    /// <summary>The snapshot as text, in the spirit of pprof's goroutine profile.</summary>
    /// <param name="detail">Grouped by site, or every unit.</param>
    /// <returns>The text, one line per group or unit, after a header with the totals and the runtime's figures.</returns>
    public string ToText(CensusTextDetail detail = CensusTextDetail.Grouped)
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.Append(inv, $"governance census: {TotalUnits} live {(TotalUnits == 1 ? "unit" : "units")} at {Groups.Count} {(Groups.Count == 1 ? "site" : "sites")}, {TakenAt.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}\n");
        text.Append(inv, $"runtime: threadpool threads={Runtime.ThreadPoolThreads} pending={Runtime.PendingWorkItems} completed={Runtime.CompletedWorkItems}")
            .Append(inv, $" timers={Runtime.ActiveTimers} gc_heap={Megabytes(Runtime.GcHeapBytes)} working_set={Megabytes(Runtime.WorkingSetBytes)}\n\n");
        if (detail == CensusTextDetail.Units)
        {
            foreach (var unit in Units)
            {
                text.Append(inv, $"{unit.OwnerKind.ToString().ToLowerInvariant()} \"{unit.OwnerName}\" [{unit.State.ToString().ToLowerInvariant()}, {Age(unit.Age)}]");
                if (unit.Count != 1)
                {
                    text.Append(inv, $" x{unit.Count}");
                }

                text.Append('\n').Append("    ").Append(unit.Site.ToString()).Append('\n');
                if (unit.Labels.Count > 0)
                {
                    text.Append("    labels: ").Append(Labels(unit.Labels)).Append('\n');
                }

                text.Append('\n');
            }

            return text.ToString();
        }

        foreach (var group in Groups)
        {
            text.Append(inv, $"{group.Count} @ {group.Site}\n");
            text.Append(inv, $"    oldest {Age(group.OldestAge)}; running={group.Running} waiting={group.Waiting} queued={group.Queued}; ")
                .Append(string.Join(", ", group.Owners)).Append("\n\n");
        }

        return text.ToString();
    }

    /// <summary>The snapshot as JSON: <c>takenAt</c>, <c>totalUnits</c>, <c>runtime</c>, <c>groups</c> and, with <paramref name="includeUnits"/>, <c>units</c>.</summary>
    /// <param name="includeUnits">Whether to list every unit as well as the groups.</param>
    /// <returns>The JSON text.</returns>
    public string ToJson(bool includeUnits = false)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            WriteJson(json, includeUnits);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Writes the snapshot as JSON (see <see cref="ToJson(bool)"/>).</summary>
    /// <param name="json">The writer.</param>
    /// <param name="includeUnits">Whether to list every unit as well as the groups.</param>
    public void WriteJson(Utf8JsonWriter json, bool includeUnits = false)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteStartObject();
        json.WriteString("takenAt", TakenAt);
        json.WriteNumber("totalUnits", TotalUnits);
        json.WriteStartObject("runtime");
        json.WriteNumber("threadPoolThreads", Runtime.ThreadPoolThreads);
        json.WriteNumber("pendingWorkItems", Runtime.PendingWorkItems);
        json.WriteNumber("completedWorkItems", Runtime.CompletedWorkItems);
        json.WriteNumber("activeTimers", Runtime.ActiveTimers);
        json.WriteNumber("gcHeapBytes", Runtime.GcHeapBytes);
        json.WriteNumber("workingSetBytes", Runtime.WorkingSetBytes);
        json.WriteEndObject();
        json.WriteStartArray("groups");
        foreach (var group in Groups)
        {
            json.WriteStartObject();
            WriteSite(json, group.Site);
            json.WriteNumber("count", group.Count);
            json.WriteNumber("oldestAgeSeconds", group.OldestAge.TotalSeconds);
            json.WriteNumber("running", group.Running);
            json.WriteNumber("waiting", group.Waiting);
            json.WriteNumber("queued", group.Queued);
            json.WriteStartArray("owners");
            foreach (var owner in group.Owners)
            {
                json.WriteStringValue(owner);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        if (includeUnits)
        {
            json.WriteStartArray("units");
            foreach (var unit in Units)
            {
                json.WriteStartObject();
                WriteSite(json, unit.Site);
                json.WriteString("ownerKind", unit.OwnerKind.ToString());
                json.WriteString("ownerName", unit.OwnerName);
                json.WriteString("state", unit.State.ToString());
                json.WriteNumber("ageSeconds", unit.Age.TotalSeconds);
                json.WriteNumber("count", unit.Count);
                json.WriteStartObject("labels");
                foreach (var label in unit.Labels)
                {
                    json.WriteString(label.Key, label.Value);
                }

                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
    }

    private static void WriteSite(Utf8JsonWriter json, CreationSite site)
    {
        json.WriteStartObject("site");
        json.WriteString("member", site.Member);
        json.WriteString("file", site.FilePath);
        json.WriteNumber("line", site.Line);
        json.WriteEndObject();
    }

    private static List<CensusGroup> Group(List<GovernedUnit> units)
    {
        var groups = new List<CensusGroup>();
        var index = 0;
        while (index < units.Count)
        {
            var site = units[index].Site;
            int count = 0, queued = 0, waiting = 0, running = 0;
            var oldest = TimeSpan.Zero;
            var owners = new List<string>();
            for (; index < units.Count && units[index].Site == site; index++)
            {
                var unit = units[index];
                count += unit.Count;
                switch (unit.State)
                {
                    case GovernedUnitState.Queued: queued += unit.Count; break;
                    case GovernedUnitState.Waiting: waiting += unit.Count; break;
                    default: running += unit.Count; break;
                }

                if (unit.Age > oldest)
                {
                    oldest = unit.Age;
                }

                var owner = $"{unit.OwnerKind.ToString().ToLowerInvariant()} \"{unit.OwnerName}\"";
                if (!owners.Contains(owner))
                {
                    owners.Add(owner);
                }
            }

            groups.Add(new CensusGroup(site, count, oldest, queued, waiting, running, owners));
        }

        groups.Sort(static (a, b) => a.Count != b.Count ? b.Count.CompareTo(a.Count) : CompareSites(a.Site, b.Site));
        return groups;
    }

    private static int CompareSites(CreationSite a, CreationSite b)
    {
        var byFile = string.CompareOrdinal(a.FilePath, b.FilePath);
        if (byFile != 0)
        {
            return byFile;
        }

        var byLine = a.Line.CompareTo(b.Line);
        return byLine != 0 ? byLine : string.CompareOrdinal(a.Member, b.Member);
    }

    private static string Labels(IReadOnlyList<KeyValuePair<string, string>> labels)
    {
        var parts = new string[labels.Count];
        for (var i = 0; i < labels.Count; i++)
        {
            parts[i] = labels[i].Key + "=" + labels[i].Value;
        }

        return string.Join(" ", parts);
    }

    private static string Age(TimeSpan age) => age.TotalSeconds >= 1
        ? age.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s"
        : age.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + "ms";

    private static string Megabytes(long bytes) => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + "MB";
}
