using System.Collections.Concurrent;
using Governance;

namespace Governance.Tests.Pooling;

/// <summary>Random failures, resizes and drops with fixed seeds: every accepted item is accounted for exactly once.</summary>
public sealed class WorkerPoolStressTests
{
    [Theory]
    [InlineData(WorkerPoolFullMode.Wait, 1)]
    [InlineData(WorkerPoolFullMode.Reject, 2)]
    [InlineData(WorkerPoolFullMode.DropOldest, 3)]
    [InlineData(WorkerPoolFullMode.DropNewest, 4)]
    public async Task RandomWork_CountsAreConservedAndNothingIsHandledTwice(WorkerPoolFullMode mode, int seed)
    {
        var handled = new ConcurrentDictionary<int, int>();
        var dropped = new ConcurrentDictionary<int, int>();
        var failedItems = new ConcurrentDictionary<int, int>();
        var accepted = 0;
        var refused = 0;
        var options = new WorkerPoolOptions
        {
            Name = "stress",
            Workers = 4,
            Capacity = 32,
            FullMode = mode,
        };
        var pool = new WorkerPool<int>(async (item, _) =>
        {
            handled.AddOrUpdate(item, 1, (_, n) => n + 1);
            if (item % 3 == 0)
            {
                await Task.Yield();
            }

            if (item % 17 == 0)
            {
                throw new InvalidOperationException("random failure");
            }
        },
        options,
        onError: (item, _) => failedItems.AddOrUpdate(item, 1, (_, n) => n + 1),
        onDropped: item => dropped.AddOrUpdate(item, 1, (_, n) => n + 1));

        var resizer = Task.Run(async () =>
        {
            var random = new Random(seed);
            for (var i = 0; i < 50; i++)
            {
                pool.SetWorkerCount(random.Next(1, 9));
                await Task.Yield();
            }
        });

        var producers = Enumerable.Range(0, 4).Select(p => Task.Run(async () =>
        {
            var random = new Random((seed * 100) + p);
            for (var i = 0; i < 2_000; i++)
            {
                var item = (p * 10_000) + i;
                try
                {
                    if (random.Next(2) == 0)
                    {
                        await pool.EnqueueAsync(item);
                        Interlocked.Increment(ref accepted);
                    }
                    else if (pool.TryEnqueue(item))
                    {
                        Interlocked.Increment(ref accepted);
                    }
                    else
                    {
                        Interlocked.Increment(ref refused);
                    }
                }
                catch (WorkerPoolRejectedException ex) when (ex.Reason == WorkerPoolRejectionReason.QueueFull)
                {
                    Interlocked.Increment(ref refused);
                }
            }
        })).ToArray();

        await Task.WhenAll(producers).Bounded();
        await resizer.Bounded();
        await pool.CompleteAsync().Bounded();
        await pool.DisposeAsync();

        var statistics = pool.GetStatistics();
        Assert.All(handled.Values, n => Assert.Equal(1, n));
        Assert.All(dropped.Values, n => Assert.Equal(1, n));
        Assert.Empty(handled.Keys.Intersect(dropped.Keys));
        Assert.Equal(accepted, handled.Count + dropped.Count);
        Assert.Equal(statistics.Processed + statistics.Failed, handled.Count);
        Assert.Equal(failedItems.Count, statistics.Failed);
        Assert.Equal(dropped.Count, statistics.Dropped);
        Assert.Equal(refused, statistics.Rejected);
        Assert.Equal(0, statistics.Queued);
        Assert.Equal(0, statistics.BusyWorkers);
        if (mode == WorkerPoolFullMode.Wait)
        {
            Assert.Equal(0, statistics.Dropped);
        }
    }
}
