using BenchmarkDotNet.Attributes;
using Governance;

namespace Governance.Benchmarks;

/// <summary>
/// Bounded fan-out of 10,000 small async units (each yields once) with at most 8 running: the cost per unit of
/// TaskGroup.GoAsync against Parallel.ForEachAsync and the hand-rolled SemaphoreSlim + Task.Run.
/// </summary>
[MemoryDiagnoser]
public class TaskGroupBenchmarks
{
    private const int Units = 10_000;
    private const int Limit = 8;

    private static readonly Func<CancellationToken, Task> s_work = static async _ => await Task.Yield();

    [Benchmark(Baseline = true, OperationsPerInvoke = Units)]
    public Task ParallelForEachAsync() =>
        Parallel.ForEachAsync(
            Enumerable.Range(0, Units),
            new ParallelOptions { MaxDegreeOfParallelism = Limit },
            static async (_, ct) => await s_work(ct));

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

    [Benchmark(OperationsPerInvoke = Units)]
    public async Task SemaphoreSlim_TaskRun()
    {
        using var semaphore = new SemaphoreSlim(Limit, Limit);
        var tasks = new List<Task>(Units);
        for (var i = 0; i < Units; i++)
        {
            await semaphore.WaitAsync();
            tasks.Add(Task.Run(async () =>
            {
                try
                {
                    await s_work(CancellationToken.None);
                }
                finally
                {
                    semaphore.Release();
                }
            }));
        }

        await Task.WhenAll(tasks);
    }
}
