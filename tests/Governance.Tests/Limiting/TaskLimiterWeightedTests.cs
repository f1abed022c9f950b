using Governance;
using Microsoft.Extensions.Time.Testing;

namespace Governance.Tests.Limiting;

/// <summary>Weighted permits: Go's <c>semaphore.Weighted</c> semantics on a <see cref="TaskLimiter"/>.</summary>
public sealed class TaskLimiterWeightedTests
{
    private static TaskLimiter Create(int maxConcurrency, int queueLimit = 10, TimeSpan? queueTimeout = null, TimeProvider? time = null) =>
        new(new TaskLimiterOptions
        {
            MaxConcurrency = maxConcurrency,
            QueueLimit = queueLimit,
            QueueTimeout = queueTimeout ?? Timeout.InfiniteTimeSpan,
            TimeProvider = time ?? TimeProvider.System,
            Name = "weighted",
        });

    [Fact]
    public async Task AcquireAsync_Permits_HoldsThatManyUntilTheLeaseIsDisposed()
    {
        using var limiter = Create(5);
        var pending = limiter.AcquireAsync(3);
        Assert.True(pending.IsCompletedSuccessfully);
        var three = await pending;
        Assert.Equal(3, limiter.GetStatistics().InFlight);
        Assert.False(limiter.TryAcquire(3, out _));
        Assert.True(limiter.TryAcquire(2, out var two));
        Assert.Equal(5, limiter.GetStatistics().InFlight);

        three.Dispose();
        three.Dispose(); // A second release gives nothing back twice.
        Assert.Equal(2, limiter.GetStatistics().InFlight);
        two.Dispose();
        Assert.Equal(0, limiter.GetStatistics().InFlight);
        Assert.Equal(2, limiter.GetStatistics().TotalAdmitted);
    }

    [Fact]
    public async Task AcquireAsync_LargeWaiterAtTheHead_HoldsBackSmallerOnesBehindIt()
    {
        using var limiter = Create(4);
        var three = await limiter.AcquireAsync(3);
        var large = limiter.AcquireAsync(4);
        var small = limiter.AcquireAsync(1);

        // One permit is free, but the small request queued behind the large one: first come, first served.
        Assert.False(large.IsCompleted);
        Assert.False(small.IsCompleted);
        Assert.False(limiter.TryAcquire(1, out _));
        Assert.Equal(2, limiter.GetStatistics().Queued);

        three.Dispose();
        Assert.True(large.IsCompleted, "the large waiter gets the whole limit as soon as it is free");
        Assert.False(small.IsCompleted);
        var largeLease = await large.Bounded();
        Assert.Equal(4, limiter.GetStatistics().InFlight);

        largeLease.Dispose();
        (await small.Bounded()).Dispose();
        Assert.Equal(0, limiter.GetStatistics().InFlight);
    }

    [Fact]
    public async Task AcquireAsync_StreamOfSmallRequests_NeverStarvesALargeOne()
    {
        using var limiter = Create(4, queueLimit: 100);
        var held = new Queue<TaskLimiterLease>();
        for (var i = 0; i < 4; i++)
        {
            held.Enqueue(await limiter.AcquireAsync(1));
        }

        var large = limiter.AcquireAsync(4);
        var smalls = new List<Task<TaskLimiterLease>>();

        // Small requests keep arriving and slots keep freeing one at a time; none of them may overtake the large one.
        for (var i = 0; i < 4; i++)
        {
            smalls.Add(limiter.AcquireAsync(1).AsTask());
            held.Dequeue().Dispose();

            // Nobody overtakes the large request: it is granted on the last release, every small one still waits.
            Assert.Equal(i == 3, large.IsCompleted);
            Assert.Equal(smalls.Count + (i == 3 ? 0 : 1), limiter.GetStatistics().Queued);
        }

        (await large.Bounded()).Dispose();
        Assert.Equal(0, limiter.GetStatistics().Queued); // The four small ones fit side by side.
        foreach (var small in smalls)
        {
            (await small.Bounded()).Dispose();
        }

        Assert.Equal(0, limiter.GetStatistics().InFlight);
    }

