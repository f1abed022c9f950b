using System.Threading.RateLimiting;
using BenchmarkDotNet.Attributes;
using Governance;
using Polly;

namespace Governance.Benchmarks;

/// <summary>
/// Acquire and release with a free slot: the path every call through a limiter pays when the service is healthy.
/// Each invocation runs the pair <see cref="Operations"/> times inside one async method, so the figures are per pair.
/// </summary>
[MemoryDiagnoser]
public class UncontendedLimiterBenchmarks
{
    private const int Operations = 1024;

    private readonly SemaphoreSlim _semaphore = new(100, 100);
    private readonly TaskLimiter _limiter = new(new TaskLimiterOptions { MaxConcurrency = 100, Name = "bench" });
    private readonly TaskLimiter _listenedLimiter = new(new TaskLimiterOptions
    {
        MaxConcurrency = 100,
        Name = "bench-listened",
        MeterFactory = new ListenedMeterFactory(),
    });

    private readonly RateLimiter _limiterView;
    private readonly ConcurrencyLimiter _concurrencyLimiter = new(new ConcurrencyLimiterOptions { PermitLimit = 100, QueueLimit = 0 });
    private readonly ResiliencePipeline _polly = new ResiliencePipelineBuilder()
        .AddConcurrencyLimiter(permitLimit: 100, queueLimit: 0)
        .Build();

    public UncontendedLimiterBenchmarks() => _limiterView = _limiter.AsRateLimiter();

    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    public async Task SemaphoreSlim_WaitAsync_Release()
    {
        for (var i = 0; i < Operations; i++)
        {
            await _semaphore.WaitAsync();
            _semaphore.Release();
        }
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    public async Task TaskLimiter_AcquireAsync_Dispose()
    {
        for (var i = 0; i < Operations; i++)
        {
            using (await _limiter.AcquireAsync())
            {
            }
        }
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    public async Task TaskLimiter_MetricsListened_AcquireAsync_Dispose()
    {
        for (var i = 0; i < Operations; i++)
        {
            using (await _listenedLimiter.AcquireAsync())
            {
            }
        }
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    public Task TaskLimiter_TryAcquire_Dispose()
    {
        for (var i = 0; i < Operations; i++)
        {
            _limiter.TryAcquire(out var lease);
            lease.Dispose();
        }

        return Task.CompletedTask;
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    public async Task TaskLimiter_AsRateLimiter_AcquireAsync_Dispose()
    {
        for (var i = 0; i < Operations; i++)
        {
            using (await _limiterView.AcquireAsync())
            {
            }
        }
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    public async Task ConcurrencyLimiter_AcquireAsync_Dispose()
    {
        for (var i = 0; i < Operations; i++)
        {
            using (await _concurrencyLimiter.AcquireAsync())
            {
            }
        }
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    public async Task Polly_ConcurrencyLimiterPipeline_Execute()
    {
        for (var i = 0; i < Operations; i++)
        {
            await _polly.ExecuteAsync(static _ => ValueTask.CompletedTask);
        }
    }
}
