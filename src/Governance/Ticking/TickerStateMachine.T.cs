using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Governance;

/// <summary>
/// One loop that serialises ticks and events — the .NET form of Go's <c>for { select { case &lt;-ticker.C: ...; case e :=
/// &lt;-events: ... } }</c> state machine. Derive from it, keep the state in fields, and handle ticks in
/// <see cref="TickerStateMachine.OnTickAsync"/> and events in <see cref="OnEventAsync"/>: the handlers never run
/// concurrently, so the state needs no locks.
/// </summary>
/// <typeparam name="TEvent">The type of the events posted to the machine.</typeparam>
/// <remarks>
/// <para><b>Ticks.</b> A periodic timer from <see cref="TickerStateMachineOptions.TimeProvider"/> fires every
/// <see cref="TickerStateMachine.Period"/>. Ticks never overlap and never pile up: a firing while a tick is pending
/// merges into it (at most one tick waits, as in Go, where a slow receiver makes the ticker drop ticks). A pending tick
/// runs before the next event, so a tick that falls due waits only for the handler running at that moment, and a flood
/// of events cannot starve the ticks.</para>
/// <para><b>Events.</b> Posted events wait in a bounded FIFO queue of <see cref="TickerStateMachine.EventCapacity"/>.
/// <see cref="Post"/> never waits and returns <see langword="false"/> when the queue is full;
/// <see cref="PostAsync"/> waits for space, which pushes back on the producer. An event is never dropped silently:
/// every refusal is reported to the caller and counted, and every accepted event is either handled once or, when a
/// stop is cut short or the machine stops on an error, counted as abandoned. Events posted before
/// <see cref="TickerStateMachine.StartAsync"/> wait in the queue and are handled in order once it runs.</para>
/// <para><b>Failures.</b> A handler that throws is reported — counted (<c>governance.ticker.failures</c>), logged to
/// <see cref="TickerStateMachineOptions.Logger"/>, and passed to <see cref="TickerStateMachine.OnTickFailed"/> or
/// <see cref="OnEventFailed"/> — and the loop goes on, unless <see cref="TickerStateMachineOptions.StopOnError"/>
/// is set: then the machine stops and the failure surfaces from <see cref="TickerStateMachine.StopAsync"/> and
/// <see cref="TickerStateMachine.Completion"/>.</para>
/// <para><b>Thread safety.</b> <see cref="Post"/>, <see cref="PostAsync"/> and the lifecycle members are safe to call
/// from any thread, including from a handler — but a handler must not <em>await</em> <see cref="PostAsync"/> on its
/// own machine while the queue is full, nor its own <see cref="TickerStateMachine.StopAsync"/> or
/// <see cref="TickerStateMachine.DisposeAsync"/>: the loop would wait for itself. (A handler may start a stop without
/// awaiting it.)</para>
/// <para><b>Cancellation and disposal.</b> The token handed to the handlers fires only when a stop is cut short by its
/// token (see <see cref="TickerStateMachine.StopAsync"/>). <see cref="TickerStateMachine.DisposeAsync"/> stops the
/// machine and waits until the queue is drained.</para>
/// <para><b>Metrics.</b> The machine publishes on the <c>Governance</c> meter (see <see cref="GovernanceMeter"/>) with
/// the tag <c>governance.ticker.name</c>: <c>governance.ticker.ticks</c>, <c>.coalesced_ticks</c>, <c>.events</c>,
/// <c>.pending_events</c>, <c>.failures</c> (tag <c>governance.ticker.handler</c>: <c>tick</c> or <c>event</c>),
/// <c>.rejected_events</c> (tag <c>governance.rejection.reason</c>: <c>queue_full</c> or <c>stopped</c>) and
/// <c>.abandoned_events</c>.</para>
/// </remarks>
/// <example>
/// One loop replaces a poller per order; its state is plain fields.
/// <code>
/// sealed class OrderStateMachine(TimeProvider time) : TickerStateMachine&lt;OrderEvent&gt;(
///     new TickerStateMachineOptions { Name = "orders", Period = TimeSpan.FromSeconds(5), TimeProvider = time })
/// {
///     private readonly Dictionary&lt;string, Order&gt; _open = new();
///
///     protected override ValueTask OnEventAsync(OrderEvent e, CancellationToken ct) { _open[e.OrderId] = e.Order; return default; }
///     protected override async ValueTask OnTickAsync(CancellationToken ct) { foreach (var order in _open.Values) await PollAsync(order, ct); }
/// }
///
/// services.AddTickerStateMachine&lt;OrderStateMachine&gt;();   // started and stopped with the host
/// machine.Post(new OrderEvent(...));                         // false when the queue is full
/// </code>
/// </example>
public abstract class TickerStateMachine<TEvent> : TickerStateMachine
{
    private readonly Channel<TEvent> _events;

    // Set just before the channel closes, so that a refused post is told apart from a full queue without a window in
    // which a closed channel still looks merely full.
    private volatile bool _intakeClosed;

