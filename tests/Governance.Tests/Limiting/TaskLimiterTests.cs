using Governance;
using Microsoft.Extensions.Time.Testing;

namespace Governance.Tests.Limiting;

public sealed class TaskLimiterTests
{
    private static TaskLimiter Create(int maxConcurrency, int queueLimit = 0, TimeSpan? queueTimeout = null, TimeProvider? time = null) =>
        new(new TaskLimiterOptions
        {
            MaxConcurrency = maxConcurrency,
            QueueLimit = queueLimit,
            QueueTimeout = queueTimeout ?? Timeout.InfiniteTimeSpan,
            TimeProvider = time ?? TimeProvider.System,
            Name = "test",
        });

    [Fact]
    public async Task AcquireAsync_SlotFree_CompletesSynchronously()
    {
        using var limiter = Create(2);
        var pending = limiter.AcquireAsync();
        Assert.True(pending.IsCompletedSuccessfully);
        using var lease = await pending;
        Assert.Equal(1, limiter.GetStatistics().InFlight);
    }

    [Fact]
    public async Task Lease_Dispose_GivesTheSlotBack()
    {
        using var limiter = Create(1);
        var lease = await limiter.AcquireAsync();
        Assert.False(limiter.TryAcquire(out _));
        lease.Dispose();
        Assert.True(limiter.TryAcquire(out var second));
        second.Dispose();
        Assert.Equal(0, limiter.GetStatistics().InFlight);
    }

    [Fact]
    public async Task AcquireAsync_AllSlotsTakenAndNoQueue_RejectsWithQueueFull()
    {
        using var limiter = Create(1, queueLimit: 0);
        using var held = await limiter.AcquireAsync();
        var ex = await Assert.ThrowsAsync<LimiterRejectedException>(async () => await limiter.AcquireAsync());
        Assert.Equal(LimiterRejectionReason.QueueFull, ex.Reason);
        Assert.Equal("test", ex.LimiterName);
        Assert.Contains("queue is full", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, limiter.GetStatistics().RejectedQueueFull);
    }

    [Fact]
    public async Task AcquireAsync_QueueAtItsLimit_RejectsTheNextCallerWithQueueFull()
    {
        using var limiter = Create(1, queueLimit: 2);
        using var held = await limiter.AcquireAsync();
        var first = limiter.AcquireAsync();
        var second = limiter.AcquireAsync();
        var ex = await Assert.ThrowsAsync<LimiterRejectedException>(async () => await limiter.AcquireAsync());
        Assert.Equal(LimiterRejectionReason.QueueFull, ex.Reason);
        Assert.False(first.IsCompleted);
        Assert.False(second.IsCompleted);
        Assert.Equal(2, limiter.GetStatistics().Queued);
        limiter.Dispose();
        await Assert.ThrowsAsync<LimiterRejectedException>(() => first.Bounded());
        await Assert.ThrowsAsync<LimiterRejectedException>(() => second.Bounded());
    }

    [Fact]
    public async Task AcquireAsync_Waiters_AreServedFirstComeFirstServed()
    {
        using var limiter = Create(1, queueLimit: 10);
        var held = await limiter.AcquireAsync();
        var waiters = Enumerable.Range(0, 6).Select(_ => limiter.AcquireAsync()).ToArray();

        for (var i = 0; i < waiters.Length; i++)
        {
            held.Dispose();

            // The release signals exactly the oldest waiter, synchronously; the others stay queued.
            Assert.True(waiters[i].IsCompleted, $"waiter {i} should have been admitted");
            for (var j = i + 1; j < waiters.Length; j++)
            {
                Assert.False(waiters[j].IsCompleted, $"waiter {j} was admitted before waiter {i}");
            }

            held = await waiters[i].Bounded();
        }

        held.Dispose();
        Assert.Equal(0, limiter.GetStatistics().InFlight);
    }

