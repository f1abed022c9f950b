using Governance;
using Microsoft.Extensions.Time.Testing;

namespace Governance.Tests.Limiting;

public sealed class TaskLimiterOptionsTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void Constructor_MaxConcurrencyNotPositive_ThrowsNamingTheOption(int maxConcurrency)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new TaskLimiter(new TaskLimiterOptions { MaxConcurrency = maxConcurrency }));
        Assert.Contains("MaxConcurrency", ex.Message, StringComparison.Ordinal);
        Assert.Equal(maxConcurrency, ex.ActualValue);
    }

    [Fact]
    public void Constructor_MaxConcurrencyLeftAtDefault_Throws()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new TaskLimiter(new TaskLimiterOptions()));
        Assert.Contains("MaxConcurrency", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NegativeQueueLimit_ThrowsNamingTheOption()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new TaskLimiter(new TaskLimiterOptions { MaxConcurrency = 1, QueueLimit = -1 }));
        Assert.Contains("QueueLimit", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(-20_000L)]
    public void Constructor_QueueTimeoutNotPositive_ThrowsNamingTheOption(long ticks)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new TaskLimiter(new TaskLimiterOptions { MaxConcurrency = 1, QueueTimeout = TimeSpan.FromTicks(ticks) }));
        Assert.Contains("QueueTimeout", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_QueueTimeoutBeyondTimerRange_ThrowsNamingTheOption()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new TaskLimiter(new TaskLimiterOptions { MaxConcurrency = 1, QueueTimeout = TimeSpan.FromDays(60) }));
        Assert.Contains("QueueTimeout", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NullOptions_Throws() =>
        Assert.Throws<ArgumentNullException>(() => new TaskLimiter(null!));

    [Fact]
    public void Constructor_NullName_ThrowsNamingTheOption()
    {
        var ex = Assert.Throws<ArgumentException>(() => new TaskLimiter(new TaskLimiterOptions { MaxConcurrency = 1, Name = null! }));
        Assert.Contains("Name", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NullTimeProvider_ThrowsNamingTheOption()
    {
        var ex = Assert.Throws<ArgumentException>(() => new TaskLimiter(new TaskLimiterOptions { MaxConcurrency = 1, TimeProvider = null! }));
        Assert.Contains("TimeProvider", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_ValidOptions_AreCopiedNotReferenced()
    {
        var options = new TaskLimiterOptions
        {
            MaxConcurrency = 3,
            QueueLimit = 7,
            QueueTimeout = TimeSpan.FromSeconds(2),
            Name = "orders",
            TimeProvider = new FakeTimeProvider(),
        };
        using var limiter = new TaskLimiter(options);
        options.MaxConcurrency = 100;
        options.QueueLimit = 100;
        options.Name = "changed";

        Assert.Equal(3, limiter.MaxConcurrency);
        Assert.Equal(7, limiter.QueueLimit);
        Assert.Equal(TimeSpan.FromSeconds(2), limiter.QueueTimeout);
        Assert.Equal("orders", limiter.Name);
    }

    [Fact]
    public void Defaults_RejectAtOnceAndWaitForever()
    {
        var options = new TaskLimiterOptions();
        Assert.Equal(0, options.QueueLimit);
        Assert.Equal(Timeout.InfiniteTimeSpan, options.QueueTimeout);
        Assert.Same(TimeProvider.System, options.TimeProvider);
        Assert.Equal("default", options.Name);
        Assert.Null(options.MeterFactory);
    }

    [Fact]
    public void Constructor_InfiniteQueueTimeout_IsAccepted()
    {
        using var limiter = new TaskLimiter(new TaskLimiterOptions { MaxConcurrency = 1, QueueTimeout = Timeout.InfiniteTimeSpan });
        Assert.Equal(Timeout.InfiniteTimeSpan, limiter.QueueTimeout);
    }
}
