using Governance;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Governance.Tests.Limiting;

/// <summary>
/// Thousands of concurrent callers with random weights, cancellation, queue timeouts, failing work and resizes. The
/// outcome of each caller is random, but the invariants checked here must hold for every interleaving: the permits
/// held never exceed the limit, and every permit comes back.
/// </summary>
public sealed class TaskLimiterStressTests(ITestOutputHelper output)
{
    private const int Seed = 20261127;
    private const int Callers = 4000;
    private const int UpperLimit = 8;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ConcurrentCallers_KeepEveryInvariant(bool resize)
    {
        var time = new FakeTimeProvider();
        var limiter = new TaskLimiter(new TaskLimiterOptions
        {
            Name = "stress",
            MaxConcurrency = UpperLimit,
            QueueLimit = 500,
            QueueTimeout = TimeSpan.FromMilliseconds(20),
            TimeProvider = time,
        });

        var inFlight = 0;
        var maxObserved = 0;
        var permitsHeld = 0;
        var maxPermitsObserved = 0;
        var permitsExceedLimit = 0;
        var workCompleted = 0;
        var workFailed = 0;
        var queueFull = 0;
        var queueTimeout = 0;
        var canceled = 0;
        var unexpected = new List<Exception>();
        using var done = new CancellationTokenSource();

        // Fake time moves in 1 ms steps on its own thread, so queue timeouts fire concurrently with everything else.
        var clock = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                time.Advance(TimeSpan.FromMilliseconds(1));
                await Task.Delay(1);
            }
        });

        var resizer = Task.Run(async () =>
        {
            var random = new Random(Seed);
            while (resize && !done.IsCancellationRequested)
            {
                limiter.SetMaxConcurrency(random.Next(1, UpperLimit + 1));
                await Task.Delay(random.Next(0, 3));
            }
        });

        async Task Work(Random random, int permits)
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref maxObserved, now);
            InterlockedMax(ref maxPermitsObserved, Interlocked.Add(ref permitsHeld, permits));
            try
            {
                for (var i = random.Next(0, 3); i > 0; i--)
                {
                    await Task.Yield();
                }

                // Some work takes fake milliseconds, so the queue builds up and waiters reach their timeout.
                if (random.Next(6) == 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(random.Next(1, 5)), time);
                }

                if (random.Next(10) == 0)
                {
                    throw new InvalidOperationException("work failed");
                }
            }
            finally
            {
                Interlocked.Add(ref permitsHeld, -permits);
                Interlocked.Decrement(ref inFlight);
            }
        }

        async Task Caller(int id)
        {
            var random = new Random(Seed + id);

            // Arrivals spread over about a second, in bursts and lulls, rather than all at once.
            await Task.Delay(random.Next(0, 1000));
            using var cts = random.Next(5) == 0 ? new CancellationTokenSource() : null;
            if (cts is not null)
            {
                cts.CancelAfter(random.Next(0, 4));
            }

            var token = cts?.Token ?? CancellationToken.None;

            // Mostly light work, some heavy, and now and then more than the limit (which must be rejected, not queued).
            var permits = random.Next(4) switch
            {
                0 => 1,
                1 => random.Next(UpperLimit / 2, UpperLimit + 1),
                _ => random.Next(30) == 0 ? UpperLimit + 1 : random.Next(1, 4),
            };
            try
            {
                switch (random.Next(3))
                {
                    case 0 when permits == 1:
                        await limiter.RunAsync(_ => Work(random, permits), token);
                        break;
                    case 0:
                        await limiter.RunAsync(permits, _ => Work(random, permits), token);
                        break;
                    case 1:
                        await limiter.RunAsync(permits, async _ => { await Work(random, permits); return id; }, token);
                        break;
                    default:
                        using (await (permits == 1 ? limiter.AcquireAsync(token) : limiter.AcquireAsync(permits, token)))
                        {
                            await Work(random, permits);
                        }

                        break;
                }

                Interlocked.Increment(ref workCompleted);
            }
            catch (InvalidOperationException)
            {
                Interlocked.Increment(ref workFailed);
            }
            catch (LimiterRejectedException ex) when (ex.Reason == LimiterRejectionReason.QueueFull)
            {
                Interlocked.Increment(ref queueFull);
            }
            catch (LimiterRejectedException ex) when (ex.Reason == LimiterRejectionReason.QueueTimeout)
            {
                Interlocked.Increment(ref queueTimeout);
            }
            catch (LimiterRejectedException ex) when (ex.Reason == LimiterRejectionReason.PermitsExceedLimit)
            {
                Interlocked.Increment(ref permitsExceedLimit);
                if (!resize && permits <= UpperLimit)
                {
                    lock (unexpected)
                    {
                        unexpected.Add(new InvalidOperationException($"{permits} permits rejected under a fixed limit of {UpperLimit}"));
                    }
                }
            }
            catch (OperationCanceledException ex) when (cts is not null && ex.CancellationToken == cts.Token)
            {
                Interlocked.Increment(ref canceled);
            }
            catch (Exception ex)
            {
                lock (unexpected)
                {
                    unexpected.Add(ex);
                }
            }
        }

        var callers = Enumerable.Range(0, Callers).Select(id => Task.Run(() => Caller(id))).ToArray();

        // No caller may hang: every one finishes well within the bound.
        var all = Task.WhenAll(callers);
        if (await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(60))) != all)
        {
            var s = limiter.GetStatistics();
            Assert.Fail($"{callers.Count(c => !c.IsCompleted)} callers hung; limit {s.MaxConcurrency}, in flight {s.InFlight} " +
                $"(work running: {Volatile.Read(ref inFlight)}), queued {s.Queued}, admitted {s.TotalAdmitted}; " +
                $"unexpected: {string.Join(" | ", unexpected)}");
        }
        await done.CancelAsync();
        await Task.WhenAll(clock, resizer).Bounded();

        output.WriteLine($"outcomes: resize={resize} completed={workCompleted} failed={workFailed} full={queueFull} timeout={queueTimeout} " +
            $"canceled={canceled} exceed={permitsExceedLimit} max={maxObserved} maxPermits={maxPermitsObserved}");
        Assert.Empty(unexpected);
        Assert.True(workCompleted > 0, "some work must have run");
        Assert.True(permitsExceedLimit > 0, "some callers must have asked for more than the limit");
        Assert.InRange(maxObserved, 1, UpperLimit);
        Assert.InRange(maxPermitsObserved, 1, UpperLimit);
        Assert.Equal(0, Volatile.Read(ref permitsHeld));
        Assert.Equal(Callers, workCompleted + workFailed + queueFull + queueTimeout + canceled + permitsExceedLimit);

        var statistics = limiter.GetStatistics();
        Assert.Equal(0, statistics.InFlight);
        Assert.Equal(0, statistics.Queued);
        Assert.Equal(workCompleted + workFailed, statistics.TotalAdmitted);
        Assert.Equal(queueFull, statistics.RejectedQueueFull);
        Assert.Equal(queueTimeout, statistics.RejectedQueueTimeout);
        Assert.Equal(0, statistics.RejectedDisposed);
        Assert.Equal(permitsExceedLimit, statistics.RejectedPermitsExceedLimit);
        Assert.True(statistics.TotalCanceled <= canceled, "only callers whose own token fired may leave the queue as canceled");

        // Every permit came back: the whole limit can be taken in one weighted lease, and then in single slots.
        Assert.True(limiter.TryAcquire(statistics.MaxConcurrency, out var whole), "permits were lost");
        whole.Dispose();
        var leases = new List<TaskLimiterLease>();
        while (limiter.TryAcquire(out var lease))
        {
            leases.Add(lease);
            Assert.True(leases.Count <= statistics.MaxConcurrency, "more slots than the limit");
        }

        Assert.Equal(statistics.MaxConcurrency, leases.Count);
        leases.ForEach(l => l.Dispose());
        limiter.Dispose();
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var observed = Interlocked.CompareExchange(ref target, value, current);
            if (observed == current)
            {
                return;
            }

            current = observed;
        }
    }
}
