using System.Threading.RateLimiting;
using BenchmarkDotNet.Attributes;
using Governance;

namespace Governance.Benchmarks;

/// <summary>
/// Acquire and release of 4 permits out of 16, with the permits free: the weighted fast path against
/// <see cref="ConcurrencyLimiter"/> with <c>permitCount</c> 4. Figures are per pair.
/// </summary>
[MemoryDiagnoser]
public class WeightedUncontendedLimiterBenchmarks
{
    private const int Operations = 1024;
    private const int Limit = 16;
    private const int Permits = 4;

    private readonly TaskLimiter _limiter = new(new TaskLimiterOptions { MaxConcurrency = Limit, Name = "bench" });
    private readonly RateLimiter _limiterView;
    private readonly ConcurrencyLimiter _concurrencyLimiter = new(new ConcurrencyLimiterOptions { PermitLimit = Limit, QueueLimit = 0 });

    public WeightedUncontendedLimiterBenchmarks() => _limiterView = _limiter.AsRateLimiter();

    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    public async Task ConcurrencyLimiter_AcquireAsync4_Dispose()
    {
        for (var i = 0; i < Operations; i++)
        {
            using (await _concurrencyLimiter.AcquireAsync(Permits))
            {
            }
        }
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    public async Task TaskLimiter_AcquireAsync4_Dispose()
    {
        for (var i = 0; i < Operations; i++)
        {
            using (await _limiter.AcquireAsync(Permits))
            {
            }
        }
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    public Task TaskLimiter_TryAcquire4_Dispose()
    {
        for (var i = 0; i < Operations; i++)
        {
            _limiter.TryAcquire(Permits, out var lease);
            lease.Dispose();
        }

        return Task.CompletedTask;
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    public async Task TaskLimiter_AsRateLimiter_AcquireAsync4_Dispose()
    {
        for (var i = 0; i < Operations; i++)
        {
            using (await _limiterView.AcquireAsync(Permits))
            {
            }
        }
    }
}
