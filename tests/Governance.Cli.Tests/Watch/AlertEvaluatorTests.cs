using Governance.Cli.Diagnosis.Watch;

namespace Governance.Cli.Tests.Watch;

/// <summary>The alert window: fed interval by interval, no process and no clock.</summary>
public sealed class AlertEvaluatorTests
{
    private static readonly DateTimeOffset s_start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Fires_OnlyWhenEveryIntervalOfTheWindowIsPastTheThreshold()
    {
        var evaluator = Evaluator("governance.limiter.queue_wait p99 > 100ms for 3s");
        Assert.Empty(Feed(evaluator, 0, 0.2));
        Assert.Empty(Feed(evaluator, 1, 0.3));
        var fired = Assert.Single(Feed(evaluator, 2, 0.25));
        Assert.Equal(0.25, fired.Value);
        Assert.Equal(s_start.AddSeconds(2), fired.Timestamp);
        Assert.Equal("alert: governance.limiter.queue_wait p99 > 100ms for 3s: governance.limiter.queue_wait{governance.limiter.name=orders} p99 = 250ms", fired.ToString());
    }

    [Fact]
    public void AnIntervalWithinTheThreshold_RestartsTheWindow()
    {
        var evaluator = Evaluator("governance.limiter.queue_wait p99 > 100ms for 3s");
        Feed(evaluator, 0, 0.2);
        Feed(evaluator, 1, 0.2);
        Assert.Empty(Feed(evaluator, 2, 0.1)); // equal is not past '>'
        Assert.Empty(Feed(evaluator, 3, 0.2));
        Assert.Empty(Feed(evaluator, 4, 0.2));
        Assert.Single(Feed(evaluator, 5, 0.2));
    }

    [Fact]
    public void AnIntervalWithNoValue_BreaksTheWindow()
    {
        var evaluator = Evaluator("governance.limiter.queue_wait p99 > 100ms for 2s");
        Feed(evaluator, 0, 0.2);
        Assert.Empty(Feed(evaluator, 1, null)); // nobody queued: the histogram published no quantiles
        Assert.Empty(Feed(evaluator, 2, 0.2));
        Assert.Empty(evaluator.Evaluate(new WatchInterval(s_start.AddSeconds(3), []))); // the series vanished
        Assert.Empty(Feed(evaluator, 4, 0.2));
        Assert.Single(Feed(evaluator, 5, 0.2));
    }

    [Fact]
    public void Fires_OncePerEpisode_AndAgainAfterTheValueCameBack()
    {
        var evaluator = Evaluator("governance.limiter.queue_wait p99 > 100ms for 1s");
        Assert.Single(Feed(evaluator, 0, 0.2));
        Assert.Empty(Feed(evaluator, 1, 0.2));
        Assert.Empty(Feed(evaluator, 2, 0.05));
        Assert.Single(Feed(evaluator, 3, 0.2));
    }

    [Fact]
    public void EachSeries_HasItsOwnWindow()
    {
        var evaluator = Evaluator("governance.limiter.queued >= 10 for 2s");
        WatchInterval Interval(int second, double orders, double payments) => new(s_start.AddSeconds(second),
        [
            AlertRuleTests.Point("governance.limiter.queued", "governance.limiter.name=orders", orders),
            AlertRuleTests.Point("governance.limiter.queued", "governance.limiter.name=payments", payments),
        ]);
        Assert.Empty(evaluator.Evaluate(Interval(0, 10, 0)));
        Assert.Empty(evaluator.Evaluate(Interval(1, 0, 50)));
        var fired = Assert.Single(evaluator.Evaluate(Interval(2, 0, 50)));
        Assert.Equal("governance.limiter.name=payments", fired.Point.Tags);
    }

    [Fact]
    public void Window_SpansCeilingOfWindowOverInterval_AtLeastOne()
    {
        Assert.True(AlertRule.TryParse("x > 1 for 2500ms", out var rule, out _));
        Assert.True(AlertRule.TryParse("x > 1 for 100ms", out var brief, out _));
        var evaluator = new AlertEvaluator([rule!, brief!], TimeSpan.FromSeconds(1));
        Assert.Equal(3, evaluator.IntervalsFor(rule!));
        Assert.Equal(1, evaluator.IntervalsFor(brief!));
        Assert.Equal(5, new AlertEvaluator([rule!], TimeSpan.FromMilliseconds(500)).IntervalsFor(rule!));
    }

    [Fact]
    public void DefaultStatistic_IsACountersRate_AndAHistogramsP99()
    {
        var evaluator = Evaluator("governance.limiter.rejected > 5 for 1s", "governance.limiter.queue_wait > 100ms for 1s");
        var rejected = new MetricPoint("Governance", "governance.limiter.rejected", "governance.limiter.name=orders", "{task}", InstrumentKind.Counter, 1000, 2, MetricPoint.NoQuantiles);
        var wait = Histogram(0.05, 0.2);
        Assert.Equal(["p99"], evaluator.Evaluate(new WatchInterval(s_start, [rejected, wait])).Select(a => a.Statistic));
        var busy = rejected with { Rate = 6 };
        Assert.Equal(["rate"], evaluator.Evaluate(new WatchInterval(s_start.AddSeconds(1), [busy, Histogram(0.05, 0.05)])).Select(a => a.Statistic));
    }

    [Fact]
    public void ATimeThresholdOnACount_NeverFires_AndIsReportedOnce()
    {
        var evaluator = Evaluator("governance.limiter.queued > 1ms for 1s");
        var reported = new List<string>();
        evaluator.UnitMismatch += (rule, point) => reported.Add(point.Name);
        for (var second = 0; second < 3; second++)
        {
            Assert.Empty(evaluator.Evaluate(new WatchInterval(s_start.AddSeconds(second), [AlertRuleTests.Point("governance.limiter.queued", string.Empty, 50)])));
        }

        Assert.Equal(["governance.limiter.queued"], reported);
    }

    private static AlertEvaluator Evaluator(params string[] rules) =>
        new([.. rules.Select(text => AlertRule.TryParse(text, out var rule, out var error) ? rule! : throw new InvalidOperationException(error))], TimeSpan.FromSeconds(1));

    private static IReadOnlyList<AlertFiring> Feed(AlertEvaluator evaluator, int second, double? p99) =>
        evaluator.Evaluate(new WatchInterval(s_start.AddSeconds(second), [Histogram(p99 is null ? null : p99 / 2, p99)]));

    private static MetricPoint Histogram(double? p50, double? p99) =>
        new("Governance", "governance.limiter.queue_wait", "governance.limiter.name=orders", "s", InstrumentKind.Histogram, null, null,
            p99 is null ? MetricPoint.NoQuantiles : new Dictionary<double, double> { [0.5] = p50!.Value, [0.95] = p99.Value, [0.99] = p99.Value }, p99 is null ? 0 : 10);
}
