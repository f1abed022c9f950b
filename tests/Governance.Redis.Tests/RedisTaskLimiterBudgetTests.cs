namespace Governance.Redis.Tests;

/// <summary>The budget against a running Redis: grants, releases, local FIFO, queue timeout and cancellation while waiting, options.</summary>
public sealed class RedisTaskLimiterBudgetTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    [Fact]
    public async Task Acquire_TakesAClusterPermit_AndDisposeGivesItBack()
    {
        var (limiter, budget) = Cluster.Instance(redis.Server, Cluster.NewKey(), clusterLimit: 3, localLimit: 3);
        await using var _ = budget;
        using var __ = limiter;

        var lease = await limiter.AcquireAsync().AsTask().WaitAsync(Cluster.Bound);
        Assert.True(lease.IsAcquired);
        Assert.True(lease.Lost.CanBeCanceled);
        Assert.Equal(1, budget.HeldByThisInstance);
        Assert.Equal(1, await budget.GetClusterInUseAsync());

        lease.Dispose();
        lease.Dispose(); // Idempotent: the permit is given back once.
        Assert.Equal(0, budget.HeldByThisInstance);
        await Cluster.EventuallyAsync(async () => await budget.GetClusterInUseAsync() == 0, "the release reaches Redis");
        Assert.Equal(0, limiter.GetStatistics().InFlight);
    }

    [Fact]
    public async Task TwoInstances_ShareTheClusterLimit_AndAReleaseWakesTheOtherInstance()
    {
        var key = Cluster.NewKey();
        var (a, budgetA) = Cluster.Instance(redis.Server, key, clusterLimit: 2, localLimit: 2);
        var (b, budgetB) = Cluster.Instance(redis.Server, key, clusterLimit: 2, localLimit: 2);
        await using var _ = budgetA;
        await using var __ = budgetB;
        using var ___ = a;
        using var ____ = b;

        var a1 = await a.AcquireAsync().AsTask().WaitAsync(Cluster.Bound);
        var a2 = await a.AcquireAsync().AsTask().WaitAsync(Cluster.Bound);
        var waiting = b.AcquireAsync().AsTask();
        await Cluster.EventuallyAsync(() => Task.FromResult(b.GetStatistics().InFlight == 1), "b's caller waits for a cluster permit");
        Assert.False(waiting.IsCompleted); // Both local limits have room: only the cluster's holds it back.

        a1.Dispose();
        using var b1 = await waiting.WaitAsync(Cluster.Bound);
        Assert.Equal(2, await budgetA.GetClusterInUseAsync());
        a2.Dispose();
    }

    [Fact]
    public async Task LocalWaiters_GetClusterPermitsFirstComeFirstServed()
    {
        var key = Cluster.NewKey();
        var (other, otherBudget) = Cluster.Instance(redis.Server, key, clusterLimit: 1, localLimit: 1);
        var (limiter, budget) = Cluster.Instance(redis.Server, key, clusterLimit: 1, localLimit: 5);
        await using var _ = otherBudget;
        await using var __ = budget;
        using var ___ = other;
        using var ____ = limiter;

        var blocker = await other.AcquireAsync().AsTask().WaitAsync(Cluster.Bound);
        var order = new List<int>();
        var callers = new List<Task>();
        for (var i = 0; i < 4; i++)
        {
            var id = i;
            callers.Add(Task.Run(async () =>
            {
                using var lease = await limiter.AcquireAsync();
                lock (order)
                {
                    order.Add(id);
                }
            }));
            // Each caller is waiting for the cluster before the next one arrives.
            await Cluster.EventuallyAsync(() => Task.FromResult(limiter.GetStatistics().InFlight == id + 1), $"caller {id} waits");
        }

        blocker.Dispose();
        await Task.WhenAll(callers).WaitAsync(Cluster.Bound);
        Assert.Equal([0, 1, 2, 3], order);
    }

    [Fact]
    public async Task QueueTimeout_BoundsTheWaitForTheCluster_AndGivesTheLocalPermitBack()
    {
        var key = Cluster.NewKey();
        var (other, otherBudget) = Cluster.Instance(redis.Server, key, clusterLimit: 1, localLimit: 1);
        var (limiter, budget) = Cluster.Instance(redis.Server, key, clusterLimit: 1, localLimit: 1, queueTimeout: TimeSpan.FromMilliseconds(300));
        await using var _ = otherBudget;
        await using var __ = budget;
        using var ___ = other;
        using var ____ = limiter;
        using var blocker = await other.AcquireAsync().AsTask().WaitAsync(Cluster.Bound);

        var rejected = await limiter.AcquireOrRejectAsync(1).AsTask().WaitAsync(Cluster.Bound);
        Assert.Equal(LimiterRejectionReason.QueueTimeout, rejected.RejectionReason);
        Assert.Equal(0, limiter.GetStatistics().InFlight);
        Assert.Equal(1, limiter.GetStatistics().RejectedQueueTimeout);
        Assert.Equal(1, await budget.GetClusterInUseAsync());
    }

    [Fact]
    public async Task Cancellation_WhileWaitingForTheCluster_LeavesNothingBehind()
    {
        var key = Cluster.NewKey();
        var (other, otherBudget) = Cluster.Instance(redis.Server, key, clusterLimit: 1, localLimit: 1);
        var (limiter, budget) = Cluster.Instance(redis.Server, key, clusterLimit: 1, localLimit: 1);
        await using var _ = otherBudget;
        await using var __ = budget;
        using var ___ = other;
        using var ____ = limiter;
        var blocker = await other.AcquireAsync().AsTask().WaitAsync(Cluster.Bound);

        using var cancel = new CancellationTokenSource();
        var waiting = limiter.AcquireAsync(cancel.Token).AsTask();
        await Cluster.EventuallyAsync(() => Task.FromResult(limiter.GetStatistics().InFlight == 1), "the caller waits for the cluster");
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Cluster.Bound));
        Assert.Equal(0, limiter.GetStatistics().InFlight);

        // The canceled caller took no cluster permit: the next one gets the blocker's.
        blocker.Dispose();
        using var next = await limiter.AcquireAsync().AsTask().WaitAsync(Cluster.Bound);
        Assert.Equal(1, await budget.GetClusterInUseAsync());
    }

    [Fact]
    public async Task WeightedAcquire_TakesThatManyClusterPermits()
    {
        var (limiter, budget) = Cluster.Instance(redis.Server, Cluster.NewKey(), clusterLimit: 5, localLimit: 5);
        await using var _ = budget;
        using var __ = limiter;
        using var three = await limiter.AcquireAsync(3).AsTask().WaitAsync(Cluster.Bound);
        Assert.Equal(3, await budget.GetClusterInUseAsync());
        Assert.False(limiter.TryAcquire(out var none)); // A limiter with a budget cannot consult it without waiting.
    }

    [Fact]
    public async Task ManyCallers_WithCancellationsAndTimeouts_NeverExceedTheLimit_AndLeaveNothingHeld()
    {
        var key = Cluster.NewKey();
        var instances = Enumerable.Range(0, 2)
            .Select(_ => Cluster.Instance(redis.Server, key, clusterLimit: 3, localLimit: 3, queueTimeout: TimeSpan.FromMilliseconds(200)))
            .ToList();
        var held = 0;
        var maxHeld = 0;
        long granted = 0, rejected = 0, canceled = 0;
        try
        {
            var callers = instances.SelectMany((instance, i) => Enumerable.Range(0, 10).Select(c => Task.Run(async () =>
            {
                var random = new Random(i * 100 + c); // Which callers cancel is fixed; when they do is up to the scheduler.
                for (var n = 0; n < 15; n++)
                {
                    using var cancel = new CancellationTokenSource();
                    if (random.Next(3) == 0)
                    {
                        cancel.CancelAfter(random.Next(1, 20));
                    }

                    try
                    {
                        var lease = await instance.Limiter.AcquireOrRejectAsync(1, cancel.Token);
                        if (!lease.IsAcquired)
                        {
                            Interlocked.Increment(ref rejected);
                            continue;
                        }

                        using (lease)
                        {
                            Interlocked.Increment(ref granted);
                            var now = Interlocked.Increment(ref held);
                            lock (instances)
                            {
                                maxHeld = Math.Max(maxHeld, now);
                            }

                            await Task.Delay(random.Next(0, 5));
                            Interlocked.Decrement(ref held);
                        }
                    }
                    catch (OperationCanceledException)
                    {
                        Interlocked.Increment(ref canceled);
                    }
                }
            }))).ToList();
            await Task.WhenAll(callers).WaitAsync(Cluster.Bound);

            Assert.InRange(maxHeld, 1, 3);
            Assert.True(granted > 0, $"granted {granted}, rejected {rejected}, canceled {canceled}");
            Assert.All(instances, i => Assert.Equal(0, i.Limiter.GetStatistics().InFlight));
            Assert.All(instances, i => Assert.Equal(0, i.Budget.HeldByThisInstance));
            await Cluster.EventuallyAsync(async () => await instances[0].Budget.GetClusterInUseAsync() == 0, "every permit is back in Redis");
        }
        finally
        {
            foreach (var (limiter, budget) in instances)
            {
                limiter.Dispose();
                await budget.DisposeAsync();
            }
        }
    }

    public static TheoryData<Action<RedisTaskLimiterOptions>, string> InvalidOptions => new()
    {
        { o => o.Configuration = null, "Configuration" },
        { o => o.ClusterLimit = 0, "ClusterLimit" },
        { o => o.Key = " ", "Key" },
        { o => o.LeaseExpiry = TimeSpan.FromMilliseconds(50), "LeaseExpiry" },
        { o => o.RenewalInterval = TimeSpan.FromSeconds(30), "RenewalInterval" },
        { o => o.OperationTimeout = TimeSpan.Zero, "OperationTimeout" },
        { o => o.OperationTimeout = TimeSpan.FromSeconds(30), "OperationTimeout" },
        { o => o.RetryAfterFailure = TimeSpan.Zero, "RetryAfterFailure" },
        { o => o.MaxPollInterval = TimeSpan.Zero, "MaxPollInterval" },
        { o => o.FailureMode = (RedisFailureMode)7, "FailureMode" },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void InvalidOptions_AreRejected_NamingTheOption(Action<RedisTaskLimiterOptions> spoil, string option)
    {
        var options = new RedisTaskLimiterOptions { Configuration = "localhost:1", ClusterLimit = 1, LeaseExpiry = TimeSpan.FromSeconds(10) };
        spoil(options);
        var thrown = Assert.ThrowsAny<ArgumentException>(() => new RedisTaskLimiterBudget("bad", options));
        Assert.Contains("RedisTaskLimiterOptions." + option, thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Defaults_AreTheDocumentedOnes()
    {
        var options = new RedisTaskLimiterOptions();
        Assert.Equal(TimeSpan.FromSeconds(30), options.LeaseExpiry);
        Assert.Equal(TimeSpan.FromSeconds(2), options.OperationTimeout);
        Assert.Equal(RedisFailureMode.Closed, options.FailureMode);
        options.Configuration = "localhost:1";
        options.ClusterLimit = 1;
        await using var budget = new RedisTaskLimiterBudget("payments", options);
        Assert.Equal("governance:limiter:{payments}", budget.Key);
    }
}
