using System.Diagnostics.Metrics;
using Governance;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Governance.Tests.Limiting;

public sealed class TaskLimiterMetricsTests : IDisposable
{
    // Each test gets its own meter through its own IMeterFactory, so tests running in parallel never see each other.
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    private IMeterFactory MeterFactory => _services.GetRequiredService<IMeterFactory>();

    public void Dispose() => _services.Dispose();

    private TaskLimiter Create(string name, int maxConcurrency, int queueLimit = 0, TimeSpan? queueTimeout = null, TimeProvider? time = null) =>
        new(new TaskLimiterOptions
        {
            Name = name,
            MaxConcurrency = maxConcurrency,
            QueueLimit = queueLimit,
            QueueTimeout = queueTimeout ?? Timeout.InfiniteTimeSpan,
            TimeProvider = time ?? TimeProvider.System,
            MeterFactory = MeterFactory,
        });

    [Fact]
    public async Task Gauges_ReportInFlightQueuedAndLimitPerLimiter()
    {
        using var inFlight = new MetricCollector<long>(MeterFactory, GovernanceMeter.MeterName, "governance.limiter.in_flight");
        using var queued = new MetricCollector<long>(MeterFactory, GovernanceMeter.MeterName, "governance.limiter.queued");
        using var limit = new MetricCollector<long>(MeterFactory, GovernanceMeter.MeterName, "governance.limiter.limit");
        using var orders = Create("orders", 2, queueLimit: 5);
        using var payments = Create("payments", 3);
        using var a = await orders.AcquireAsync();
        using var b = await orders.AcquireAsync();
        var waiting = orders.AcquireAsync();
        using var c = await payments.AcquireAsync();

        inFlight.RecordObservableInstruments();
        queued.RecordObservableInstruments();
        limit.RecordObservableInstruments();

        Assert.Equal(2, Latest(inFlight, "orders"));
        Assert.Equal(1, Latest(inFlight, "payments"));
        Assert.Equal(1, Latest(queued, "orders"));
        Assert.Equal(0, Latest(queued, "payments"));
        Assert.Equal(2, Latest(limit, "orders"));
        Assert.Equal(3, Latest(limit, "payments"));

        orders.Dispose();
        await Assert.ThrowsAsync<LimiterRejectedException>(() => waiting.Bounded());
    }

    [Fact]
    public async Task Rejected_IsCountedWithTheReasonTag()
    {
        var time = new FakeTimeProvider();
        using var rejected = new MetricCollector<long>(MeterFactory, GovernanceMeter.MeterName, "governance.limiter.rejected");
        var limiter = Create("orders", 1, queueLimit: 1, queueTimeout: TimeSpan.FromSeconds(1), time: time);
        var held = await limiter.AcquireAsync();
        var timesOut = limiter.AcquireAsync();
        await Assert.ThrowsAsync<LimiterRejectedException>(async () => await limiter.AcquireAsync());
        time.Advance(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<LimiterRejectedException>(() => timesOut.Bounded());
        limiter.Dispose();
        await Assert.ThrowsAsync<LimiterRejectedException>(async () => await limiter.AcquireAsync());
        held.Dispose();

        var measurements = rejected.GetMeasurementSnapshot();
        Assert.Equal(3, measurements.Count);
        Assert.All(measurements, m => Assert.Equal("orders", m.Tags[GovernanceMeter.LimiterNameTag]));
        Assert.Equal(
            new[] { "disposed", "queue_full", "queue_timeout" },
            measurements.Select(m => (string)m.Tags[GovernanceMeter.RejectionReasonTag]!).Order().ToArray());
    }

    [Fact]
    public async Task QueueWait_RecordsSecondsWaitedByQueuedCallersOnly()
    {
        var time = new FakeTimeProvider();
        using var queueWait = new MetricCollector<double>(MeterFactory, GovernanceMeter.MeterName, "governance.limiter.queue_wait");
        using var limiter = Create("orders", 1, queueLimit: 1, time: time);
        var held = await limiter.AcquireAsync(); // not queued: not recorded
        var waiter = limiter.AcquireAsync();
        time.Advance(TimeSpan.FromMilliseconds(250));
        held.Dispose();
        (await waiter.Bounded()).Dispose();

        var measurement = Assert.Single(queueWait.GetMeasurementSnapshot());
        Assert.Equal(0.25, measurement.Value, precision: 6);
        Assert.Equal("orders", measurement.Tags[GovernanceMeter.LimiterNameTag]);
    }

    [Fact]
    public async Task Admitted_IsAnObservableCounterOfGrants()
    {
        using var admitted = new MetricCollector<long>(MeterFactory, GovernanceMeter.MeterName, "governance.limiter.admitted");
        using var limiter = Create("orders", 2);
        for (var i = 0; i < 5; i++)
        {
            (await limiter.AcquireAsync()).Dispose();
        }

        admitted.RecordObservableInstruments();
        Assert.Equal(5, Latest(admitted, "orders"));
    }

    [Fact]
    public async Task DisposedLimiter_LeavesTheGauges()
    {
        using var inFlight = new MetricCollector<long>(MeterFactory, GovernanceMeter.MeterName, "governance.limiter.in_flight");
        var limiter = Create("short-lived", 1);
        (await limiter.AcquireAsync()).Dispose();
        limiter.Dispose();

        inFlight.RecordObservableInstruments();
        Assert.DoesNotContain(inFlight.GetMeasurementSnapshot(), m => (string?)m.Tags[GovernanceMeter.LimiterNameTag] == "short-lived");
    }

    [Fact]
    public void ManyLimiters_ShareOneSetOfInstrumentsPerMeter()
    {
        var published = new List<Instrument>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == GovernanceMeter.MeterName && instrument.Meter.Scope == MeterFactory)
                {
                    lock (published)
                    {
                        published.Add(instrument);
                    }
                }
            },
        };
        listener.Start();

        for (var i = 0; i < 20; i++)
        {
            using var limiter = Create($"dynamic-{i}", 1);
        }

        lock (published)
        {
            Assert.Equal(published.Count, published.Select(i => i.Name).Distinct().Count());
            Assert.Contains(published, i => i.Name == "governance.limiter.rejected");
        }
    }

    private static long Latest(MetricCollector<long> collector, string limiterName) =>
        collector.GetMeasurementSnapshot().Last(m => (string?)m.Tags[GovernanceMeter.LimiterNameTag] == limiterName).Value;
}
