using System.Threading.Channels;
using Governance;

namespace Governance.Tests.Ticking;

/// <summary>
/// A machine whose handlers are supplied by the test. It records, on channels the test can await, each handler that
/// starts and each that ends, and it tracks how many handlers run at once.
/// </summary>
internal sealed class TestMachine(TickerStateMachineOptions options) : TickerStateMachine<int>(options)
{
    private int _inFlight;
    private int _maxInFlight;

    public Func<CancellationToken, ValueTask> Tick { get; set; } = _ => default;

    public Func<int, CancellationToken, ValueTask> Event { get; set; } = (_, _) => default;

    /// <summary>"tick" or "event:N" when a handler starts.</summary>
    public Channel<string> Started { get; } = Channel.CreateUnbounded<string>();

    /// <summary>"tick" or "event:N" when a handler returns or throws.</summary>
    public Channel<string> Ended { get; } = Channel.CreateUnbounded<string>();

    public List<(int? Event, Exception Exception)> FailuresSeen { get; } = new();

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    /// <summary>The next record of <paramref name="channel"/>, or a test failure after the bound.</summary>
    public static Task<string> NextAsync(Channel<string> channel) => channel.Reader.ReadAsync().AsTask().Bounded();

    /// <summary>The next <paramref name="count"/> records of <paramref name="channel"/>.</summary>
    public static async Task<string[]> NextAsync(Channel<string> channel, int count)
    {
        var records = new string[count];
        for (var i = 0; i < count; i++)
        {
            records[i] = await NextAsync(channel);
        }

        return records;
    }

    /// <summary>Blocks until the loop sleeps on its doorbell with nothing to do, or fails the test after the bound.</summary>
    public void WaitUntilAsleep() =>
        Assert.True(SpinWait.SpinUntil(() => IsLoopSleeping, TaskTestExtensions.Limit), "The loop never went to sleep.");

    protected override async ValueTask DisposeAsyncCore()
    {
        // Disposal drains the queue and waits for the running handler. A test that fails while a handler waits on one
        // of its gates would hang here instead of failing; bound the wait so that it fails.
        try
        {
            await base.DisposeAsyncCore().AsTask().WaitAsync(TaskTestExtensions.Limit);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException("The machine did not stop: a handler is still waiting on a gate the test never opened.", ex);
        }
    }

    protected override async ValueTask OnTickAsync(CancellationToken cancellationToken)
    {
        Enter("tick");
        try
        {
            await Tick(cancellationToken);
        }
        finally
        {
            Leave("tick");
        }
    }

    protected override async ValueTask OnEventAsync(int item, CancellationToken cancellationToken)
    {
        Enter($"event:{item}");
        try
        {
            await Event(item, cancellationToken);
        }
        finally
        {
            Leave($"event:{item}");
        }
    }

    protected override void OnTickFailed(Exception exception) => FailuresSeen.Add((null, exception));

    protected override void OnEventFailed(int item, Exception exception) => FailuresSeen.Add((item, exception));

    private void Enter(string what)
    {
        var now = Interlocked.Increment(ref _inFlight);
        var max = Volatile.Read(ref _maxInFlight);
        while (now > max)
        {
            var observed = Interlocked.CompareExchange(ref _maxInFlight, now, max);
            if (observed == max)
            {
                break;
            }

            max = observed;
        }

        Started.Writer.TryWrite(what);
    }

    private void Leave(string what)
    {
        Interlocked.Decrement(ref _inFlight);
        Ended.Writer.TryWrite(what);
    }
}