    [Fact]
    public async Task AcquireAsync_CallersQueued_NewCallerDoesNotJumpTheQueue()
    {
        using var limiter = Create(1, queueLimit: 10);
        var held = await limiter.AcquireAsync();
        var waiter = limiter.AcquireAsync();

        Assert.False(limiter.TryAcquire(out _));
        held.Dispose();

        // The freed slot went to the waiter, not to a caller arriving afterwards.
        Assert.False(limiter.TryAcquire(out _));
        (await waiter.Bounded()).Dispose();
        Assert.True(limiter.TryAcquire(out var late));
        late.Dispose();
    }

    [Fact]
    public async Task AcquireAsync_QueueTimeoutPasses_RejectsWithQueueTimeout()
    {
        var time = new FakeTimeProvider();
        using var limiter = Create(1, queueLimit: 5, queueTimeout: TimeSpan.FromSeconds(2), time: time);
        using var held = await limiter.AcquireAsync();
        var waiter = limiter.AcquireAsync();

        time.Advance(TimeSpan.FromSeconds(2) - TimeSpan.FromTicks(1));
        Assert.False(waiter.IsCompleted);

        time.Advance(TimeSpan.FromTicks(1));
        var ex = await Assert.ThrowsAsync<LimiterRejectedException>(() => waiter.Bounded());
        Assert.Equal(LimiterRejectionReason.QueueTimeout, ex.Reason);
        var statistics = limiter.GetStatistics();
        Assert.Equal(1, statistics.RejectedQueueTimeout);
        Assert.Equal(0, statistics.Queued);
        Assert.Equal(1, statistics.InFlight);
    }

    [Fact]
    public async Task AcquireAsync_WaitersEnqueuedAtDifferentTimes_EachTimesOutAtItsOwnDeadline()
    {
        var time = new FakeTimeProvider();
        using var limiter = Create(1, queueLimit: 5, queueTimeout: TimeSpan.FromSeconds(2), time: time);
        using var held = await limiter.AcquireAsync();
        var first = limiter.AcquireAsync();
        time.Advance(TimeSpan.FromSeconds(1));
        var second = limiter.AcquireAsync();

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(LimiterRejectionReason.QueueTimeout, (await Assert.ThrowsAsync<LimiterRejectedException>(() => first.Bounded())).Reason);
        Assert.False(second.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(LimiterRejectionReason.QueueTimeout, (await Assert.ThrowsAsync<LimiterRejectedException>(() => second.Bounded())).Reason);
    }

    [Fact]
    public async Task AcquireAsync_SlotFreedBeforeTheTimeout_IsGrantedAndNeverTimesOut()
    {
        var time = new FakeTimeProvider();
        using var limiter = Create(1, queueLimit: 5, queueTimeout: TimeSpan.FromSeconds(2), time: time);
        var held = await limiter.AcquireAsync();
        var first = limiter.AcquireAsync();
        time.Advance(TimeSpan.FromSeconds(1.5));
        var second = limiter.AcquireAsync();
        held.Dispose();
        using var granted = await first.Bounded();

        // The timer was armed for the first waiter's deadline; it must now serve the second one's.
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(second.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(LimiterRejectionReason.QueueTimeout, (await Assert.ThrowsAsync<LimiterRejectedException>(() => second.Bounded())).Reason);
        Assert.Equal(1, limiter.GetStatistics().RejectedQueueTimeout);
    }

    [Fact]
    public async Task AcquireAsync_InfiniteQueueTimeout_WaitsUntilASlotFrees()
    {
        var time = new FakeTimeProvider();
        using var limiter = Create(1, queueLimit: 1, time: time);
        var held = await limiter.AcquireAsync();
        var waiter = limiter.AcquireAsync();
        time.Advance(TimeSpan.FromDays(365));
        Assert.False(waiter.IsCompleted);
        held.Dispose();
        (await waiter.Bounded()).Dispose();
    }

    [Fact]
    public async Task AcquireAsync_WaiterCanceled_LeavesTheQueueAndThrowsOperationCanceled()
    {
        using var limiter = Create(1, queueLimit: 5);
        var held = await limiter.AcquireAsync();
        using var cts = new CancellationTokenSource();
        var canceled = limiter.AcquireAsync(cts.Token);
        var next = limiter.AcquireAsync();
        Assert.Equal(2, limiter.GetStatistics().Queued);

        await cts.CancelAsync();
        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => canceled.Bounded());
        Assert.Equal(cts.Token, ex.CancellationToken);
        Assert.Equal(1, limiter.GetStatistics().Queued);
        Assert.Equal(1, limiter.GetStatistics().TotalCanceled);

        // The canceled waiter took nothing with it: the next release goes to the next waiter.
        held.Dispose();
        (await next.Bounded()).Dispose();
        var statistics = limiter.GetStatistics();
        Assert.Equal(0, statistics.InFlight);
        Assert.Equal(0, statistics.Queued);
        Assert.True(limiter.TryAcquire(out var lease));
        lease.Dispose();
    }

    [Fact]
    public async Task AcquireAsync_TokenAlreadyCanceled_ThrowsEvenWithAFreeSlot()
    {
        using var limiter = Create(1);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await limiter.AcquireAsync(cts.Token));
        Assert.Equal(0, limiter.GetStatistics().InFlight);
        Assert.Equal(0, limiter.GetStatistics().TotalAdmitted);
    }

