using System.Collections.Concurrent;
using Governance;
using Microsoft.Extensions.Logging.Testing;

namespace Governance.Tests.Pooling;

public sealed class WorkerPoolTests
{
    private static WorkerPoolOptions Options(int workers = 1, int capacity = 10, WorkerPoolFullMode mode = WorkerPoolFullMode.Wait) =>
        new() { Workers = workers, Capacity = capacity, FullMode = mode, Name = "orders" };

    [Theory]
    [InlineData(0, 10, "Workers")]
    [InlineData(-1, 10, "Workers")]
    [InlineData(1, 0, "Capacity")]
    [InlineData(1, -5, "Capacity")]
    public void Constructor_InvalidSizes_ThrowNamingTheOption(int workers, int capacity, string option)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new WorkerPool<int>((_, _) => Task.CompletedTask, new WorkerPoolOptions { Workers = workers, Capacity = capacity }));
        Assert.Contains(option, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_UndefinedFullMode_ThrowsNamingTheOption()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new WorkerPool<int>((_, _) => Task.CompletedTask, Options(mode: (WorkerPoolFullMode)42)));
        Assert.Contains("FullMode", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NullHandlerOrName_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => new WorkerPool<int>(null!, Options()));
        var ex = Assert.Throws<ArgumentException>(() => new WorkerPool<int>((_, _) => Task.CompletedTask, new WorkerPoolOptions { Workers = 1, Capacity = 1, Name = null! }));
        Assert.Contains("Name", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompleteAsync_DrainsEveryAcceptedItemExactlyOnce()
    {
        var seen = new ConcurrentDictionary<int, int>();
        await using var pool = new WorkerPool<int>(async (item, _) =>
        {
            await Task.Yield();
            seen.AddOrUpdate(item, 1, (_, n) => n + 1);
        }, Options(workers: 4, capacity: 16));

        for (var i = 0; i < 1000; i++)
        {
            await pool.EnqueueAsync(i);
        }

        await pool.CompleteAsync().Bounded();
        Assert.Equal(1000, seen.Count);
        Assert.All(seen.Values, n => Assert.Equal(1, n));
        var statistics = pool.GetStatistics();
        Assert.Equal(1000, statistics.Processed);
        Assert.Equal(0, statistics.Queued);
    }

    [Fact]
    public async Task Handler_Throws_WorkerGoesOnAndTheFailureIsReported()
    {
        var logger = new FakeLogger();
        var errors = new ConcurrentQueue<(int Item, Exception Error)>();
        var handled = new ConcurrentQueue<int>();
        var options = Options(workers: 1);
        options.Logger = logger;
        await using var pool = new WorkerPool<int>((item, _) =>
        {
            if (item % 2 == 0)
            {
                throw new InvalidOperationException("bad " + item);
            }

            handled.Enqueue(item);
            return Task.CompletedTask;
        }, options, onError: (item, error) => errors.Enqueue((item, error)));

        for (var i = 0; i < 6; i++)
        {
            await pool.EnqueueAsync(i);
        }

        await pool.CompleteAsync().Bounded();
        Assert.Equal([1, 3, 5], handled.ToArray());
        Assert.Equal([0, 2, 4], errors.Select(e => e.Item).ToArray());
        Assert.All(errors, e => Assert.IsType<InvalidOperationException>(e.Error));
        Assert.Equal(3, logger.Collector.GetSnapshot().Count(r => r.Level == Microsoft.Extensions.Logging.LogLevel.Error && r.Message.Contains("orders", StringComparison.Ordinal)));
        var statistics = pool.GetStatistics();
        Assert.Equal(3, statistics.Processed);
        Assert.Equal(3, statistics.Failed);
    }

    [Fact]
    public async Task OnError_Throwing_DoesNotKillTheWorker()
    {
        var options = Options(workers: 1);
        var handled = 0;
        await using var pool = new WorkerPool<int>((item, _) =>
        {
            if (item == 0)
            {
                throw new InvalidOperationException("boom");
            }

            Interlocked.Increment(ref handled);
            return Task.CompletedTask;
        }, options, onError: (_, _) => throw new InvalidOperationException("callback is broken too"));
        await pool.EnqueueAsync(0);
        await pool.EnqueueAsync(1);
        await pool.CompleteAsync().Bounded();
        Assert.Equal(1, handled);
    }

    [Fact]
    public async Task WaitMode_FullQueue_EnqueueAsyncWaitsAndTryEnqueueRefuses()
    {
        var (pool, gate, started) = BlockedPool(Options(workers: 1, capacity: 2));
        await using var _ = pool;
        await pool.EnqueueAsync(0);
        await started.Task.Bounded();
        await pool.EnqueueAsync(1);
        await pool.EnqueueAsync(2);

        var waiting = pool.EnqueueAsync(3);
        Assert.False(waiting.IsCompleted);
        Assert.False(pool.TryEnqueue(4));
        Assert.Equal(1, pool.GetStatistics().Rejected);

        gate.SetResult();
        await waiting.AsTask().Bounded();
        await pool.CompleteAsync().Bounded();
        Assert.Equal(4, pool.GetStatistics().Processed);
    }

    [Fact]
    public async Task WaitMode_CanceledWhileWaiting_ItemIsNotQueued()
    {
        var (pool, gate, started) = BlockedPool(Options(workers: 1, capacity: 1));
        await using var _ = pool;
        await pool.EnqueueAsync(0);
        await started.Task.Bounded();
        await pool.EnqueueAsync(1);
        using var cts = new CancellationTokenSource();
        var waiting = pool.EnqueueAsync(2, cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.AsTask().Bounded());
        gate.SetResult();
        await pool.CompleteAsync().Bounded();
        Assert.Equal(2, pool.GetStatistics().Processed);
    }

    [Fact]
    public async Task RejectMode_FullQueue_ThrowsAndCounts()
    {
        var (pool, gate, started) = BlockedPool(Options(workers: 1, capacity: 1, mode: WorkerPoolFullMode.Reject));
        await using var _ = pool;
        await pool.EnqueueAsync(0);
        await started.Task.Bounded();
        await pool.EnqueueAsync(1);

        var ex = await Assert.ThrowsAsync<WorkerPoolRejectedException>(() => pool.EnqueueAsync(2).AsTask());
        Assert.Equal(WorkerPoolRejectionReason.QueueFull, ex.Reason);
        Assert.Equal("orders", ex.PoolName);
        Assert.False(pool.TryEnqueue(3));
        Assert.Equal(2, pool.GetStatistics().Rejected);
        gate.SetResult();
        await pool.CompleteAsync().Bounded();
        Assert.Equal(2, pool.GetStatistics().Processed);
    }

    [Theory]
    [InlineData(WorkerPoolFullMode.DropOldest, 1)]
    [InlineData(WorkerPoolFullMode.DropNewest, 2)]
    public async Task DropModes_FullQueue_DropOneQueuedItemCountAndReportIt(WorkerPoolFullMode mode, int expectedDropped)
    {
        var dropped = new ConcurrentQueue<int>();
        var handled = new ConcurrentQueue<int>();
        var options = Options(workers: 1, capacity: 2, mode: mode);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var pool = new WorkerPool<int>(async (item, _) =>
        {
            started.TrySetResult();
            await gate.Task;
            handled.Enqueue(item);
        }, options, onDropped: dropped.Enqueue);
        await pool.EnqueueAsync(0);
        await started.Task.Bounded();
        await pool.EnqueueAsync(1);
        await pool.EnqueueAsync(2);

        Assert.True(pool.TryEnqueue(3));

        Assert.Equal([expectedDropped], dropped.ToArray());
        gate.SetResult();
        await pool.CompleteAsync().Bounded();
        var statistics = pool.GetStatistics();
        Assert.Equal(1, statistics.Dropped);
        Assert.Equal(3, statistics.Processed);
        Assert.DoesNotContain(expectedDropped, handled);
    }

    [Fact]
    public async Task OnDropped_ValueTypeItems_ReachTheCallbackUnboxed()
    {
        const int Drops = 1_000;
        long droppedSum = 0;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = Options(workers: 1, capacity: 2, mode: WorkerPoolFullMode.DropOldest);
        await using var pool = new WorkerPool<int>(async (_, _) =>
        {
            started.TrySetResult();
            await gate.Task;
        }, options, onDropped: item => droppedSum += item);
        Assert.True(pool.TryEnqueue(0));
        await started.Task.Bounded();
        Assert.True(pool.TryEnqueue(1));
        Assert.True(pool.TryEnqueue(2));
        Assert.True(pool.TryEnqueue(3)); // warm up: the first drop JIT-compiles the path

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Drops; i++)
        {
            pool.TryEnqueue(4 + i);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        gate.SetResult();
        await pool.CompleteAsync().Bounded();

        Assert.Equal(0, allocated);
        Assert.Equal(Drops + 1, pool.GetStatistics().Dropped);
        Assert.Equal(Enumerable.Range(1, Drops + 1).Sum(i => (long)i), droppedSum);
    }

    [Fact]
    public async Task AfterCompleteAsync_NewItemsAreRefusedWithCompleted()
    {
        await using var pool = new WorkerPool<int>((_, _) => Task.CompletedTask, Options());
        await pool.CompleteAsync().Bounded();
        var ex = await Assert.ThrowsAsync<WorkerPoolRejectedException>(() => pool.EnqueueAsync(1).AsTask());
        Assert.Equal(WorkerPoolRejectionReason.Completed, ex.Reason);
        Assert.False(pool.TryEnqueue(2));
        Assert.Equal(2, pool.GetStatistics().Rejected);
    }

    [Fact]
    public async Task DisposeAsync_CancelsRunningHandlersAndDropsQueuedItemsReportingThem()
    {
        var dropped = new ConcurrentQueue<int>();
        var options = Options(workers: 1, capacity: 10);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pool = new WorkerPool<int>(async (_, ct) =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
        }, options, onDropped: dropped.Enqueue);
        await pool.EnqueueAsync(0);
        await started.Task.Bounded();
        await pool.EnqueueAsync(1);
        await pool.EnqueueAsync(2);

        await pool.DisposeAsync().AsTask().Bounded();

        Assert.Equal([1, 2], dropped.Order().ToArray());
        var statistics = pool.GetStatistics();
        Assert.Equal(1, statistics.Canceled);
        Assert.Equal(0, statistics.Failed);
        Assert.Equal(2, statistics.Dropped);
        Assert.Equal(0, statistics.Queued);
        var ex = await Assert.ThrowsAsync<WorkerPoolRejectedException>(() => pool.EnqueueAsync(3).AsTask());
        Assert.Equal(WorkerPoolRejectionReason.Completed, ex.Reason);
        await pool.DisposeAsync(); // idempotent
    }

    [Fact]
    public async Task SetWorkerCount_Raised_StartsMoreWorkersAtOnce()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = 0;
        var allThreeRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var pool = new WorkerPool<int>(async (_, _) =>
        {
            if (Interlocked.Increment(ref running) == 3)
            {
                allThreeRunning.SetResult();
            }

            await gate.Task;
        }, Options(workers: 1, capacity: 10));
        for (var i = 0; i < 3; i++)
        {
            await pool.EnqueueAsync(i);
        }

        pool.SetWorkerCount(3);
        await allThreeRunning.Task.Bounded();
        Assert.Equal(3, pool.Workers);
        Assert.Equal(3, pool.GetStatistics().BusyWorkers);
        gate.SetResult();
        await pool.CompleteAsync().Bounded();
    }

    [Fact]
    public async Task SetWorkerCount_Lowered_RetiringWorkersFinishTheirItemAndTakeNoOther()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var threeStarted = new CountdownEvent(3);
        var laterInFlight = 0;
        var laterMax = 0;
        await using var pool = new WorkerPool<int>(async (item, _) =>
        {
            if (item < 3)
            {
                threeStarted.Signal();
                await gate.Task;
                return;
            }

            // Items queued after the pool shrank to one worker must run one at a time.
            var now = Interlocked.Increment(ref laterInFlight);
            lock (gate)
            {
                laterMax = Math.Max(laterMax, now);
            }

            await Task.Yield();
            Interlocked.Decrement(ref laterInFlight);
        }, Options(workers: 3, capacity: 100));
        for (var i = 0; i < 3; i++)
        {
            await pool.EnqueueAsync(i);
        }

        Assert.True(threeStarted.Wait(TaskTestExtensions.Limit, CancellationToken.None));
        pool.SetWorkerCount(1);
        Assert.Equal(1, pool.Workers);
        Assert.Equal(3, pool.GetStatistics().BusyWorkers); // nobody was interrupted
        for (var i = 3; i < 30; i++)
        {
            await pool.EnqueueAsync(i);
        }

        gate.SetResult();
        await pool.CompleteAsync().Bounded();
        Assert.Equal(30, pool.GetStatistics().Processed);
        Assert.Equal(1, laterMax);
    }

    [Fact]
    public async Task SetWorkerCount_NotPositive_Throws()
    {
        await using var pool = new WorkerPool<int>((_, _) => Task.CompletedTask, Options());
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.SetWorkerCount(0));
    }

    private static (WorkerPool<int> Pool, TaskCompletionSource Gate, TaskCompletionSource Started) BlockedPool(WorkerPoolOptions options)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pool = new WorkerPool<int>(async (_, _) =>
        {
            started.TrySetResult();
            await gate.Task;
        }, options);
        return (pool, gate, started);
    }
}
