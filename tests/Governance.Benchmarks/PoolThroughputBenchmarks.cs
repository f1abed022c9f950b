using System.Threading.Channels;
using System.Threading.Tasks.Dataflow;
using BenchmarkDotNet.Attributes;
using Governance;

namespace Governance.Benchmarks;

/// <summary>
/// 100,000 trivial items through 4 workers, from the first enqueue to the last item handled: what each way of
/// "bounded workers draining a queue" costs per item. The hand-written channel pool is the floor.
/// </summary>
[MemoryDiagnoser]
public class PoolThroughputBenchmarks
{
    private const int Items = 100_000;
    private const int Workers = 4;
    private const int Capacity = 1024;

    private static readonly Func<int, CancellationToken, Task> s_handler = static (_, _) => Task.CompletedTask;

    [Benchmark(Baseline = true, OperationsPerInvoke = Items)]
    public async Task HandWrittenChannelPool()
    {
        var channel = Channel.CreateBounded<int>(new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.Wait });
        var workers = new Task[Workers];
        for (var w = 0; w < Workers; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                while (await channel.Reader.WaitToReadAsync())
                {
                    while (channel.Reader.TryRead(out var item))
                    {
                        await s_handler(item, CancellationToken.None);
                    }
                }
            });
        }

        for (var i = 0; i < Items; i++)
        {
            await channel.Writer.WriteAsync(i);
        }

        channel.Writer.Complete();
        await Task.WhenAll(workers);
    }

    [Benchmark(OperationsPerInvoke = Items)]
    public async Task WorkerPool()
    {
        await using var pool = new WorkerPool<int>(s_handler, new WorkerPoolOptions { Workers = Workers, Capacity = Capacity, Name = "bench" });
        for (var i = 0; i < Items; i++)
        {
            await pool.EnqueueAsync(i);
        }

        await pool.CompleteAsync();
    }

    [Benchmark(OperationsPerInvoke = Items)]
    public async Task ActionBlock()
    {
        var block = new ActionBlock<int>(item => s_handler(item, CancellationToken.None), new ExecutionDataflowBlockOptions
        {
            MaxDegreeOfParallelism = Workers,
            BoundedCapacity = Capacity,
        });
        for (var i = 0; i < Items; i++)
        {
            await block.SendAsync(i);
        }

        block.Complete();
        await block.Completion;
    }

    [Benchmark(OperationsPerInvoke = Items)]
    public Task ParallelForEachAsync() =>
        Parallel.ForEachAsync(
            Enumerable.Range(0, Items),
            new ParallelOptions { MaxDegreeOfParallelism = Workers },
            static (item, ct) => new ValueTask(s_handler(item, ct)));

    [Benchmark(OperationsPerInvoke = Items)]
    public Task TaskRunPerItem()
    {
        var tasks = new Task[Items];
        for (var i = 0; i < Items; i++)
        {
            var item = i;
            tasks[i] = Task.Run(() => s_handler(item, CancellationToken.None));
        }

        return Task.WhenAll(tasks);
    }
}
