using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Governance.Cli.Diagnosis.Watch;

/// <summary>
/// The table: the Governance meter's series (one row per tag set, its tag values in the Tags column), then the runtime's
/// figures. Governance series that have been zero (or empty) in every interval since the watch began are left out and
/// counted in the caption, so that a service with many limiters shows the ones doing something.
/// </summary>
internal sealed class WatchTable(int pid)
{
    private const string GovernanceMeterName = "Governance";
    private readonly HashSet<(string Name, string Tags)> _active = [];

    internal IRenderable Render(WatchInterval? interval, IReadOnlyList<AlertFiring> alerts)
    {
        var table = new Table().Border(TableBorder.Rounded);
        table.Title = new TableTitle(interval is null
            ? $"governance watch {pid}: waiting for the first interval…"
            : $"governance watch {pid} at {interval.Timestamp.ToLocalTime():HH:mm:ss}");
        table.AddColumn("Instrument (tag values)");
        table.AddColumn(new TableColumn("Value").RightAligned());
        if (interval is null)
        {
            return table;
        }

        var governance = interval.Points.Where(p => p.Provider == GovernanceMeterName).ToList();
        foreach (var point in governance.Where(IsActive))
        {
            _active.Add((point.Name, point.Tags));
        }

        var shown = governance.Where(p => _active.Contains((p.Name, p.Tags))).ToList();
        table.AddRow(new Markup("[bold]Governance[/]"), Text.Empty);
        foreach (var instrument in shown.GroupBy(p => p.Name).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            AddSeries(table, instrument.Key, [.. instrument.OrderBy(p => p.Tags, StringComparer.Ordinal).Select(p => (p, Format(p)))]);
        }

        var runtime = interval.Points.Where(p => p.Provider == RuntimeCounters.MeterName).ToList();
        if (runtime.Count > 0)
        {
            table.AddRow(new Markup("[bold]System.Runtime[/]"), Text.Empty);
            foreach (var (instrument, label, statistic) in RuntimeCounters.Shown)
            {
                AddSeries(table, label, [.. runtime.Where(p => p.Name == instrument).OrderBy(p => p.Tags, StringComparer.Ordinal)
                    .Select(p => (p, statistic == Statistic.Rate ? $"{Amount(p.Rate, p.Unit)}/s" : Amount(p.Value, p.Unit)))]);
            }
        }

        var captions = new List<string>();
        if (governance.Count > shown.Count)
        {
            captions.Add(Markup.Escape($"{governance.Count - shown.Count} Governance series at zero since the start are not shown (--json lists every series)"));
        }

        captions.AddRange(alerts.TakeLast(3).Select(a => $"[red]{Markup.Escape(a.ToString())}[/]"));
        if (captions.Count > 0)
        {
            table.Caption = new TableTitle(string.Join(Environment.NewLine, captions));
        }

        return table;
    }

    // An instrument with one untagged series is one row; otherwise its name, then a row per series with its tag values.
    private static void AddSeries(Table table, string label, IReadOnlyList<(MetricPoint Point, string Value)> series)
    {
        if (series.Count == 1 && string.IsNullOrEmpty(series[0].Point.Tags))
        {
            table.AddRow(new Text(label), new Text(series[0].Value));
            return;
        }

        if (series.Count > 0)
        {
            table.AddRow(new Text(label), Text.Empty);
        }

        foreach (var (point, value) in series)
        {
            table.AddRow(new Text("  " + TagValues(point)), new Text(value));
        }
    }

    /// <summary>A series' figures for a reader: times in ms, bytes in MB, counters as a rate per second and a total.</summary>
    internal static string Format(MetricPoint point) => point.Kind switch
    {
        InstrumentKind.Histogram => point.Quantiles.Count == 0
            ? "-"
            : $"p50 {Bare(point.Get(Statistic.P50), point.Unit)}  p95 {Bare(point.Get(Statistic.P95), point.Unit)}  p99 {Amount(point.Get(Statistic.P99), point.Unit)}",
        InstrumentKind.Counter => $"{Amount(point.Rate, point.Unit)}/s, total {Amount(point.Value, point.Unit)}",
        _ => Amount(point.Value, point.Unit),
    };

    private static bool IsActive(MetricPoint point) => point.Kind switch
    {
        InstrumentKind.Histogram => point.Count > 0,
        _ => point.Value is { } v && v != 0,
    };

    private static string TagValues(MetricPoint point) => string.Join(", ", point.TagPairs.Select(t => t.Value));

    // A percentile before the last one: its unit is written once, after the last.
    private static string Bare(double? value, string unit)
    {
        var amount = Amount(value, unit);
        return amount.EndsWith(" ms", StringComparison.Ordinal) ? amount[..^3] : amount;
    }

    private static string Amount(double? value, string unit)
    {
        if (value is not { } v)
        {
            return "-";
        }

        if (AlertRule.SecondsPerUnit(unit) is { } perUnit)
        {
            return Durations.Milliseconds(v * perUnit * 1000) + " ms";
        }

        return unit == "By"
            ? string.Create(CultureInfo.InvariantCulture, $"{v / (1024 * 1024):0.0} MB")
            : string.Create(CultureInfo.InvariantCulture, $"{v:#,0.##}");
    }
}
