using Governance.AspNetCore;
using Microsoft.Extensions.Time.Testing;

namespace Governance.AspNetCore.Tests;

public sealed class LimiterPolicyTests
{
    [Fact]
    public async Task ForHeaderLimit_AnotherValueArrivesBeforeTheFirstRequestAcquires_FirstRequestIsNotRejectedAsDisposed()
    {
        using var limiter = new TaskLimiter(new TaskLimiterOptions { Name = "orders", MaxConcurrency = 10, TimeProvider = new FakeTimeProvider() });
        var policy = new LimiterPolicy("orders", limiter, maxHeaderLimits: 1);

        // Request A gets the limiter for its header value but has not acquired from it yet...
        var first = policy.RentHeaderLimiter(2)!;

        // ...when request B, with another value, needs room and finds A's limiter idle: B must not evict it.
        Assert.Null(policy.RentHeaderLimiter(3));

        using (var lease = await first.Limiter.AcquireAsync())
        {
            Assert.Equal(1, first.Limiter.GetStatistics().InFlight);
        }

        // Once A is done, its limiter makes room for the next value.
        policy.Return(first);
        var second = policy.RentHeaderLimiter(3);
        Assert.NotNull(second);
        Assert.Equal("orders:header-3", second.Limiter.Name);
        Assert.Equal(1, policy.HeaderLimitCount);
        policy.Return(second);
    }

    [Fact]
    public void RentHeaderLimiter_ValueThatWouldNotLowerTheLimit_ReturnsNull()
    {
        using var limiter = new TaskLimiter(new TaskLimiterOptions { Name = "orders", MaxConcurrency = 4 });
        var policy = new LimiterPolicy("orders", limiter, maxHeaderLimits: 8);
        Assert.Null(policy.RentHeaderLimiter(4));
        Assert.Null(policy.RentHeaderLimiter(0));
        Assert.Equal(0, policy.HeaderLimitCount);
    }

    [Fact]
    public void RentHeaderLimiter_SameValue_SharesOneLimiterWithTheParentsClockAndMeter()
    {
        var time = new FakeTimeProvider();
        using var limiter = new TaskLimiter(new TaskLimiterOptions { Name = "orders", MaxConcurrency = 4, QueueLimit = 3, TimeProvider = time });
        var policy = new LimiterPolicy("orders", limiter, maxHeaderLimits: 8);
        var a = policy.RentHeaderLimiter(2)!;
        var b = policy.RentHeaderLimiter(2)!;
        Assert.Same(a, b);
        Assert.Same(time, a.Limiter.TimeProvider);
        Assert.Equal(3, a.Limiter.QueueLimit);
        policy.Return(a);
        policy.Return(b);
    }
}
