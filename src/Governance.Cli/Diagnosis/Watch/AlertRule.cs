using System.Globalization;
using System.Text.RegularExpressions;

namespace Governance.Cli.Diagnosis.Watch;

/// <summary>Which figure of a series a rule reads.</summary>
internal enum Statistic
{
    /// <summary>None named: a counter's rate, a histogram's P99, anything else's value.</summary>
    Default,

    /// <summary>A gauge's or up-down counter's value, a counter's total.</summary>
    Value,

    /// <summary>A counter's increase per second.</summary>
    Rate,

    /// <summary>A histogram's median.</summary>
    P50,

    /// <summary>A histogram's 95th percentile.</summary>
    P95,

    /// <summary>A histogram's 99th percentile.</summary>
    P99,

    /// <summary>A histogram's number of recordings in the interval.</summary>
    Count,
}

/// <summary>The unit written after an alert's threshold.</summary>
internal enum ThresholdUnit
{
    /// <summary>A bare number, compared with the value as published.</summary>
    None,

    /// <summary><c>ms</c> or <c>s</c>: a time, converted to the instrument's time unit.</summary>
    Time,

    /// <summary><c>%</c>: a percentage, divided by 100 for an instrument whose unit is <c>1</c>.</summary>
    Percent,
}

/// <summary>
/// One <c>--alert</c> rule: <c>&lt;instrument&gt;[{tag=value,...}] [p50|p95|p99|value|rate|count] (&gt;|&gt;=|&lt;|&lt;=)
/// &lt;number&gt;[ms|s|%] for &lt;duration&gt;</c>, e.g. <c>governance.limiter.queue_wait p99 &gt; 100ms for 30s</c>.
/// </summary>
/// <param name="Text">The rule as written.</param>
/// <param name="Instrument">The instrument's name.</param>
/// <param name="TagFilter">Tag values a series must carry to be watched; empty: every series of the instrument.</param>
/// <param name="Statistic">The figure compared.</param>
/// <param name="Operator">&gt;, &gt;=, &lt; or &lt;=.</param>
/// <param name="Threshold">The number; in seconds when <paramref name="Unit"/> is a time.</param>
/// <param name="Unit">The threshold's unit.</param>
/// <param name="Window">How long the value must stay past the threshold, in every interval, before the rule fires.</param>
internal sealed partial record AlertRule(
    string Text,
    string Instrument,
    IReadOnlyList<KeyValuePair<string, string>> TagFilter,
    Statistic Statistic,
    string Operator,
    double Threshold,
    ThresholdUnit Unit,
    TimeSpan Window)
{
    internal const string Grammar = "<instrument>[{tag=value,...}] [p50|p95|p99|value|rate|count] (>|>=|<|<=) <number>[ms|s|%] for <duration>";

    /// <summary>Parses a rule; on failure <paramref name="error"/> is one line saying what is wrong.</summary>
    internal static bool TryParse(string text, out AlertRule? rule, out string? error)
    {
        rule = null;
        error = null;
        var match = RulePattern().Match(text ?? string.Empty);
        if (!match.Success)
        {
            error = $"malformed --alert '{text}': expected {Grammar}, e.g. \"governance.limiter.queue_wait p99 > 100ms for 30s\"";
            return false;
        }

        var filter = new List<KeyValuePair<string, string>>();
        if (match.Groups["tags"].Success)
        {
            foreach (var pair in match.Groups["tags"].Value.Split(',', StringSplitOptions.TrimEntries))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0 || equals == pair.Length - 1)
                {
                    error = $"malformed --alert '{text}': the tag filter needs tag=value pairs separated by commas, not '{pair}'";
                    return false;
                }

                filter.Add(new(pair[..equals].Trim(), pair[(equals + 1)..].Trim()));
            }
        }

        if (!Durations.TryParse(match.Groups["window"].Value, out var window))
        {
            error = $"malformed --alert '{text}': '{match.Groups["window"].Value}' is not a duration (500ms, 30s, 2m)";
            return false;
        }

        var statistic = match.Groups["stat"].Success
            ? Enum.Parse<Statistic>(match.Groups["stat"].Value, ignoreCase: true)
            : Statistic.Default;
        var number = double.Parse(match.Groups["number"].Value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        var unitText = match.Groups["unit"].Value.ToLowerInvariant();
        var (threshold, unit) = unitText switch
        {
            "ms" => (number / 1000, ThresholdUnit.Time),
            "s" => (number, ThresholdUnit.Time),
            "%" => (number, ThresholdUnit.Percent),
            _ => (number, ThresholdUnit.None),
        };
        rule = new AlertRule(text!.Trim(), match.Groups["name"].Value, filter, statistic, match.Groups["op"].Value, threshold, unit, window)
        {
            InMilliseconds = unitText == "ms",
        };
        return true;
    }

    /// <summary>Whether a series is one this rule watches.</summary>
    internal bool Matches(MetricPoint point) =>
        string.Equals(point.Name, Instrument, StringComparison.Ordinal)
        && TagFilter.All(f => point.TagPairs.Any(t => string.Equals(t.Key, f.Key, StringComparison.Ordinal) && string.Equals(t.Value, f.Value, StringComparison.Ordinal)));

    /// <summary>
    /// The threshold in the instrument's unit, or null when the rule's unit can't be converted to it (a time against an
    /// instrument that isn't one).
    /// </summary>
    internal double? ThresholdIn(string instrumentUnit) => Unit switch
    {
        ThresholdUnit.Time => SecondsPerUnit(instrumentUnit) is { } perUnit ? Threshold / perUnit : null,
        ThresholdUnit.Percent => instrumentUnit switch
        {
            "1" => Threshold / 100,
            "%" => Threshold,
            _ => null,
        },
        _ => Threshold,
    };

    /// <summary>Whether a value (in the instrument's unit) is past the threshold.</summary>
    internal bool IsPast(double value, double threshold) => Operator switch
    {
        ">" => value > threshold,
        ">=" => value >= threshold,
        "<" => value < threshold,
        _ => value <= threshold,
    };

    /// <summary>Whether the threshold was written in milliseconds (values are then shown in ms too).</summary>
    internal bool InMilliseconds { get; init; }

    /// <summary>A value in the instrument's unit, written in the rule's unit (a time in ms or s, as the rule wrote it).</summary>
    internal string Describe(double value, string instrumentUnit)
    {
        if (Unit == ThresholdUnit.Time && SecondsPerUnit(instrumentUnit) is { } perUnit)
        {
            var seconds = value * perUnit;
            return InMilliseconds
                ? Durations.Milliseconds(seconds * 1000) + "ms"
                : string.Create(CultureInfo.InvariantCulture, $"{seconds:0.###}s");
        }

        return Unit == ThresholdUnit.Percent && instrumentUnit == "1"
            ? string.Create(CultureInfo.InvariantCulture, $"{value * 100:0.###}%")
            : string.Create(CultureInfo.InvariantCulture, $"{value:0.###}");
    }

    /// <summary>Seconds in one of a time unit as instruments name them (UCUM: s, ms, us, ns, min), or null for another unit.</summary>
    internal static double? SecondsPerUnit(string unit) => unit switch
    {
        "s" => 1,
        "ms" => 1e-3,
        "us" or "µs" => 1e-6,
        "ns" => 1e-9,
        "min" => 60,
        _ => null,
    };

    [GeneratedRegex(@"^\s*(?<name>[A-Za-z_][A-Za-z0-9_.\-/]*)\s*(\{(?<tags>[^{}]*)\})?\s*(\b(?<stat>p50|p95|p99|value|rate|count)\b)?\s*(?<op>>=|<=|>|<)\s*(?<number>-?\d+(\.\d+)?)\s*(?<unit>ms|s|%)?\s+for\s+(?<window>\S+)\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex RulePattern();
}