    /// <summary>Creates a machine with the given options; it does nothing until <see cref="TickerStateMachine.StartAsync"/>.</summary>
    /// <param name="options">The settings; validated and copied, so later changes to the object have no effect.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><see cref="TickerStateMachineOptions.TimeProvider"/> is <see langword="null"/>.</exception>
    /// <param name="callerMemberName">Filled in by the compiler: the derived constructor, the creation site the task census shows for the loop.</param>
    /// <param name="callerFilePath">Filled in by the compiler: the derived type's file.</param>
    /// <param name="callerLineNumber">Filled in by the compiler: the line of the derived constructor's call.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names the option.</exception>
#pragma warning disable RS0022 // The base is closed (private protected constructor) so that every machine has an event queue; opening it here, with its protected members, is the point.
    protected TickerStateMachine(
        TickerStateMachineOptions options,
        [CallerMemberName] string callerMemberName = "",
        [CallerFilePath] string callerFilePath = "",
        [CallerLineNumber] int callerLineNumber = 0)
#pragma warning restore RS0022
        : base(options, new CreationSite(callerMemberName, callerFilePath, callerLineNumber))
    {
        // The loop is the only reader. Writers that wait for space are served in order by the channel itself, and it
        // fails them with ChannelClosedException when intake closes, so no waiting poster is left behind by a stop.
        _events = Channel.CreateBounded<TEvent>(new BoundedChannelOptions(options.EventCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            AllowSynchronousContinuations = false,
        });
        RegisterMetrics();
    }

    /// <summary>Queues an event if there is room right now; never waits.</summary>
    /// <param name="item">The event.</param>
    /// <returns>
    /// <see langword="true"/> if the event was accepted; <see langword="false"/> if the queue is full or the machine is
    /// stopping or stopped. A refusal is counted (<c>governance.ticker.rejected_events</c>).
    /// </returns>
    public bool Post(TEvent item)
    {
        if (_events.Writer.TryWrite(item))
        {
            WakeLoop();
            return true;
        }

        CountRejected(stopped: _intakeClosed);
        return false;
    }

    /// <summary>Queues an event, waiting for room while the queue is full: backpressure on the producer.</summary>
    /// <param name="item">The event.</param>
    /// <param name="cancellationToken">Cancels the wait for room; the event is then not queued.</param>
    /// <returns>A task that completes when the event is queued. Completes synchronously when there is room.</returns>
    /// <exception cref="InvalidOperationException">The machine is stopping or stopped (also when it stops while this call waits); the event was not queued.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired before the event was queued.</exception>
    public ValueTask PostAsync(TEvent item, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        // Perf: with room in the queue, no async state machine and no allocation.
        if (_events.Writer.TryWrite(item))
        {
            WakeLoop();
            return default;
        }

        return PostSlowAsync(item, cancellationToken);
    }

    /// <summary>Handles one event, on the loop: never concurrently with a tick or another event.</summary>
    /// <param name="item">The event, in the order it was accepted.</param>
    /// <param name="cancellationToken">Fires when a stop is cut short by its token (see <see cref="TickerStateMachine.StopAsync"/>).</param>
    /// <returns>A task that completes when the event is handled. The next tick or event waits for it.</returns>
    protected abstract ValueTask OnEventAsync(TEvent item, CancellationToken cancellationToken);

    /// <summary>Called on the loop after <see cref="OnEventAsync"/> threw on <paramref name="item"/>; the failure was already counted and logged.</summary>
    /// <param name="item">The event being handled.</param>
    /// <param name="exception">What the event handler threw.</param>
    /// <remarks>
    /// Runs on the loop, so it may read and change the machine's state without locks (to park the event for a retry,
    /// say). It must not block. If it throws, that is logged and otherwise ignored. Whether the loop goes on is decided
    /// by <see cref="TickerStateMachineOptions.StopOnError"/>, not here.
    /// </remarks>
    protected virtual void OnEventFailed(TEvent item, Exception exception)
    {
    }

    private protected override int PendingEventCount => _events.Reader.Count;

    private protected override void CloseIntake()
    {
        _intakeClosed = true;
        _events.Writer.TryComplete();
    }

    private protected override async ValueTask<bool> HandleNextEventAsync(CancellationToken cancellationToken)
    {
        if (!_events.Reader.TryRead(out var item))
        {
            return false;
        }

        CountEventHandled();
        try
        {
            await OnEventAsync(item, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!IsAbortCancellation(ex))
        {
            ReportFailure(ex, duringTick: false, static (s, e) => s.Machine.OnEventFailed(s.Item, e), (Machine: this, Item: item));
        }
        catch (OperationCanceledException)
        {
            // The handler honoured an aborted stop; the loop ends on its own.
        }

        return true;
    }

    private protected override int DiscardPendingEvents()
    {
        var discarded = 0;
        while (_events.Reader.TryRead(out _))
        {
            discarded++;
        }

        return discarded;
    }

    private async ValueTask PostSlowAsync(TEvent item, CancellationToken cancellationToken)
    {
        try
        {
            await _events.Writer.WriteAsync(item, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            CountRejected(stopped: true);
            throw new InvalidOperationException(
                $"The ticker state machine '{Name}' is stopping or stopped and accepts no more events; the event was not queued.");
        }

        WakeLoop();
    }
}
