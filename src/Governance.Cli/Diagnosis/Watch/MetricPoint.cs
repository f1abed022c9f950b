namespace Governance.Cli.Diagnosis.Watch;

/// <summary>How an instrument's values are published, which decides its statistics.</summary>
internal enum InstrumentKind
{
    /// <summary>A gauge or an up-down counter: one current value.</summary>
    Value,

    /// <summary>A monotonic counter: the total and its rate per second.</summary>
    Counter,

    /// <summary>A histogram: percentiles of what was recorded in the interval.</summary>
    Histogram,
}

/// <summary>
/// One time series' figures for one interval: an instrument of a meter with one set of tag values.
/// </summary>
/// <param name="Provider">The meter (<c>Governance</c>, <c>System.Runtime</c>).</param>
/// <param name="Name">The instrument's name.</param>
/// <param name="Tags">The tag values as the runtime publishes them: <c>key=value</c> pairs joined by commas, empty for none.</param>
/// <param name="Unit">The instrument's unit (<c>s</c>, <c>By</c>, <c>{task}</c>), empty when it has none.</param>
/// <param name="Kind">How the values are published.</param>
/// <param name="Value">A gauge's or up-down counter's value, a counter's total; null when not published.</param>
/// <param name="Rate">A counter's increase per second over the interval; null for other kinds.</param>
/// <param name="Quantiles">A histogram's percentiles (0.5, 0.95, 0.99) in the instrument's unit; empty when nothing was recorded in the interval.</param>
/// <param name="Count">A histogram's number of recordings in the interval.</param>
internal sealed record MetricPoint(
    string Provider,
    string Name,
    string Tags,
    string Unit,
    InstrumentKind Kind,
    double? Value,
    double? Rate,
    IReadOnlyDictionary<double, double> Quantiles,
    long Count = 0)
{
    internal static readonly IReadOnlyDictionary<double, double> NoQuantiles = new Dictionary<double, double>();

    /// <summary>The tag values as pairs, in the published order.</summary>
    internal IEnumerable<KeyValuePair<string, string>> TagPairs => ParseTags(Tags);

    /// <summary>The figure a statistic names, or null when this interval has none.</summary>
    internal double? Get(Statistic statistic) => statistic switch
    {
        Statistic.Default => Get(Kind switch
        {
            InstrumentKind.Counter => Statistic.Rate,
            InstrumentKind.Histogram => Statistic.P99,
            _ => Statistic.Value,
        }),
        Statistic.P50 => Quantile(0.5),
        Statistic.P95 => Quantile(0.95),
        Statistic.P99 => Quantile(0.99),
        Statistic.Rate => Rate,
        Statistic.Count => Kind == InstrumentKind.Histogram ? Count : null,
        _ => Value,
    };

    private double? Quantile(double q) => Quantiles.TryGetValue(q, out var value) ? value : null;

    internal static IEnumerable<KeyValuePair<string, string>> ParseTags(string tags)
    {
        if (string.IsNullOrEmpty(tags))
        {
            yield break;
        }

        foreach (var pair in tags.Split(','))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            yield return equals < 0
                ? new KeyValuePair<string, string>(pair.Trim(), string.Empty)
                : new KeyValuePair<string, string>(pair[..equals].Trim(), pair[(equals + 1)..].Trim());
        }
    }
}

/// <summary>Every series published in one refresh interval.</summary>
/// <param name="Timestamp">The end of the interval (UTC).</param>
/// <param name="Points">The series, in the order they arrived.</param>
internal sealed record WatchInterval(DateTimeOffset Timestamp, IReadOnlyList<MetricPoint> Points);
