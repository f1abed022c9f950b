using System.Globalization;

namespace Governance.Cli.Diagnosis.Watch;

/// <summary>
/// <c>--record FILE.csv</c>: appends one row per figure: <c>timestamp,provider,name,tags,statistic,value</c>, where the
/// statistic is <c>value</c>, <c>rate</c> (per second), <c>p50</c>, <c>p95</c>, <c>p99</c> or <c>count</c>, and the value is in
/// the instrument's unit. The header is written when the file is new or empty.
/// </summary>
internal sealed class WatchCsv : IDisposable
{
    internal const string Header = "timestamp,provider,name,tags,statistic,value";

    private readonly StreamWriter _writer;

    internal WatchCsv(string path)
    {
        var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        _writer = new StreamWriter(stream) { AutoFlush = false };
        if (stream.Length == 0)
        {
            _writer.WriteLine(Header);
        }
    }

    internal void Append(WatchInterval interval)
    {
        var timestamp = interval.Timestamp.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        foreach (var point in interval.Points)
        {
            foreach (var (statistic, value) in Figures(point))
            {
                _writer.WriteLine(string.Join(',', timestamp, Quote(point.Provider), Quote(point.Name), Quote(point.Tags), statistic, value.ToString("R", CultureInfo.InvariantCulture)));
            }
        }

        _writer.Flush();
    }

    public void Dispose() => _writer.Dispose();

    private static IEnumerable<(string Statistic, double Value)> Figures(MetricPoint point)
    {
        var statistics = point.Kind switch
        {
            InstrumentKind.Histogram => new[] { ("p50", Statistic.P50), ("p95", Statistic.P95), ("p99", Statistic.P99), ("count", Statistic.Count) },
            InstrumentKind.Counter => [("value", Statistic.Value), ("rate", Statistic.Rate)],
            _ => [("value", Statistic.Value)],
        };
        foreach (var (name, statistic) in statistics)
        {
            if (point.Get(statistic) is { } value && double.IsFinite(value))
            {
                yield return (name, value);
            }
        }
    }

    private static string Quote(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
