using Governance;

namespace Governance.Tests.Limiting;

/// <summary>The uncontended path allocates nothing: a limiter in front of every call must not add GC pressure.</summary>
public sealed class TaskLimiterAllocationTests
{
    private const int Pairs = 10_000;

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void AcquireAsyncAndDispose_Uncontended_AllocateNothing(int permits)
    {
        using var limiter = new TaskLimiter(new TaskLimiterOptions { MaxConcurrency = 4, Name = "alloc" });

        // Warm up: the first pair rents the thread's lease ticket and JIT-compiles the path.
        AcquireAndRelease(limiter, permits, 10);

        var before = GC.GetAllocatedBytesForCurrentThread();
        AcquireAndRelease(limiter, permits, Pairs);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(0, limiter.GetStatistics().InFlight);
        Assert.Equal(Pairs + 10, limiter.GetStatistics().TotalAdmitted);

        static void AcquireAndRelease(TaskLimiter limiter, int permits, int pairs)
        {
            for (var i = 0; i < pairs; i++)
            {
                var pending = permits == 1 ? limiter.AcquireAsync() : limiter.AcquireAsync(permits);
                Assert.True(pending.IsCompletedSuccessfully);

                // Completed synchronously: reading the result without awaiting keeps the loop on this thread.
                pending.Result.Dispose();
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void TryAcquireAndDispose_Uncontended_AllocateNothing(int permits)
    {
        using var limiter = new TaskLimiter(new TaskLimiterOptions { MaxConcurrency = 4, Name = "alloc" });
        TryAcquireAndRelease(limiter, permits, 10);

        var before = GC.GetAllocatedBytesForCurrentThread();
        TryAcquireAndRelease(limiter, permits, Pairs);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(0, limiter.GetStatistics().InFlight);

        static void TryAcquireAndRelease(TaskLimiter limiter, int permits, int pairs)
        {
            for (var i = 0; i < pairs; i++)
            {
                if (!limiter.TryAcquire(permits, out var lease))
                {
                    Assert.Fail("an uncontended limiter must grant at once");
                }

                lease.Dispose();
            }
        }
    }
}