    [Fact]
    public async Task AcquireAsync_MorePermitsThanTheLimit_IsRejectedAtOnceSayingWhy()
    {
        using var limiter = Create(4);
        var pending = limiter.AcquireAsync(5);
        Assert.True(pending.IsCompleted, "a request that can never be granted must not wait");
        var ex = await Assert.ThrowsAsync<LimiterRejectedException>(async () => await pending);
        Assert.Equal(LimiterRejectionReason.PermitsExceedLimit, ex.Reason);
        Assert.Contains("more permits than the limit", ex.Message, StringComparison.Ordinal);
        Assert.False(limiter.TryAcquire(5, out _));

        var statistics = limiter.GetStatistics();
        Assert.Equal(1, statistics.RejectedPermitsExceedLimit);
        Assert.Equal(1, statistics.TotalRejected);
        Assert.Equal(0, statistics.Queued);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Permits_ZeroOrNegative_Throw(int permits)
    {
        using var limiter = Create(4);
        // Thrown synchronously: a wrong permit count is a bug in the caller, not an outcome to await.
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = limiter.AcquireAsync(permits).AsTask(); });
        Assert.Throws<ArgumentOutOfRangeException>(() => limiter.TryAcquire(permits, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = limiter.RunAsync(permits, _ => Task.CompletedTask); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = limiter.RunAsync(permits, _ => Task.FromResult(1)); });
        Assert.Equal(0, limiter.GetStatistics().TotalAdmitted);
    }

    [Fact]
    public async Task RunAsync_Permits_HoldsThemWhileTheWorkRunsAndGivesThemBack()
    {
        using var limiter = Create(5);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = limiter.RunAsync(4, _ => gate.Task);
        Assert.Equal(4, limiter.GetStatistics().InFlight);
        var result = limiter.RunAsync(2, _ => Task.FromResult(42));
        Assert.False(result.IsCompleted);

        gate.SetResult();
        await running.Bounded();
        Assert.Equal(42, await result.Bounded());
        Assert.Equal(0, limiter.GetStatistics().InFlight);
    }

    [Fact]
    public async Task SetMaxConcurrency_LoweredWhileWeightedLeasesAreHeld_AdmitsOnlyWhatFitsTheNewLimit()
    {
        using var limiter = Create(6);
        var four = await limiter.AcquireAsync(4);
        var two = await limiter.AcquireAsync(2);
        limiter.SetMaxConcurrency(3);
        Assert.Equal(6, limiter.GetStatistics().InFlight);

        var waiter = limiter.AcquireAsync(2);
        four.Dispose();
        Assert.False(waiter.IsCompleted, "2 permits in flight plus 2 more exceed the new limit of 3");
        Assert.False(limiter.TryAcquire(1, out _));

        two.Dispose();
        var granted = await waiter.Bounded();
        Assert.True(limiter.TryAcquire(1, out var one));
        Assert.False(limiter.TryAcquire(1, out _));
        Assert.Equal(3, limiter.GetStatistics().InFlight);

        limiter.SetMaxConcurrency(6);
        Assert.True(limiter.TryAcquire(3, out var three));
        Assert.False(limiter.TryAcquire(1, out _));

        granted.Dispose();
        one.Dispose();
        three.Dispose();
        Assert.Equal(0, limiter.GetStatistics().InFlight);
        Assert.True(limiter.TryAcquire(6, out var all));
        all.Dispose();
    }

    [Fact]
    public async Task SetMaxConcurrency_LoweredBelowAWaitersPermits_RejectsItAndServesTheOnesBehind()
    {
        using var limiter = Create(6);
        var held = await limiter.AcquireAsync(4);
        var large = limiter.AcquireAsync(5);
        var small = limiter.AcquireAsync(2);
        Assert.False(large.IsCompleted);
        Assert.False(small.IsCompleted);

        limiter.SetMaxConcurrency(4);
        var ex = await Assert.ThrowsAsync<LimiterRejectedException>(() => large.Bounded());
        Assert.Equal(LimiterRejectionReason.PermitsExceedLimit, ex.Reason);
        Assert.False(small.IsCompleted, "4 permits in flight leave no room under the new limit of 4");

        held.Dispose();
        (await small.Bounded()).Dispose();
        var statistics = limiter.GetStatistics();
        Assert.Equal(1, statistics.RejectedPermitsExceedLimit);
        Assert.Equal(0, statistics.InFlight);
        Assert.Equal(0, statistics.Queued);
    }

    [Fact]
    public async Task LargeWaiterAtTheHead_Canceled_SmallerOnesBehindItAreServedAtOnce()
    {
        using var limiter = Create(4);
        var held = await limiter.AcquireAsync(2);
        using var cts = new CancellationTokenSource();
        var large = limiter.AcquireAsync(4, cts.Token);
        var small = limiter.AcquireAsync(2);
        Assert.False(small.IsCompleted);

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => large.Bounded());
        var smallLease = await small.Bounded();
        Assert.Equal(4, limiter.GetStatistics().InFlight);
        smallLease.Dispose();
        held.Dispose();
    }

    [Fact]
    public async Task LargeWaiterAtTheHead_TimesOut_SmallerOnesBehindItAreServedAtOnce()
    {
        var time = new FakeTimeProvider();
        using var limiter = Create(4, queueTimeout: TimeSpan.FromSeconds(2), time: time);
        var held = await limiter.AcquireAsync(2);
        var large = limiter.AcquireAsync(4);
        time.Advance(TimeSpan.FromSeconds(1));
        var small = limiter.AcquireAsync(2);
        Assert.False(small.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(1));
        var ex = await Assert.ThrowsAsync<LimiterRejectedException>(() => large.Bounded());
        Assert.Equal(LimiterRejectionReason.QueueTimeout, ex.Reason);
        Assert.True(small.IsCompleted, "the small waiter fits once the large one has left the head");
        (await small.Bounded()).Dispose();
        held.Dispose();
        Assert.Equal(0, limiter.GetStatistics().InFlight);
    }

    [Fact]
    public async Task Dispose_RejectsWeightedWaitersAndLetsHeldLeasesGoBack()
    {
        var limiter = Create(4);
        var held = await limiter.AcquireAsync(3);
        var waiter = limiter.AcquireAsync(2);
        limiter.Dispose();
        var ex = await Assert.ThrowsAsync<LimiterRejectedException>(() => waiter.Bounded());
        Assert.Equal(LimiterRejectionReason.Disposed, ex.Reason);
        held.Dispose();
        Assert.Equal(0, limiter.GetStatistics().InFlight);
    }

    [Fact]
    public async Task AcquireOrRejectAsync_Rejections_ComeBackAsLeasesThatSayWhy()
    {
        var time = new FakeTimeProvider();
        using var limiter = Create(2, queueLimit: 1, queueTimeout: TimeSpan.FromSeconds(1), time: time);
        var granted = await limiter.AcquireOrRejectAsync(2);
        Assert.True(granted.IsAcquired);
        Assert.Null(granted.RejectionReason);

        var tooMany = await limiter.AcquireOrRejectAsync(3);
        Assert.False(tooMany.IsAcquired);
        Assert.Equal(LimiterRejectionReason.PermitsExceedLimit, tooMany.RejectionReason);

        var waiting = limiter.AcquireOrRejectAsync(1);
        var full = await limiter.AcquireOrRejectAsync(1);
        Assert.Equal(LimiterRejectionReason.QueueFull, full.RejectionReason);
        time.Advance(TimeSpan.FromSeconds(1));
        var timedOut = await waiting.Bounded();
        Assert.False(timedOut.IsAcquired);
        Assert.Equal(LimiterRejectionReason.QueueTimeout, timedOut.RejectionReason);

        tooMany.Dispose(); // A rejection holds nothing; disposing it gives nothing back.
        Assert.Equal(2, limiter.GetStatistics().InFlight);
        granted.Dispose();
        Assert.True(granted.IsAcquired, "disposing does not change whether the lease was granted");
        Assert.Equal(0, limiter.GetStatistics().InFlight);
        Assert.False(default(TaskLimiterLease).IsAcquired);
        Assert.Null(default(TaskLimiterLease).RejectionReason);
        Assert.Equal(3, limiter.GetStatistics().TotalRejected);
    }

    [Fact]
    public void TimeProviderAndMeterFactory_AreTheOnesTheLimiterWasCreatedWith()
    {
        var time = new FakeTimeProvider();
        using var limiter = Create(1, time: time);
        Assert.Same(time, limiter.TimeProvider);
        Assert.Null(limiter.MeterFactory);
    }
}
