using Governance.Cli.Diagnosis;
using Governance.Cli.Diagnosis.Watch;

namespace Governance.Cli.Tests.Watch;

/// <summary>The --alert grammar and its units: parsed without a process.</summary>
public sealed class AlertRuleTests
{
    [Fact]
    public void Parse_TheIssuesExample_ReadsEveryPart()
    {
        Assert.True(AlertRule.TryParse("governance.limiter.queue_wait p99 > 100ms for 30s", out var rule, out var error), error);
        Assert.Equal("governance.limiter.queue_wait", rule!.Instrument);
        Assert.Empty(rule.TagFilter);
        Assert.Equal(Statistic.P99, rule.Statistic);
        Assert.Equal(">", rule.Operator);
        Assert.Equal(0.1, rule.Threshold, 9);
        Assert.Equal(ThresholdUnit.Time, rule.Unit);
        Assert.True(rule.InMilliseconds);
        Assert.Equal(TimeSpan.FromSeconds(30), rule.Window);
    }

    [Fact]
    public void Parse_TagFilterStatisticAndUnitlessThreshold()
    {
        Assert.True(AlertRule.TryParse("governance.limiter.rejected{governance.limiter.name=orders, governance.rejection.reason=queue_full} rate >= 5 for 2m", out var rule, out var error), error);
        Assert.Equal([new("governance.limiter.name", "orders"), new("governance.rejection.reason", "queue_full")], rule!.TagFilter);
        Assert.Equal(Statistic.Rate, rule.Statistic);
        Assert.Equal(">=", rule.Operator);
        Assert.Equal(5, rule.Threshold);
        Assert.Equal(ThresholdUnit.None, rule.Unit);
        Assert.Equal(TimeSpan.FromMinutes(2), rule.Window);
    }

    [Fact]
    public void Parse_NoStatistic_UsesTheInstrumentsDefault()
    {
        Assert.True(AlertRule.TryParse("governance.limiter.queued>10 for 500ms", out var rule, out var error), error);
        Assert.Equal(Statistic.Default, rule!.Statistic);
        Assert.Equal(TimeSpan.FromMilliseconds(500), rule.Window);
    }

    [Theory]
    [InlineData("")]
    [InlineData("governance.limiter.queue_wait p99 > 100ms")]
    [InlineData("governance.limiter.queue_wait p98 > 100ms for 30s")]
    [InlineData("governance.limiter.queue_wait p99 >> 100ms for 30s")]
    [InlineData("governance.limiter.queue_wait p99 > fast for 30s")]
    [InlineData("governance.limiter.queue_wait p99 > 100min for 30s")]
    [InlineData("governance.limiter.queue_wait p99 > 100ms for ever")]
    [InlineData("governance.limiter.queue_wait p99 > 100ms for 0s")]
    [InlineData("governance.limiter.queue_wait{name} p99 > 100ms for 30s")]
    public void Parse_Malformed_FailsWithOneLineThatQuotesTheRule(string text)
    {
        Assert.False(AlertRule.TryParse(text, out var rule, out var error));
        Assert.Null(rule);
        Assert.StartsWith($"malformed --alert '{text}'", error);
        Assert.DoesNotContain("\n", error!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("100ms", "s", 0.1)]
    [InlineData("100ms", "ms", 100)]
    [InlineData("2s", "ms", 2000)]
    [InlineData("250", "s", 250)]
    [InlineData("50%", "1", 0.5)]
    public void Threshold_IsConvertedToTheInstrumentsUnit(string threshold, string unit, double expected)
    {
        Assert.True(AlertRule.TryParse($"x > {threshold} for 1s", out var rule, out var error), error);
        Assert.Equal(expected, rule!.ThresholdIn(unit)!.Value, 9);
    }

    [Theory]
    [InlineData("100ms", "{task}")]
    [InlineData("50%", "By")]
    public void Threshold_WithAUnitTheInstrumentCannotHave_IsNull(string threshold, string unit)
    {
        Assert.True(AlertRule.TryParse($"x > {threshold} for 1s", out var rule, out _));
        Assert.Null(rule!.ThresholdIn(unit));
    }

    [Fact]
    public void Matches_NameAndEveryFilteredTag()
    {
        Assert.True(AlertRule.TryParse("governance.limiter.queued{governance.limiter.name=orders} > 1 for 1s", out var rule, out _));
        Assert.True(rule!.Matches(Point("governance.limiter.queued", "governance.limiter.name=orders")));
        Assert.False(rule.Matches(Point("governance.limiter.queued", "governance.limiter.name=payments")));
        Assert.False(rule.Matches(Point("governance.limiter.queued", string.Empty)));
        Assert.False(rule.Matches(Point("governance.limiter.in_flight", "governance.limiter.name=orders")));
    }

    [Theory]
    [InlineData("500ms", 0.5)]
    [InlineData("5s", 5)]
    [InlineData("2m", 120)]
    [InlineData("1.5s", 1.5)]
    [InlineData("1h", 3600)]
    public void Durations_Parse(string text, double seconds)
    {
        Assert.True(Durations.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Theory]
    [InlineData("5")]
    [InlineData("s")]
    [InlineData("-5s")]
    [InlineData("0s")]
    [InlineData("5 days")]
    [InlineData("5sec")]
    [InlineData(null)]
    public void Durations_Malformed_AreRejected(string? text)
    {
        Assert.False(Durations.TryParse(text, out _));
    }

    internal static MetricPoint Point(string name, string tags, double? value = 1, string unit = "{task}") =>
        new("Governance", name, tags, unit, InstrumentKind.Value, value, null, MetricPoint.NoQuantiles);
}
