using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Governance.Tests.Diagnostics;

/// <summary>Tests that starve the whole thread pool on purpose; they run alone so that no other test waits behind them.</summary>
[CollectionDefinition(nameof(ThreadPoolStarvation), DisableParallelization = true)]
public sealed class ThreadPoolStarvation;

/// <summary>
/// What is measured on which clock: the probe's pace (its interval) comes from the <see cref="TimeProvider"/>, so these
/// tests drive it with a <see cref="FakeTimeProvider"/>; the dispatch delay itself is real time on the real thread
/// pool, so the starvation test holds the pool with real blocking work and asserts a lower bound on the delay.
/// </summary>
[Collection(nameof(ThreadPoolStarvation))]
public sealed class ThreadPoolDispatchProbeTests
{
    [Fact]
    public async Task EachInterval_OfTheTimeProvider_QueuesOneProbe_RecordedInTheHistogram()
    {
        var time = new FakeTimeProvider();
        await using var probe = new ThreadPoolDispatchProbe(new ThreadPoolDispatchProbeOptions { Interval = TimeSpan.FromSeconds(5), TimeProvider = time });
        using var collector = new MetricCollector<double>(null, GovernanceMeter.MeterName, "governance.threadpool.dispatch_delay");
        await probe.StartAsync(CancellationToken.None);
        Assert.Null(probe.GetPercentile(0.99));

        time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(0, probe.Samples); // not yet due

        time.Advance(TimeSpan.FromSeconds(1));
        await collector.WaitForMeasurementsAsync(1).Bounded();
        time.Advance(TimeSpan.FromSeconds(5));
        await collector.WaitForMeasurementsAsync(2).Bounded();

        Assert.Equal(2, probe.Samples);
        Assert.All(collector.GetMeasurementSnapshot(), m => Assert.True(m.Value >= 0));
        Assert.NotNull(probe.GetPercentile(0.99));

        await probe.StopAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(2, probe.Samples);
    }

    [Fact]
    public async Task StarvedPool_TheDelayRises_AndFallsBackOnceThePoolIsFree()
    {
        await using var probe = new ThreadPoolDispatchProbe(new ThreadPoolDispatchProbeOptions());
        var healthy = await probe.ProbeOnceAsync().Bounded();

        // Every pool thread blocks, and many more blocking items wait behind them: the probe queued after them cannot
        // start until they are released, however many threads the pool injects meanwhile.
        using var release = new ManualResetEventSlim();
        var blockers = ThreadPool.ThreadCount + 200;
        for (var i = 0; i < blockers; i++)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static gate => gate.Wait(), release, preferLocal: false);
        }

        // The pool is held by a dedicated thread (pool threads are all blocked) for at least 400 ms of real time after
        // the probe is queued, timed with its own stopwatch: the probe cannot start before the release, so its delay is
        // at least the time held, whatever the machine's speed. No sleep decides anything here.
        var starved = probe.ProbeOnceAsync();
        var held = Stopwatch.StartNew(); // started after the probe was queued: its delay spans the whole hold
        var hold = TimeSpan.FromMilliseconds(400);
        var heldFor = TimeSpan.Zero;
        var releaser = new Thread(() =>
        {
            using var nobodySets = new ManualResetEventSlim();
            nobodySets.Wait(hold);
            heldFor = held.Elapsed;
            release.Set();
        });
        releaser.Start();
        var starvedDelay = await starved.Bounded();
        releaser.Join();

        Assert.True(starvedDelay >= heldFor, $"starved delay {starvedDelay.TotalMilliseconds} ms, pool held {heldFor.TotalMilliseconds} ms");
        Assert.True(starvedDelay >= TimeSpan.FromMilliseconds(200), $"starved delay {starvedDelay.TotalMilliseconds} ms");
        Assert.True(starvedDelay > healthy, $"starved {starvedDelay.TotalMilliseconds} ms, healthy {healthy.TotalMilliseconds} ms");
        Assert.True(probe.GetPercentile(1.0) >= TimeSpan.FromMilliseconds(200));
        Assert.True(probe.GetPercentile(0.0) < TimeSpan.FromMilliseconds(200));
    }

    [Theory]
    [InlineData(44_746)]   // 0.0044746 s * 10^7 is 44745.99999...: truncating it loses a tick
    [InlineData(1)]
    [InlineData(12_345_678_901)]
    public async Task Percentile_IsTheRecordedDelay_ToTheTick(long ticks)
    {
        await using var probe = new ThreadPoolDispatchProbe(new ThreadPoolDispatchProbeOptions());

        probe.Record(TimeSpan.FromTicks(ticks), paced: false);

        Assert.Equal(TimeSpan.FromTicks(ticks), probe.GetPercentile(0.99));
    }

    [Theory]
    [InlineData(0, 10, "Interval")]
    [InlineData(-1, 10, "Interval")]
    [InlineData(1000, 0, "Window")]
    public void InvalidOptions_ThrowNamingTheOption(int intervalMs, int window, string option)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => new ThreadPoolDispatchProbe(new ThreadPoolDispatchProbeOptions
        {
            Interval = TimeSpan.FromMilliseconds(intervalMs),
            Window = window,
        }));
        Assert.Contains(option, ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ThreadPoolDispatchProbe(new ThreadPoolDispatchProbeOptions()).GetPercentile(1.5));
    }

    [Fact]
    public async Task AddThreadPoolDispatchProbe_RunsOneProbeForTheLifeOfTheHost()
    {
        var time = new FakeTimeProvider();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddThreadPoolDispatchProbe(o => { o.Interval = TimeSpan.FromSeconds(1); o.TimeProvider = time; });
        builder.Services.AddThreadPoolDispatchProbe();
        using var host = builder.Build();
        await host.StartAsync().Bounded();
        var probe = host.Services.GetRequiredService<ThreadPoolDispatchProbe>();
        Assert.Single(host.Services.GetServices<IHostedService>(), s => s.GetType().Name == "DispatchProbeHostedService");

        time.Advance(TimeSpan.FromSeconds(1)); // the host started the probe: its timer queues one
        Assert.True(SpinWait.SpinUntil(() => probe.Samples >= 1, TaskTestExtensions.Limit));
        await host.StopAsync().Bounded();
    }
}