    [Fact]
    public async Task AcquireAsync_CanceledAfterBeingGranted_KeepsTheLease()
    {
        using var limiter = Create(1, queueLimit: 1);
        var held = await limiter.AcquireAsync();
        using var cts = new CancellationTokenSource();
        var waiter = limiter.AcquireAsync(cts.Token);
        held.Dispose();
        var lease = await waiter.Bounded();
        await cts.CancelAsync();
        Assert.Equal(1, limiter.GetStatistics().InFlight);
        lease.Dispose();
        Assert.Equal(0, limiter.GetStatistics().InFlight);
    }

    [Fact]
    public async Task SetMaxConcurrency_Raised_AdmitsQueuedWaitersAtOnce()
    {
        using var limiter = Create(1, queueLimit: 10);
        using var held = await limiter.AcquireAsync();
        var waiters = Enumerable.Range(0, 4).Select(_ => limiter.AcquireAsync()).ToArray();

        limiter.SetMaxConcurrency(4);

        Assert.True(waiters[0].IsCompleted && waiters[1].IsCompleted && waiters[2].IsCompleted);
        Assert.False(waiters[3].IsCompleted);
        Assert.Equal(4, limiter.GetStatistics().InFlight);
        Assert.Equal(1, limiter.GetStatistics().Queued);
        foreach (var waiter in waiters.Take(3))
        {
            (await waiter.Bounded()).Dispose();
        }

        (await waiters[3].Bounded()).Dispose();
    }

