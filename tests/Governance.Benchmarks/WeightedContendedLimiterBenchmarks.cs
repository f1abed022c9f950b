using System.Threading.RateLimiting;
using BenchmarkDotNet.Attributes;
using Governance;

namespace Governance.Benchmarks;

/// <summary>
/// 32 async loops share a limit of 8 permits; loop <c>i</c> asks for <c>1 + i % 4</c> permits each time: acquire,
/// <c>await Task.Yield()</c>, release. Most acquisitions queue behind heavier ones, so this measures the weighted
/// waiting path, FIFO on both sides (<see cref="QueueProcessingOrder.OldestFirst"/>), per operation.
/// </summary>
[MemoryDiagnoser]
public class WeightedContendedLimiterBenchmarks
{
    private const int Loops = 32;
    private const int Limit = 8;
    private const int IterationsPerLoop = 200;
    private const int Operations = Loops * IterationsPerLoop;

    private readonly TaskLimiter _limiter = new(new TaskLimiterOptions { MaxConcurrency = Limit, QueueLimit = Loops, Name = "bench" });
    private readonly ConcurrencyLimiter _concurrencyLimiter = new(new ConcurrencyLimiterOptions
    {
        PermitLimit = Limit,
        QueueLimit = Loops * Limit,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });

    private readonly Task[] _loops = new Task[Loops];

    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    public Task ConcurrencyLimiter()
    {
        for (var i = 0; i < Loops; i++)
        {
            _loops[i] = ConcurrencyLimiterLoop(1 + (i % 4));
        }

        return Task.WhenAll(_loops);
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    public Task TaskLimiter()
    {
        for (var i = 0; i < Loops; i++)
        {
            _loops[i] = TaskLimiterLoop(1 + (i % 4));
        }

        return Task.WhenAll(_loops);
    }

    private async Task ConcurrencyLimiterLoop(int permits)
    {
        for (var i = 0; i < IterationsPerLoop; i++)
        {
            using var lease = await _concurrencyLimiter.AcquireAsync(permits);
            if (!lease.IsAcquired)
            {
                throw new InvalidOperationException("ConcurrencyLimiter rejected a caller; the queue limit is too small.");
            }

            await Task.Yield();
        }
    }

    private async Task TaskLimiterLoop(int permits)
    {
        for (var i = 0; i < IterationsPerLoop; i++)
        {
            using (await _limiter.AcquireAsync(permits))
            {
                await Task.Yield();
            }
        }
    }
}
