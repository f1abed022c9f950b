using Governance;
using Microsoft.Extensions.Time.Testing;

namespace Governance.Tests.Ticking;

public sealed class TickerStateMachineOptionsTests
{
    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(-10_000_000L)]
    public void Constructor_PeriodNotPositive_ThrowsNamingTheOption(long ticks)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new TestMachine(new TickerStateMachineOptions { Period = TimeSpan.FromTicks(ticks) }));
        Assert.Contains("Period", ex.Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromTicks(ticks), ex.ActualValue);
    }

    [Fact]
    public void Constructor_PeriodLeftAtDefault_ThrowsNamingTheOption()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new TestMachine(new TickerStateMachineOptions()));
        Assert.Contains("Period", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_PeriodBeyondTimerRange_ThrowsNamingTheOption()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new TestMachine(new TickerStateMachineOptions { Period = TimeSpan.FromDays(60) }));
        Assert.Contains("Period", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void Constructor_EventCapacityNotPositive_ThrowsNamingTheOption(int capacity)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new TestMachine(new TickerStateMachineOptions { Period = TimeSpan.FromSeconds(1), EventCapacity = capacity }));
        Assert.Contains("EventCapacity", ex.Message, StringComparison.Ordinal);
        Assert.Equal(capacity, ex.ActualValue);
    }

    [Fact]
    public void Constructor_NullTimeProvider_ThrowsNamingTheOption()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            new TestMachine(new TickerStateMachineOptions { Period = TimeSpan.FromSeconds(1), TimeProvider = null! }));
        Assert.Contains("TimeProvider", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NullOptions_Throws() =>
        Assert.Throws<ArgumentNullException>(() => new TestMachine(null!));

    [Fact]
    public async Task Constructor_ValidOptions_AreCopiedNotReferenced()
    {
        var options = new TickerStateMachineOptions
        {
            Period = TimeSpan.FromSeconds(5),
            EventCapacity = 3,
            Name = "orders",
            TimeProvider = new FakeTimeProvider(),
        };
        await using var machine = new TestMachine(options);
        options.Period = TimeSpan.FromSeconds(1);
        options.EventCapacity = 100;
        options.Name = "changed";

        Assert.Equal(TimeSpan.FromSeconds(5), machine.Period);
        Assert.Equal(3, machine.EventCapacity);
        Assert.Equal("orders", machine.Name);
    }

    [Fact]
    public async Task Name_NotGiven_IsTheMachinesTypeName()
    {
        await using var machine = new TestMachine(new TickerStateMachineOptions { Period = TimeSpan.FromSeconds(1) });
        Assert.Equal(nameof(TestMachine), machine.Name);
    }

    [Fact]
    public void Defaults_QueueOf1024SystemClockAndGoOnAfterFailures()
    {
        var options = new TickerStateMachineOptions();
        Assert.Equal(TimeSpan.Zero, options.Period);
        Assert.Equal(1024, options.EventCapacity);
        Assert.Null(options.Name);
        Assert.Same(TimeProvider.System, options.TimeProvider);
        Assert.False(options.StopOnError);
        Assert.Null(options.Logger);
        Assert.Null(options.MeterFactory);
    }
}
