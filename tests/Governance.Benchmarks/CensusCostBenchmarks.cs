using BenchmarkDotNet.Attributes;
using Governance;

namespace Governance.Benchmarks;

/// <summary>
/// What the task census costs: TaskGroup.GoAsync (10,000 units, at most 8 running, each yields once) and a WorkerPool
/// (100,000 trivial items through 4 workers) with the census on — the default — and off, in one run.
/// </summary>
[MemoryDiagnoser]
public class CensusCostBenchmarks
{
    private const int Units = 10_000;
    private const int Limit = 8;
    private const int Items = 100_000;
    private const int Workers = 4;

    private static readonly Func<CancellationToken, Task> s_work = static async _ => await Task.Yield();
    private static readonly Func<int, CancellationToken, Task> s_handler = static (_, _) => Task.CompletedTask;

    [Params(true, false)]
    public bool Census { get; set; }

    [GlobalSetup]
    public void Setup() => TaskCensus.Enabled = Census;

    [GlobalCleanup]
    public void Cleanup() => TaskCensus.Enabled = true;

    [Benchmark(OperationsPerInvoke = Units)]
    public async Task TaskGroup_GoAsync()
    {
        await using var group = new TaskGroup(Limit);
        for (var i = 0; i < Units; i++)
        {
            await group.GoAsync(s_work);
        }

        await group.WaitAsync();
    }

    [Benchmark(OperationsPerInvoke = Items)]
    public async Task WorkerPool()
    {
        await using var pool = new WorkerPool<int>(s_handler, new WorkerPoolOptions { Workers = Workers, Capacity = 1024, Name = "bench" });
        for (var i = 0; i < Items; i++)
        {
            await pool.EnqueueAsync(i);
        }

        await pool.CompleteAsync();
    }
}
