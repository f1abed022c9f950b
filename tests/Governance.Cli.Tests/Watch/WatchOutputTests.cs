using System.Text.Json;
using Governance.Cli.Diagnosis.Watch;

namespace Governance.Cli.Tests.Watch;

/// <summary>The shapes watch writes: a JSON line per interval and per alert, CSV rows, the runtime's quantile text.</summary>
public sealed class WatchOutputTests : IDisposable
{
    private static readonly DateTimeOffset s_end = new(2026, 1, 1, 12, 0, 1, TimeSpan.Zero);
    private readonly string _temp = Directory.CreateTempSubdirectory("governance-watch-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public void ParseQuantiles_ReadsTheRuntimesText_AndEmptyAsNone()
    {
        var quantiles = MetricsSession.ParseQuantiles("0.5=0.0125;0.95=0.25;0.99=1.5");
        Assert.Equal(0.0125, quantiles[0.5]);
        Assert.Equal(0.25, quantiles[0.95]);
        Assert.Equal(1.5, quantiles[0.99]);
        Assert.Empty(MetricsSession.ParseQuantiles(string.Empty));
    }

    [Fact]
    public void Net8EventCounters_AreReadUnderTheMetersNames()
    {
        var heap = RuntimeCounters.FromEventCounter(new Dictionary<string, object> { ["Name"] = "gc-heap-size", ["Mean"] = 2.5, ["CounterType"] = "Mean", ["IntervalSec"] = 1.0 }, TimeSpan.FromSeconds(1));
        Assert.Equal(("System.Runtime", "dotnet.gc.last_collection.heap.size", "By", 2.5 * 1024 * 1024), (heap!.Provider, heap.Name, heap.Unit, heap.Value!.Value));
        var completed = RuntimeCounters.FromEventCounter(new Dictionary<string, object> { ["Name"] = "threadpool-completed-items-count", ["Increment"] = 500.0, ["CounterType"] = "Sum", ["IntervalSec"] = 0.5 }, TimeSpan.FromSeconds(1));
        Assert.Equal(("dotnet.thread_pool.work_item.count", InstrumentKind.Counter, 1000.0), (completed!.Name, completed.Kind, completed.Rate!.Value));
        Assert.Null(RuntimeCounters.FromEventCounter(new Dictionary<string, object> { ["Name"] = "cpu-usage", ["Mean"] = 1.0 }, TimeSpan.FromSeconds(1)));
        Assert.Null(RuntimeCounters.FromEventCounter("not a payload", TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void SessionArguments_AreTheSharedOnesDotnetCountersSends()
    {
        var arguments = MetricsSession.Arguments(["Governance", "System.Runtime"], TimeSpan.FromSeconds(1), "client-1");
        Assert.Equal("SHARED", arguments["SessionId"]);
        Assert.Equal("client-1", arguments["ClientId"]);
        Assert.Equal("Governance;System.Runtime", arguments["Metrics"]);
        Assert.Equal("1", arguments["RefreshInterval"]);
        Assert.Equal("1000", arguments["MaxTimeSeries"]);
        Assert.Equal("10", arguments["MaxHistograms"]);
    }

    [Fact]
    public void Json_Interval_HasTimestampPidAndMetricsWithTagsAndFigures()
    {
        using var json = JsonDocument.Parse(WatchJson.Interval(42, Sample()));
        var root = json.RootElement;
        Assert.Equal("2026-01-01T12:00:01Z", root.GetProperty("timestamp").GetString());
        Assert.Equal(42, root.GetProperty("pid").GetInt32());
        var metrics = root.GetProperty("metrics").EnumerateArray().ToList();
        Assert.Equal(3, metrics.Count);
        Assert.Equal("orders", metrics[0].GetProperty("tags").GetProperty("governance.limiter.name").GetString());
        Assert.Equal(3, metrics[0].GetProperty("value").GetDouble());
        Assert.Equal(12.5, metrics[1].GetProperty("rate").GetDouble());
        Assert.Equal(1000, metrics[1].GetProperty("value").GetDouble());
        Assert.Equal(0.25, metrics[2].GetProperty("quantiles").GetProperty("p99").GetDouble());
        Assert.Equal(7, metrics[2].GetProperty("count").GetInt32());
        Assert.Equal("s", metrics[2].GetProperty("unit").GetString());
    }

    [Fact]
    public void Json_Alert_NamesTheRuleAndTheValue()
    {
        Assert.True(AlertRule.TryParse("governance.limiter.queue_wait p99 > 100ms for 1s", out var rule, out _));
        var alert = new AlertEvaluator([rule!], TimeSpan.FromSeconds(1)).Evaluate(Sample()).Single();
        using var json = JsonDocument.Parse(WatchJson.Alert(42, alert));
        var body = json.RootElement.GetProperty("alert");
        Assert.Equal("governance.limiter.queue_wait p99 > 100ms for 1s", body.GetProperty("rule").GetString());
        Assert.Equal("p99", body.GetProperty("statistic").GetString());
        Assert.Equal(0.25, body.GetProperty("value").GetDouble());
        Assert.EndsWith("p99 = 250ms", body.GetProperty("message").GetString());
    }

    [Fact]
    public void Csv_AppendsRowsPerStatistic_WithOneHeader_AndQuotesTags()
    {
        var path = Path.Combine(_temp, "watch.csv");
        using (var csv = new WatchCsv(path))
        {
            csv.Append(Sample());
        }

        using (var csv = new WatchCsv(path))
        {
            csv.Append(Sample() with { Points = [Sample().Points[0] with { Tags = "a=1,b=2" }] });
        }

        var lines = File.ReadAllLines(path);
        Assert.Equal(WatchCsv.Header, lines[0]);
        Assert.Single(lines, l => l == WatchCsv.Header);
        Assert.Contains("2026-01-01T12:00:01.000Z,Governance,governance.limiter.queued,governance.limiter.name=orders,value,3", lines);
        Assert.Contains("2026-01-01T12:00:01.000Z,Governance,governance.limiter.admitted,governance.limiter.name=orders,rate,12.5", lines);
        Assert.Contains("2026-01-01T12:00:01.000Z,Governance,governance.limiter.queue_wait,governance.limiter.name=orders,p99,0.25", lines);
        Assert.Contains("2026-01-01T12:00:01.000Z,Governance,governance.limiter.queued,\"a=1,b=2\",value,3", lines);
        Assert.Equal(1 + 1 + 2 + 4 + 1, lines.Length);
    }

    private static WatchInterval Sample() => new(s_end,
    [
        new MetricPoint("Governance", "governance.limiter.queued", "governance.limiter.name=orders", "{task}", InstrumentKind.Value, 3, null, MetricPoint.NoQuantiles),
        new MetricPoint("Governance", "governance.limiter.admitted", "governance.limiter.name=orders", "{task}", InstrumentKind.Counter, 1000, 12.5, MetricPoint.NoQuantiles),
        new MetricPoint("Governance", "governance.limiter.queue_wait", "governance.limiter.name=orders", "s", InstrumentKind.Histogram, null, null,
            new Dictionary<double, double> { [0.5] = 0.01, [0.95] = 0.2, [0.99] = 0.25 }, 7),
    ]);
}
