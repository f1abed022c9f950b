using System.Threading.RateLimiting;
using BenchmarkDotNet.Attributes;
using Governance;
using Polly;

namespace Governance.Benchmarks;

/// <summary>
/// 64 async loops share a limit of 4: acquire, <c>await Task.Yield()</c>, release. Most acquisitions queue, so this
/// measures the waiting path — enqueue, hand-off on release, and resuming the waiter — per operation.
/// </summary>
[MemoryDiagnoser]
public class ContendedLimiterBenchmarks
{
    private const int Loops = 64;
    private const int Limit = 4;
    private const int IterationsPerLoop = 200;
    private const int Operations = Loops * IterationsPerLoop;

    private readonly SemaphoreSlim _semaphore = new(Limit, Limit);
    private readonly TaskLimiter _limiter = new(new TaskLimiterOptions { MaxConcurrency = Limit, QueueLimit = Loops, Name = "bench" });
    private readonly TaskLimiter _listenedLimiter = new(new TaskLimiterOptions
    {
        MaxConcurrency = Limit,
        QueueLimit = Loops,
        Name = "bench-listened",
        MeterFactory = new ListenedMeterFactory(),
    });

    private readonly ConcurrencyLimiter _concurrencyLimiter = new(new ConcurrencyLimiterOptions
    {
        PermitLimit = Limit,
        QueueLimit = Loops,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });

    private readonly ResiliencePipeline _polly = new ResiliencePipelineBuilder()
        .AddConcurrencyLimiter(permitLimit: Limit, queueLimit: Loops)
        .Build();

    private readonly Task[] _loops = new Task[Loops];

    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    public Task SemaphoreSlim()
    {
        for (var i = 0; i < Loops; i++)
        {
            _loops[i] = SemaphoreLoop();
        }

        return Task.WhenAll(_loops);
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    public Task TaskLimiter()
    {
        for (var i = 0; i < Loops; i++)
        {
            _loops[i] = TaskLimiterLoop();
        }

        return Task.WhenAll(_loops);
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    public Task TaskLimiter_MetricsListened()
    {
        for (var i = 0; i < Loops; i++)
        {
            _loops[i] = ListenedTaskLimiterLoop();
        }

        return Task.WhenAll(_loops);
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    public Task ConcurrencyLimiter()
    {
        for (var i = 0; i < Loops; i++)
        {
            _loops[i] = ConcurrencyLimiterLoop();
        }

        return Task.WhenAll(_loops);
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    public Task Polly()
    {
        for (var i = 0; i < Loops; i++)
        {
            _loops[i] = PollyLoop();
        }

        return Task.WhenAll(_loops);
    }

    private async Task SemaphoreLoop()
    {
        for (var i = 0; i < IterationsPerLoop; i++)
        {
            await _semaphore.WaitAsync();
            await Task.Yield();
            _semaphore.Release();
        }
    }

    private async Task TaskLimiterLoop()
    {
        for (var i = 0; i < IterationsPerLoop; i++)
        {
            using (await _limiter.AcquireAsync())
            {
                await Task.Yield();
            }
        }
    }

    private async Task ListenedTaskLimiterLoop()
    {
        for (var i = 0; i < IterationsPerLoop; i++)
        {
            using (await _listenedLimiter.AcquireAsync())
            {
                await Task.Yield();
            }
        }
    }

    private async Task ConcurrencyLimiterLoop()
    {
        for (var i = 0; i < IterationsPerLoop; i++)
        {
            using var lease = await _concurrencyLimiter.AcquireAsync();
            if (!lease.IsAcquired)
            {
                throw new InvalidOperationException("The benchmark's queue is sized so that nothing is rejected.");
            }

            await Task.Yield();
        }
    }

    private async Task PollyLoop()
    {
        for (var i = 0; i < IterationsPerLoop; i++)
        {
            await _polly.ExecuteAsync(static async _ => await Task.Yield());
        }
    }
}
