namespace Governance.Cli.Diagnosis.Watch;

/// <summary>An alert that fired: the rule, the series and the value that kept it past the threshold.</summary>
/// <param name="Rule">The rule.</param>
/// <param name="Point">The series' figures in the interval that completed the window.</param>
/// <param name="Value">The value compared, in the instrument's unit.</param>
/// <param name="Timestamp">The end of that interval.</param>
internal sealed record AlertFiring(AlertRule Rule, MetricPoint Point, double Value, DateTimeOffset Timestamp)
{
    /// <summary>One line: the rule, the series' tags and the value, e.g. <c>alert: governance.limiter.queue_wait p99 &gt; 100ms for 30s: governance.limiter.name=orders p99 = 412ms</c>.</summary>
    public override string ToString()
    {
        var series = string.IsNullOrEmpty(Point.Tags) ? Point.Name : $"{Point.Name}{{{Point.Tags}}}";
        return $"alert: {Rule.Text}: {series} {Statistic} = {Rule.Describe(Value, Point.Unit)}";
    }

    /// <summary>The statistic compared, by name (the rule's, or the instrument's default).</summary>
    internal string Statistic => Rule.Statistic == Watch.Statistic.Default
        ? Point.Kind switch { InstrumentKind.Counter => "rate", InstrumentKind.Histogram => "p99", _ => "value" }
        : Rule.Statistic.ToString().ToLowerInvariant();
}

/// <summary>
/// Evaluates alert rules over successive intervals with dotnet-monitor's semantics: a rule fires for a series when the
/// series' value is past the threshold in every interval spanning the rule's window; an interval in which the series
/// published no value (a histogram nobody recorded into, a series that vanished) breaks the window. A rule fires once
/// per episode and re-arms when its series comes back within the threshold. Pure: feed it intervals, get alerts.
/// </summary>
internal sealed class AlertEvaluator
{
    private readonly IReadOnlyList<AlertRule> _rules;
    private readonly TimeSpan _interval;
    private readonly Dictionary<(AlertRule Rule, string Series), Streak> _streaks = [];
    private readonly HashSet<(AlertRule Rule, string Unit)> _unitMismatches = [];

    /// <param name="rules">The rules.</param>
    /// <param name="interval">The refresh interval: a window of W spans ceil(W / interval) intervals (at least one).</param>
    internal AlertEvaluator(IReadOnlyList<AlertRule> rules, TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        _rules = rules;
        _interval = interval;
    }

    /// <summary>Rules whose threshold unit can't apply to their instrument (a time against a count); each reported once.</summary>
    internal event Action<AlertRule, MetricPoint>? UnitMismatch;

    /// <summary>How many consecutive intervals a rule's window spans.</summary>
    internal int IntervalsFor(AlertRule rule) => Math.Max(1, (int)Math.Ceiling(rule.Window.Ticks / (double)_interval.Ticks - 1e-9));

    /// <summary>Feeds one interval; returns the alerts that fire at its end.</summary>
    internal IReadOnlyList<AlertFiring> Evaluate(WatchInterval interval)
    {
        var fired = new List<AlertFiring>();
        var seen = new HashSet<(AlertRule, string)>();
        foreach (var rule in _rules)
        {
            foreach (var point in interval.Points)
            {
                if (!rule.Matches(point))
                {
                    continue;
                }

                var key = (rule, $"{point.Provider}|{point.Tags}");
                if (!seen.Add(key))
                {
                    continue;
                }

                var streak = _streaks.TryGetValue(key, out var s) ? s : _streaks[key] = new Streak();
                var threshold = rule.ThresholdIn(point.Unit);
                if (threshold is null && _unitMismatches.Add((rule, point.Unit)))
                {
                    UnitMismatch?.Invoke(rule, point);
                }

                if (threshold is { } t && point.Get(rule.Statistic) is { } value && !double.IsNaN(value) && rule.IsPast(value, t))
                {
                    streak.Count++;
                    if (streak.Count >= IntervalsFor(rule) && !streak.Fired)
                    {
                        streak.Fired = true;
                        fired.Add(new AlertFiring(rule, point, value, interval.Timestamp));
                    }
                }
                else
                {
                    streak.Count = 0;
                    streak.Fired = false;
                }
            }
        }

        // A series this interval did not publish breaks its window.
        foreach (var (key, streak) in _streaks)
        {
            if (!seen.Contains(key))
            {
                streak.Count = 0;
                streak.Fired = false;
            }
        }

        return fired;
    }

    private sealed class Streak
    {
        internal int Count { get; set; }

        internal bool Fired { get; set; }
    }
}
