using System.Threading.Channels;
using System.Threading.Tasks.Dataflow;
using BenchmarkDotNet.Attributes;
using Governance;

namespace Governance.Benchmarks;

/// <summary>
/// Memory per pending item: 100,000 items queued while every worker is blocked, then released and drained. The
/// Allocated column is bytes per item; the drain itself allocates nothing for a trivial handler, so it is the cost
/// of holding the item while it waits.
/// </summary>
[MemoryDiagnoser]
public class PendingItemMemoryBenchmarks
{
    private const int Items = 100_000;
    private const int Workers = 4;

    [Benchmark(Baseline = true, OperationsPerInvoke = Items)]
    public async Task HandWrittenChannelPool()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var channel = Channel.CreateBounded<int>(new BoundedChannelOptions(Items) { FullMode = BoundedChannelFullMode.Wait });
        var workers = new Task[Workers];
        for (var w = 0; w < Workers; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                await gate.Task;
                while (await channel.Reader.WaitToReadAsync())
                {
                    while (channel.Reader.TryRead(out _))
                    {
                    }
                }
            });
        }

        for (var i = 0; i < Items; i++)
        {
            channel.Writer.TryWrite(i);
        }

        gate.SetResult();
        channel.Writer.Complete();
        await Task.WhenAll(workers);
    }

    [Benchmark(OperationsPerInvoke = Items)]
    public async Task WorkerPool()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var pool = new WorkerPool<int>(
            (_, _) => gate.Task, new WorkerPoolOptions { Workers = Workers, Capacity = Items, Name = "bench" });
        for (var i = 0; i < Items; i++)
        {
            pool.TryEnqueue(i);
        }

        gate.SetResult();
        await pool.CompleteAsync();
    }

    [Benchmark(OperationsPerInvoke = Items)]
    public async Task ActionBlock()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var block = new ActionBlock<int>(_ => gate.Task, new ExecutionDataflowBlockOptions { MaxDegreeOfParallelism = Workers });
        for (var i = 0; i < Items; i++)
        {
            block.Post(i);
        }

        gate.SetResult();
        block.Complete();
        await block.Completion;
    }

    [Benchmark(OperationsPerInvoke = Items)]
    public Task TaskRunPerItem()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = new Task[Items];
        for (var i = 0; i < Items; i++)
        {
            tasks[i] = Task.Run(async () => await gate.Task);
        }

        gate.SetResult();
        return Task.WhenAll(tasks);
    }
}
