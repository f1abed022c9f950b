using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Governance.Redis.Tests;

/// <summary>Redis stopped mid-run (both failure modes, nothing hangs), Redis restarted (the limiter recovers), lost leases.</summary>
/// <remarks>Each test has a server of its own: they stop it.</remarks>
public sealed class RedisFailureTests
{
    /// <summary>How long any one answer may take with Redis down: the operation timeout (500 ms here) and a generous allowance.</summary>
    private static readonly TimeSpan s_noHang = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task RedisStopped_FailureModeClosed_RejectsWithUnavailable_AndNothingHangs()
    {
        await using var server = await RedisServer.StartAsync();
        var (limiter, budget) = Cluster.Instance(server, Cluster.NewKey(), clusterLimit: 1, localLimit: 5);
        await using var _ = budget;
        using var __ = limiter;
        var held = await limiter.AcquireAsync().AsTask().WaitAsync(Cluster.Bound);

        // A caller waiting for the cluster's only permit when Redis goes away.
        var waiting = limiter.AcquireOrRejectAsync(1).AsTask();
        await Cluster.EventuallyAsync(() => Task.FromResult(limiter.GetStatistics().InFlight == 2), "the second caller waits for the cluster permit");
        await server.StopAsync();

        var waited = await waiting.WaitAsync(s_noHang);
        Assert.Equal(LimiterRejectionReason.Unavailable, waited.RejectionReason);

        var clock = Stopwatch.StartNew();
        var later = await limiter.AcquireOrRejectAsync(1).AsTask().WaitAsync(s_noHang);
        Assert.Equal(LimiterRejectionReason.Unavailable, later.RejectionReason);
        var thrown = await Assert.ThrowsAsync<LimiterRejectedException>(() => limiter.AcquireAsync().AsTask().WaitAsync(s_noHang));
        Assert.Equal(LimiterRejectionReason.Unavailable, thrown.Reason);
        Assert.True(clock.Elapsed < s_noHang, $"Two rejections took {clock.Elapsed.TotalSeconds:F1} s.");

        Assert.True(budget.IsDegraded);
        var statistics = limiter.GetStatistics();
        Assert.True(statistics.RejectedUnavailable >= 3, $"RejectedUnavailable = {statistics.RejectedUnavailable}");
        Assert.Equal(1, statistics.InFlight); // Rejected callers gave their local permits back; the held lease keeps its own.
        held.Dispose();
        Assert.Equal(0, limiter.GetStatistics().InFlight);
    }

    [Fact]
    public async Task RedisStopped_FailureModeOpen_AdmitsOnTheLocalLimitAlone_AndSaysSo()
    {
        await using var server = await RedisServer.StartAsync();
        using var meterFactory = new TestMeterFactory();
        using var degraded = new MetricCollector<long>(meterFactory, GovernanceMeter.MeterName, "governance.limiter.cluster.degraded");
        using var fallbacks = new MetricCollector<long>(meterFactory, GovernanceMeter.MeterName, "governance.limiter.cluster.fallbacks");
        using var errors = new MetricCollector<long>(meterFactory, GovernanceMeter.MeterName, "governance.limiter.cluster.errors");
        var budget = new RedisTaskLimiterBudget("open", Cluster.Options(server, Cluster.NewKey(), 1, o => o.FailureMode = RedisFailureMode.Open), meterFactory: meterFactory);
        await using var _ = budget;
        using var limiter = new TaskLimiter(new TaskLimiterOptions { Name = "open", MaxConcurrency = 2, QueueLimit = 0, Budget = budget });

        await server.StopAsync();

        // The local limit (2) still holds; the cluster's (1) cannot be consulted.
        var first = await limiter.AcquireOrRejectAsync(1).AsTask().WaitAsync(s_noHang);
        var second = await limiter.AcquireOrRejectAsync(1).AsTask().WaitAsync(s_noHang);
        var third = await limiter.AcquireOrRejectAsync(1).AsTask().WaitAsync(s_noHang);
        Assert.True(first.IsAcquired);
        Assert.True(second.IsAcquired);
        Assert.Equal(LimiterRejectionReason.QueueFull, third.RejectionReason);
        Assert.False(first.Lost.CanBeCanceled); // Local-only permits cannot be lost.

        Assert.True(budget.IsDegraded);
        degraded.RecordObservableInstruments();
        Assert.Equal(1, degraded.LastMeasurement!.Value);
        Assert.Equal(2, fallbacks.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Contains(errors.GetMeasurementSnapshot(), m => m.Tags.ContainsKey("governance.redis.error"));
        first.Dispose();
        second.Dispose();
    }

    [Fact]
    public async Task RedisHangs_CallsTimeOut_CallersAreRejected_AndItRecoversWhenRedisAnswersAgain()
    {
        await using var server = await RedisServer.StartAsync();
        var (limiter, budget) = Cluster.Instance(server, Cluster.NewKey(), clusterLimit: 2, localLimit: 2,
            configure: o => o.OperationTimeout = TimeSpan.FromMilliseconds(500));
        await using var _ = budget;
        using var __ = limiter;
        (await limiter.AcquireAsync().AsTask().WaitAsync(Cluster.Bound)).Dispose();

        await server.PauseAsync();
        try
        {
            // Redis accepts nothing and answers nothing: only the operation timeout ends the call.
            var clock = Stopwatch.StartNew();
            var rejected = await limiter.AcquireOrRejectAsync(1).AsTask().WaitAsync(s_noHang);
            Assert.Equal(LimiterRejectionReason.Unavailable, rejected.RejectionReason);
            Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(400), $"Rejected after {clock.Elapsed.TotalMilliseconds:F0} ms: before the operation timeout?");
            Assert.True(budget.IsDegraded);
            Assert.Equal(0, limiter.GetStatistics().InFlight);
        }
        finally
        {
            await server.ResumeAsync();
        }

        TaskLimiterLease lease = default;
        await Cluster.EventuallyAsync(async () =>
        {
            lease = await limiter.AcquireOrRejectAsync(1).AsTask().WaitAsync(s_noHang);
            return lease.IsAcquired;
        }, "a permit is granted again once Redis answers");
        lease.Dispose();
        Assert.False(budget.IsDegraded);
    }

