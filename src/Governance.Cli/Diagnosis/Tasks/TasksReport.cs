using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Governance.Cli.Diagnosis.Tasks;

/// <summary>Renders snapshots and diffs as text (pprof <c>debug=1</c> style: counts first, one group per line) or JSON.</summary>
internal static class TasksReport
{
    private const string Arrow = " \u2190 ";

    // Method names keep their arrows and angle brackets: the report is read by people and parsed as UTF-8.
    private static readonly JsonWriterOptions JsonOptions = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    internal static string Text(TasksSnapshot snapshot, int top)
    {
        var text = new StringBuilder();
        Header(text, snapshot);
        text.Append(Count(snapshot.PendingOperations)).Append(" pending async operations (suspended async methods) in ")
            .Append(Count(snapshot.Chains.Sum(c => c.Count))).Append(" await chains, ").Append(Count(snapshot.Chains.Count))
            .Append(" distinct");
        if (snapshot.UnreachablePendingOperations > 0)
        {
            text.Append(" (").Append(Count(snapshot.UnreachablePendingOperations)).Append(" more that nothing references: garbage the next GC frees)");
        }

        text.AppendLine().AppendLine();
        text.AppendLine("Await chains, innermost method first:");
        Rows(text, snapshot.Chains.Take(top).Select(g => (Count(g.Count), States(g), Chain(g))), ("COUNT", "STATE", "CHAIN"));
        More(text, snapshot.Chains.Count, top);

        text.AppendLine().Append("Timers: ").Append(Count(snapshot.Timers.Sum(t => t.Count))).AppendLine(" scheduled");
        Rows(text, snapshot.Timers.Take(top).Select(t => (Count(t.Count), Period(t.Period), t.Callback)), ("COUNT", "PERIOD", "CALLBACK"));
        More(text, snapshot.Timers.Count, top);

        text.AppendLine().Append("Channels: ").AppendLine(Count(snapshot.Channels.Sum(c => c.Count)));
        Rows(
            text,
            snapshot.Channels.Take(top).Select(c => (Count(c.Count), c.BufferedItems is { } buffered ? Count(buffered) : "?", $"{c.Kind}<{c.ElementType}>{Waiting(c)}")),
            ("COUNT", "BUFFERED", "CHANNEL"));
        More(text, snapshot.Channels.Count, top);
        return text.ToString();
    }

    internal static string Text(TasksDiff diff, int top)
    {
        var text = new StringBuilder();
        var interval = diff.After.TakenAt - diff.Before.TakenAt;
        text.Append("governance tasks ").Append(diff.After.ProcessId).Append(": what grew in ").Append(Durations.Format(interval))
            .Append(" (").Append(Count(diff.Before.PendingOperations)).Append(" -> ").Append(Count(diff.After.PendingOperations))
            .AppendLine(" pending async operations)");
        Pauses(text, diff.Before.Cost, "first");
        Pauses(text, diff.After.Cost, "second");
        text.AppendLine();
        if (diff.Chains.Count + diff.Timers.Count + diff.Channels.Count == 0)
        {
            text.AppendLine("Nothing grew.");
            return text.ToString();
        }

        text.AppendLine("Await chains that grew, innermost method first:");
        Rows(text, diff.Chains.Take(top).Select(g => (Delta(g), $"{g.Before} -> {g.After}", Chain(g.Group))), ("GROWTH", "COUNT", "CHAIN"));
        More(text, diff.Chains.Count, top);
        text.AppendLine().AppendLine("Timers that grew:");
        Rows(text, diff.Timers.Take(top).Select(t => (Delta(t), $"{t.Before} -> {t.After}", $"{t.Group.Callback}, {Period(t.Group.Period)}")), ("GROWTH", "COUNT", "CALLBACK"));
        More(text, diff.Timers.Count, top);
        text.AppendLine().AppendLine("Channels whose buffers grew:");
        Rows(text, diff.Channels.Take(top).Select(c => (Delta(c), $"{c.Before} -> {c.After}", $"{c.Group.Kind}<{c.Group.ElementType}>")), ("GROWTH", "BUFFERED", "CHANNEL"));
        More(text, diff.Channels.Count, top);
        return text.ToString();
    }

    internal static string Json(TasksSnapshot snapshot, int top) => Render(json => WriteSnapshotBody(json, snapshot, top));