    [Fact]
    public async Task SetMaxConcurrency_Lowered_LetsInFlightWorkFinishAndAdmitsOnlyBelowTheNewLimit()
    {
        using var limiter = Create(4, queueLimit: 10);
        var leases = new List<TaskLimiterLease>();
        for (var i = 0; i < 4; i++)
        {
            leases.Add(await limiter.AcquireAsync());
        }

        limiter.SetMaxConcurrency(2);
        Assert.Equal(4, limiter.GetStatistics().InFlight);
        var waiter = limiter.AcquireAsync();

        leases[0].Dispose(); // 3 in flight, limit 2
        Assert.False(waiter.IsCompleted);
        leases[1].Dispose(); // 2 in flight, limit 2
        Assert.False(waiter.IsCompleted);
        leases[2].Dispose(); // 1 in flight: below the limit
        var admitted = await waiter.Bounded();
        Assert.Equal(2, limiter.GetStatistics().InFlight);
        Assert.False(limiter.TryAcquire(out _));

        admitted.Dispose();
        leases[3].Dispose();
        var statistics = limiter.GetStatistics();
        Assert.Equal(0, statistics.InFlight);
        Assert.Equal(2, statistics.MaxConcurrency);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void SetMaxConcurrency_NotPositive_Throws(int value)
    {
        using var limiter = Create(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => limiter.SetMaxConcurrency(value));
    }

    [Fact]
    public void SetMaxConcurrency_AfterDispose_ThrowsObjectDisposed()
    {
        var limiter = Create(1);
        limiter.Dispose();
        Assert.Throws<ObjectDisposedException>(() => limiter.SetMaxConcurrency(2));
    }

    [Fact]
    public async Task Lease_DisposedTwice_ReleasesOneSlot()
    {
        using var limiter = Create(2);
        var first = await limiter.AcquireAsync();
        using var second = await limiter.AcquireAsync();
        first.Dispose();
        first.Dispose();
        Assert.Equal(1, limiter.GetStatistics().InFlight);
    }

    [Fact]
    public async Task Lease_CopyDisposedAfterTheSlotWasReused_ReleasesNothing()
    {
        using var limiter = Create(1);
        var original = await limiter.AcquireAsync();
        var copy = original;
        original.Dispose();

        // The next lease reuses the same internal ticket on this thread: a stale copy must not release it.
        var next = await limiter.AcquireAsync();
        copy.Dispose();
        Assert.Equal(1, limiter.GetStatistics().InFlight);
        Assert.False(limiter.TryAcquire(out _));
        next.Dispose();
        Assert.Equal(0, limiter.GetStatistics().InFlight);
    }

    [Fact]
    public async Task Lease_CopiesDisposedConcurrently_ReleaseOneSlot()
    {
        using var limiter = Create(2);
        for (var round = 0; round < 200; round++)
        {
            using var other = await limiter.AcquireAsync();
            var lease = await limiter.AcquireAsync();
            var copy = lease;
            using var start = new Barrier(2);
            var a = Task.Run(() => { start.SignalAndWait(); lease.Dispose(); });
            var b = Task.Run(() => { start.SignalAndWait(); copy.Dispose(); });
            await Task.WhenAll(a, b).Bounded();
            Assert.Equal(1, limiter.GetStatistics().InFlight);
        }
    }

    [Fact]
    public void DefaultLease_Dispose_DoesNothing()
    {
        using var limiter = Create(1);
        default(TaskLimiterLease).Dispose();
        Assert.Equal(0, limiter.GetStatistics().InFlight);
    }

    [Fact]
    public async Task Dispose_RejectsQueuedWaitersKeepsLeasesValidAndRejectsLaterAcquires()
    {
        var limiter = Create(1, queueLimit: 3);
        var held = await limiter.AcquireAsync();
        var waiters = Enumerable.Range(0, 3).Select(_ => limiter.AcquireAsync()).ToArray();

        await limiter.DisposeAsync();

        foreach (var waiter in waiters)
        {
            var ex = await Assert.ThrowsAsync<LimiterRejectedException>(() => waiter.Bounded());
            Assert.Equal(LimiterRejectionReason.Disposed, ex.Reason);
        }

        Assert.Equal(1, limiter.GetStatistics().InFlight);
        held.Dispose();
        Assert.Equal(0, limiter.GetStatistics().InFlight);

        var later = await Assert.ThrowsAsync<LimiterRejectedException>(async () => await limiter.AcquireAsync());
        Assert.Equal(LimiterRejectionReason.Disposed, later.Reason);
        Assert.False(limiter.TryAcquire(out _));
        Assert.Equal(4, limiter.GetStatistics().RejectedDisposed);
        limiter.Dispose(); // idempotent
    }

    [Fact]
    public async Task RunAsync_BothDelegateShapes_CompileWithoutCastsAndRun()
    {
        using var limiter = Create(2);
        using var http = new HttpClient(new StubHandler());
        var url = new Uri("http://example.test/orders");
        var token = CancellationToken.None;

        using var response = await limiter.RunAsync(ct => http.GetAsync(url, ct), token);
        await limiter.RunAsync(async ct => { await Task.Delay(10, ct); }, token);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, limiter.GetStatistics().TotalAdmitted);
        Assert.Equal(0, limiter.GetStatistics().InFlight);
    }