    [Fact]
    public async Task RedisRestarted_TheLimiterRecovers()
    {
        await using var server = await RedisServer.StartAsync();
        var (limiter, budget) = Cluster.Instance(server, Cluster.NewKey(), clusterLimit: 2, localLimit: 2);
        await using var _ = budget;
        using var __ = limiter;
        (await limiter.AcquireAsync().AsTask().WaitAsync(Cluster.Bound)).Dispose();

        await server.StopAsync();
        Assert.Equal(LimiterRejectionReason.Unavailable, (await limiter.AcquireOrRejectAsync(1).AsTask().WaitAsync(s_noHang)).RejectionReason);

        await server.StartAgainAsync();
        TaskLimiterLease lease = default;
        await Cluster.EventuallyAsync(async () =>
        {
            lease = await limiter.AcquireOrRejectAsync(1).AsTask().WaitAsync(s_noHang);
            return lease.IsAcquired;
        }, "a permit is granted again once Redis is back");
        Assert.False(budget.IsDegraded);
        Assert.Equal(1, await budget.GetClusterInUseAsync());
        lease.Dispose();
        await Cluster.EventuallyAsync(async () => await budget.GetClusterInUseAsync() == 0, "the release reaches the restarted Redis");
    }

    [Fact]
    public async Task LeaseLostInRedis_FiresTheHoldersToken_AndIsCounted()
    {
        await using var server = await RedisServer.StartAsync();
        using var meterFactory = new TestMeterFactory();
        using var lost = new MetricCollector<long>(meterFactory, GovernanceMeter.MeterName, "governance.limiter.cluster.lost_leases");
        var key = Cluster.NewKey();
        var budget = new RedisTaskLimiterBudget("lost", Cluster.Options(server, key, 3, o => o.RenewalInterval = TimeSpan.FromMilliseconds(100)), meterFactory: meterFactory);
        await using var _ = budget;
        using var limiter = new TaskLimiter(new TaskLimiterOptions { Name = "lost", MaxConcurrency = 3, Budget = budget });
        using var lease = await limiter.AcquireAsync().AsTask().WaitAsync(Cluster.Bound);
        Assert.True(lease.Lost.CanBeCanceled);
        Assert.False(lease.Lost.IsCancellationRequested);

        // Redis restarted without persistence: the lease is gone, and the next renewal finds out.
        await server.StopAsync();
        await server.StartAgainAsync();

        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = lease.Lost.Register(() => fired.TrySetResult());
        await fired.Task.WaitAsync(Cluster.Bound);
        Assert.Equal(0, budget.HeldByThisInstance);
        Assert.Equal(1, lost.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    [Fact]
    public async Task RedisNeverReachable_FailureModeClosed_RejectsWithinTheOperationTimeout()
    {
        await using var server = await RedisServer.StartAsync();
        var configuration = server.Configuration;
        await server.StopAsync();
        var budget = new RedisTaskLimiterBudget("never", new RedisTaskLimiterOptions
        {
            Configuration = configuration,
            ClusterLimit = 1,
            OperationTimeout = TimeSpan.FromMilliseconds(300),
        });
        await using var _ = budget;
        using var limiter = new TaskLimiter(new TaskLimiterOptions { Name = "never", MaxConcurrency = 1, Budget = budget });

        var rejected = await limiter.AcquireOrRejectAsync(1).AsTask().WaitAsync(s_noHang);
        Assert.Equal(LimiterRejectionReason.Unavailable, rejected.RejectionReason);
        Assert.Equal(0, limiter.GetStatistics().InFlight);
    }
}

/// <summary>An <see cref="IMeterFactory"/> of the test's own, so that its metrics see no other test's.</summary>
internal sealed class TestMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        lock (_meters)
        {
            if (_meters.FirstOrDefault(m => m.Name == options.Name) is { } existing)
            {
                return existing;
            }

            var meter = new Meter(options.Name, options.Version, options.Tags, this);
            _meters.Add(meter);
            return meter;
        }
    }

    public void Dispose()
    {
        lock (_meters)
        {
            foreach (var meter in _meters)
            {
                meter.Dispose();
            }

            _meters.Clear();
        }
    }
}