    internal static string Json(TasksDiff diff, int top) => Render(json =>
    {
        json.WriteNumber("pid", diff.After.ProcessId);
        json.WriteNumber("intervalMs", Math.Round((diff.After.TakenAt - diff.Before.TakenAt).TotalMilliseconds));
        json.WriteStartObject("before");
        WriteSnapshotBody(json, diff.Before, top: 0);
        json.WriteEndObject();
        json.WriteStartObject("after");
        WriteSnapshotBody(json, diff.After, top: 0);
        json.WriteEndObject();
        WriteObjects(json, "chains", diff.Chains.Take(top), (w, g) => { WriteGrowth(w, g); WriteChain(w, g.Group); });
        WriteObjects(json, "timers", diff.Timers.Take(top), (w, g) => { WriteGrowth(w, g); WriteTimer(w, g.Group); });
        WriteObjects(json, "channels", diff.Channels.Take(top), (w, g) => { WriteGrowth(w, g); WriteChannel(w, g.Group); });
    });

    /// <summary>One JSON object, its members written by <paramref name="body"/>.</summary>
    private static string Render(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, JsonOptions))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>An array property of objects, each written by <paramref name="write"/>.</summary>
    private static void WriteObjects<T>(Utf8JsonWriter json, string name, IEnumerable<T> items, Action<Utf8JsonWriter, T> write)
    {
        json.WriteStartArray(name);
        foreach (var item in items)
        {
            json.WriteStartObject();
            write(json, item);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    /// <summary>The snapshot's header fields and, unless <paramref name="top"/> is 0, its groups (at most <paramref name="top"/> per section).</summary>
    private static void WriteSnapshotBody(Utf8JsonWriter json, TasksSnapshot snapshot, int top)
    {
        json.WriteNumber("pid", snapshot.ProcessId);
        json.WriteString("runtime", snapshot.RuntimeVersion);
        json.WriteString("takenAt", snapshot.TakenAt);
        json.WriteStartObject("cost");
        json.WriteString("method", snapshot.Cost.Method);
        json.WriteNumber("targetPauseMs", Math.Round(snapshot.Cost.TargetPause.TotalMilliseconds, 1));
        json.WriteNumber("totalMs", Math.Round(snapshot.Cost.Total.TotalMilliseconds, 1));
        json.WriteNumber("heapObjects", snapshot.Cost.HeapObjects);
        json.WriteNumber("heapWalkMs", Math.Round(snapshot.Cost.HeapWalk.TotalMilliseconds, 1));
        json.WriteNumber("reachabilityMs", Math.Round(snapshot.Cost.Reachability.TotalMilliseconds, 1));
        json.WriteEndObject();
        json.WriteNumber("pendingOperations", snapshot.PendingOperations);
        json.WriteNumber("unreachablePendingOperations", snapshot.UnreachablePendingOperations);
        json.WriteNumber("scheduledTimers", snapshot.Timers.Sum(t => t.Count));
        if (top == 0)
        {
            return;
        }

        WriteObjects(json, "chains", snapshot.Chains.Take(top), (w, g) => { w.WriteNumber("count", g.Count); WriteChain(w, g); });
        WriteObjects(json, "timers", snapshot.Timers.Take(top), (w, g) => { w.WriteNumber("count", g.Count); WriteTimer(w, g); });
        WriteObjects(json, "channels", snapshot.Channels.Take(top), WriteChannel);
    }

    private static void WriteGrowth<T>(Utf8JsonWriter json, Growth<T> growth)
    {
        json.WriteNumber("growth", growth.Delta);
        json.WriteNumber("before", growth.Before);
        json.WriteNumber("after", growth.After);
    }

    private static void WriteChain(Utf8JsonWriter json, AwaitChainGroup group)
    {
        json.WriteString("chain", string.Join(Arrow, group.Frames));
        json.WriteStartArray("frames");
        foreach (var frame in group.QualifiedFrames)
        {
            json.WriteStringValue(frame);
        }

        json.WriteEndArray();
        if (group.Awaiting is null)
        {
            json.WriteNull("awaiting");
        }
        else
        {
            json.WriteString("awaiting", group.Awaiting);
        }

        json.WriteStartObject("states");
        foreach (var (state, count) in group.States.OrderBy(s => s.Key))
        {
            json.WriteNumber(state.ToString(CultureInfo.InvariantCulture), count);
        }

        json.WriteEndObject();
    }

    private static void WriteTimer(Utf8JsonWriter json, TimerGroup group)
    {
        json.WriteString("callback", group.Callback);
        json.WriteString("qualifiedCallback", group.QualifiedCallback);
        if (group.Period is { } period)
        {
            json.WriteNumber("periodMs", period.TotalMilliseconds);
        }
        else
        {
            json.WriteNull("periodMs");
        }
    }

    private static void WriteChannel(Utf8JsonWriter json, ChannelGroup group)
    {
        json.WriteString("kind", group.Kind);
        json.WriteString("elementType", group.ElementType);
        json.WriteNumber("channels", group.Count);
        if (group.BufferedItems is { } buffered)
        {
            json.WriteNumber("bufferedItems", buffered);
        }
        else
        {
            json.WriteNull("bufferedItems");
        }
        json.WriteNumber("waitingReaders", group.WaitingReaders);
        json.WriteNumber("waitingWriters", group.WaitingWriters);
    }

    private static void Header(StringBuilder text, TasksSnapshot snapshot)
    {
        text.Append("governance tasks ").Append(snapshot.ProcessId).Append(": .NET ").Append(snapshot.RuntimeVersion).Append(", ")
            .Append(Count(snapshot.Cost.HeapObjects)).Append(" heap objects walked in ").Append(Durations.Format(snapshot.Cost.Total))
            .AppendLine();
        Pauses(text, snapshot.Cost, null);
    }

    private static void Pauses(StringBuilder text, SnapshotCost cost, string? which)
    {
        text.Append("  ").Append(which is null ? "the target was paused " : $"the target was paused for the {which} snapshot ")
            .Append(Durations.Format(cost.TargetPause))
            .AppendLine(cost.Method == "attach" ? " (attached, suspended for the walk)" : " at most (while the runtime wrote a heap dump)");
    }

    private static string Chain(AwaitChainGroup group) =>
        string.Join(Arrow, group.Frames) + (group.Awaiting is null ? string.Empty : $"   [awaits {group.Awaiting}]");

    private static string States(AwaitChainGroup group) =>
        group.States.Count == 1 && group.States.Keys.Single() == int.MinValue
            ? "?"
            : string.Join(',', group.States.Keys.Where(s => s != int.MinValue).Order().Select(s => s.ToString(CultureInfo.InvariantCulture)));

    private static string Waiting(ChannelGroup group)
    {
        var parts = new List<string>();
        if (group.WaitingReaders > 0)
        {
            parts.Add($"{Count(group.WaitingReaders)} {(group.WaitingReaders == 1 ? "reader" : "readers")} waiting");
        }

        if (group.WaitingWriters > 0)
        {
            parts.Add($"{Count(group.WaitingWriters)} {(group.WaitingWriters == 1 ? "writer" : "writers")} waiting");
        }

        return parts.Count == 0 ? string.Empty : "   (" + string.Join(", ", parts) + ")";
    }

    private static string Period(TimeSpan? period) => period is { } p ? "every " + Durations.Format(p) : "once";

    private static string Delta<T>(Growth<T> growth) => "+" + Count(growth.Delta);

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static void Rows(StringBuilder text, IEnumerable<(string A, string B, string C)> rows, (string A, string B, string C) header)
    {
        var all = rows.ToList();
        if (all.Count == 0)
        {
            text.AppendLine("  (none)");
            return;
        }

        var widthA = Math.Max(header.A.Length, all.Max(r => r.A.Length));
        var widthB = Math.Max(header.B.Length, all.Max(r => r.B.Length));
        text.Append("  ").Append(header.A.PadLeft(widthA)).Append("  ").Append(header.B.PadRight(widthB)).Append("  ").AppendLine(header.C);
        foreach (var (a, b, c) in all)
        {
            text.Append("  ").Append(a.PadLeft(widthA)).Append("  ").Append(b.PadRight(widthB)).Append("  ").AppendLine(c);
        }
    }

    private static void More(StringBuilder text, int total, int top)
    {
        if (total > top)
        {
            text.Append("  ... ").Append(Count(total - top)).AppendLine(" more (--top N shows more)");
        }
    }
}