    [Fact]
    public async Task RunAsync_WorkHoldsTheSlotUntilItCompletes()
    {
        using var limiter = Create(1);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = limiter.RunAsync(_ => gate.Task);
        Assert.Equal(1, limiter.GetStatistics().InFlight);
        gate.SetResult();
        await running.Bounded();
        Assert.Equal(0, limiter.GetStatistics().InFlight);
    }

    [Fact]
    public async Task RunAsync_WorkThrows_ReleasesTheSlotAndPropagates()
    {
        using var limiter = Create(1);
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            limiter.RunAsync(async _ => { await Task.Yield(); throw new InvalidOperationException("boom"); }));
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            limiter.RunAsync<int>(_ => throw new InvalidOperationException("synchronous boom")));
        Assert.Equal(0, limiter.GetStatistics().InFlight);
    }

    [Fact]
    public async Task RunAsync_WorkCanceled_ReleasesTheSlot()
    {
        using var limiter = Create(1);
        using var cts = new CancellationTokenSource();
        var running = limiter.RunAsync(ct => Task.Delay(Timeout.Infinite, ct), cts.Token);
        Assert.Equal(1, limiter.GetStatistics().InFlight);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.Bounded());
        Assert.Equal(0, limiter.GetStatistics().InFlight);
    }

    [Fact]
    public async Task RunAsync_Rejected_DoesNotRunTheWork()
    {
        using var limiter = Create(1);
        using var held = await limiter.AcquireAsync();
        var ran = false;
        var ex = await Assert.ThrowsAsync<LimiterRejectedException>(() => limiter.RunAsync(_ => { ran = true; return Task.FromResult(1); }));
        Assert.Equal(LimiterRejectionReason.QueueFull, ex.Reason);
        Assert.False(ran);
    }

    [Fact]
    public async Task RunAsync_NullWork_Throws()
    {
        using var limiter = Create(1);
        await Assert.ThrowsAsync<ArgumentNullException>(() => limiter.RunAsync(null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => limiter.RunAsync<int>(null!));
    }

    [Fact]
    public async Task GetStatistics_CountsEveryOutcome()
    {
        var time = new FakeTimeProvider();
        var limiter = Create(1, queueLimit: 1, queueTimeout: TimeSpan.FromSeconds(1), time: time);
        var held = await limiter.AcquireAsync();
        var timesOut = limiter.AcquireAsync();
        await Assert.ThrowsAsync<LimiterRejectedException>(async () => await limiter.AcquireAsync()); // queue full
        time.Advance(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<LimiterRejectedException>(() => timesOut.Bounded());
        using var cts = new CancellationTokenSource();
        var canceled = limiter.AcquireAsync(cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => canceled.Bounded());
        held.Dispose();
        limiter.Dispose();
        await Assert.ThrowsAsync<LimiterRejectedException>(async () => await limiter.AcquireAsync());

        var statistics = limiter.GetStatistics();
        Assert.Equal("test", statistics.Name);
        Assert.Equal(1, statistics.MaxConcurrency);
        Assert.Equal(0, statistics.InFlight);
        Assert.Equal(0, statistics.Queued);
        Assert.Equal(1, statistics.TotalAdmitted);
        Assert.Equal(1, statistics.RejectedQueueFull);
        Assert.Equal(1, statistics.RejectedQueueTimeout);
        Assert.Equal(1, statistics.RejectedDisposed);
        Assert.Equal(3, statistics.TotalRejected);
        Assert.Equal(1, statistics.TotalCanceled);
    }

    private sealed class StubHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK));
    }
}
