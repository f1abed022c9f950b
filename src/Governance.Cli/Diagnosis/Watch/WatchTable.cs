using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Governance.Cli.Diagnosis.Watch;

/// <summary>The live table: the Governance meter's series (one row per tag set), then the runtime's figures.</summary>
internal static class WatchTable
{
    internal static IRenderable Render(int pid, WatchInterval? interval, IReadOnlyList<AlertFiring> alerts)
    {
        var table = new Table().Border(TableBorder.Rounded).Expand();
        table.Title = new TableTitle(interval is null
            ? $"governance watch {pid}: waiting for the first interval…"
            : $"governance watch {pid} at {interval.Timestamp.ToLocalTime():HH:mm:ss}");
        table.AddColumn("Instrument");
        table.AddColumn("Tags");
        table.AddColumn(new TableColumn("Value").RightAligned());
        if (interval is null)
        {
            return table;
        }

        var governance = interval.Points.Where(p => p.Provider == GovernanceMeterName)
            .OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Tags, StringComparer.Ordinal).ToList();
        if (governance.Count > 0)
        {
            table.AddRow(new Markup("[bold]Governance[/]"), Text.Empty, Text.Empty);
            foreach (var point in governance)
            {
                table.AddRow(Markup.Escape(point.Name), Markup.Escape(point.Tags), Markup.Escape(Format(point)));
            }
        }

        var runtime = interval.Points.Where(p => p.Provider == RuntimeCounters.MeterName).ToList();
        if (runtime.Count > 0)
        {
            table.AddRow(new Markup("[bold]System.Runtime[/]"), Text.Empty, Text.Empty);
            foreach (var (instrument, label, statistic) in RuntimeCounters.Shown)
            {
                foreach (var point in runtime.Where(p => p.Name == instrument).OrderBy(p => p.Tags, StringComparer.Ordinal))
                {
                    var text = statistic == Statistic.Rate ? $"{Amount(point.Rate, point.Unit)}/s" : Amount(point.Value, point.Unit);
                    table.AddRow(Markup.Escape(label), Markup.Escape(point.Tags), Markup.Escape(text));
                }
            }
        }

        if (alerts.Count > 0)
        {
            table.Caption = new TableTitle(string.Join(Environment.NewLine, alerts.TakeLast(3).Select(a => Markup.Escape(a.ToString()))), new Style(Color.Red));
        }

        return table;
    }

    private const string GovernanceMeterName = "Governance";

    /// <summary>A series' figures for a reader: times in ms, bytes in MB, counters as a rate per second.</summary>
    internal static string Format(MetricPoint point) => point.Kind switch
    {
        InstrumentKind.Histogram => point.Quantiles.Count == 0
            ? "-"
            : $"p50 {Amount(point.Get(Statistic.P50), point.Unit)}  p95 {Amount(point.Get(Statistic.P95), point.Unit)}  p99 {Amount(point.Get(Statistic.P99), point.Unit)}",
        InstrumentKind.Counter => $"{Amount(point.Rate, point.Unit)}/s (total {Amount(point.Value, point.Unit)})",
        _ => Amount(point.Value, point.Unit),
    };

    private static string Amount(double? value, string unit)
    {
        if (value is not { } v)
        {
            return "-";
        }

        if (AlertRule.SecondsPerUnit(unit) is { } perUnit)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{v * perUnit * 1000:0.###} ms");
        }

        return unit == "By"
            ? string.Create(CultureInfo.InvariantCulture, $"{v / (1024 * 1024):0.0} MB")
            : string.Create(CultureInfo.InvariantCulture, $"{v:#,0.##}");
    }
}
