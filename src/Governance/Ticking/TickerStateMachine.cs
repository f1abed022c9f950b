using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Governance;

/// <summary>
/// The part of every <see cref="TickerStateMachine{TEvent}"/> that does not depend on its event type: the lifecycle
/// (<see cref="StartAsync"/>, <see cref="StopAsync"/>, <see cref="DisposeAsync"/>), the ticks and the counters.
/// Hosting code that starts and stops machines of any event type works with this type.
/// </summary>
/// <remarks>
/// Derive from <see cref="TickerStateMachine{TEvent}"/>; this type cannot be derived from directly.
/// <para><b>Thread safety.</b> Every public member is safe to call concurrently. The handlers never run concurrently
/// with each other (see <see cref="TickerStateMachine{TEvent}"/>).</para>
/// </remarks>
public abstract class TickerStateMachine : IAsyncDisposable, ICensusSource
{
    // Lifecycle: Created -> Running -> Stopping, or Created -> Stopping. There is no way back: a stopped machine stays
    // stopped, like a stopped Go ticker. Completion tells when the loop has really ended.
    private const int Created = 0;
    private const int Running = 1;
    private const int Stopping = 2;

    private static readonly TimerCallback s_onTimer = static state => ((TickerStateMachine)state!).OnTimer();

    private static readonly Action<ILogger, string, string, Exception?> s_logHandlerFailed = LoggerMessage.Define<string, string>(
        LogLevel.Error, new EventId(1, "TickerHandlerFailed"), "Ticker state machine '{TickerName}': the {Handler} handler failed.");

    private static readonly Action<ILogger, string, Exception?> s_logStoppingOnError = LoggerMessage.Define<string>(
        LogLevel.Error, new EventId(2, "TickerStoppingOnError"), "Ticker state machine '{TickerName}' stops because a handler failed and StopOnError is set.");

    private static readonly Action<ILogger, string, string, Exception?> s_logErrorHookFailed = LoggerMessage.Define<string, string>(
        LogLevel.Error, new EventId(3, "TickerErrorHookFailed"), "Ticker state machine '{TickerName}': {Hook} threw; the original failure was reported.");

    private readonly TimeProvider _timeProvider;
    private readonly bool _stopOnError;
    private readonly ILogger? _logger;
    private readonly TickerMetrics _metrics;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Fired when a StopAsync token fires: the running handler sees it through its token, and the loop abandons the
    // events still queued. Never disposed: a CancellationTokenSource without timers or links holds no resources, and
    // a late StopAsync may still cancel it after the machine is disposed.
    private readonly CancellationTokenSource _abort = new();

    // The loop sleeps on this when there is nothing to do; whoever gives it work (a post, the timer, a stop) rings it.
    // Its count never exceeds one: only the waker that flips _sleeping from 1 to 0 releases it (see WakeLoop). Never
    // disposed: it never allocates a wait handle, and a timer callback may still ring it after the machine is disposed.
    private readonly SemaphoreSlim _doorbell = new(0);

    private int _state;
    private int _sleeping;

    // Creating, changing and disposing the timer happen under this lock, so that a period set while the machine starts
    // or stops is never lost and never applied to a disposed timer.
    private readonly Lock _timerLock = new();
    private ITimer? _timer;
    private long _periodTicks;

    // At most one tick is pending, as Go's ticker channel holds at most one: the timer sets the flag and the loop
    // clears it when it runs the tick, so firings while a tick is pending merge into it.
    private int _tickPending;

    // Written by the loop only (one writer), read by anyone through GetStatistics.
    private long _ticksHandled;
    private long _eventsHandled;
    private long _tickFailures;
    private long _eventFailures;
    private long _eventsAbandoned;

    // Written by timer callbacks and posters: Interlocked.
    private long _ticksCoalesced;
    private long _rejectedFull;
    private long _rejectedStopped;

    // Loop only: the failure that stops the loop when StopOnError is set.
    private Exception? _fatalFailure;

    // The task census: the loop is one unit, running a handler or waiting for work, from its start to its end.
    private readonly CreationSite _site;
    private CensusContext? _censusContext;
    private long _loopStartedAt;
    private volatile bool _loopHandling;

    private protected TickerStateMachine(TickerStateMachineOptions options, CreationSite site)
    {
        _site = site;
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { } invalid)
        {
            throw invalid;
        }

        Name = options.Name ?? GetType().Name;
        _periodTicks = options.Period.Ticks;
        EventCapacity = options.EventCapacity;
        _timeProvider = options.TimeProvider;
        _stopOnError = options.StopOnError;
        _logger = options.Logger;
        _metrics = TickerMetrics.For(MeterProvider.Get(options.MeterFactory));
    }

    /// <summary>The machine's name, from <see cref="TickerStateMachineOptions.Name"/> or the derived type's name.</summary>
    public string Name { get; }

    /// <summary>The time between two ticks: <see cref="TickerStateMachineOptions.Period"/>, or the last <see cref="SetPeriod"/>.</summary>
    public TimeSpan Period => new(Volatile.Read(ref _periodTicks));

    /// <summary>How many posted events may wait for the loop.</summary>
    public int EventCapacity { get; }

    /// <summary>
    /// Completes when the loop has ended: successfully after a stop, or faulted with the handler's exception when the
    /// machine stopped on an error (<see cref="TickerStateMachineOptions.StopOnError"/>).
    /// </summary>
    /// <remarks>
    /// Pending while the machine runs, and before it starts (a machine that is never started completes when it is
    /// stopped). After a stop cut short by its token, it completes once the handler that was running returns.
    /// </remarks>
    public Task Completion => _completion.Task;

    /// <summary>Starts the timer and the loop. Events posted before the start wait in the queue and are handled in order.</summary>
    /// <param name="cancellationToken">Checked once, before starting; the machine runs until <see cref="StopAsync"/>.</param>
    /// <returns>A completed task: starting never waits for a handler.</returns>
    /// <remarks>
    /// The first tick comes one <see cref="Period"/> after the start. The loop runs on the thread pool without the
    /// caller's <see cref="ExecutionContext"/>, so ambient state (an <see cref="Activity"/>, AsyncLocal values) of
    /// whoever starts the machine does not leak into every handler it will ever run.
    /// </remarks>
    /// <exception cref="InvalidOperationException">The machine was already started, or it was stopped: a machine runs once.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> has fired; the machine did not start.</exception>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        var previous = Interlocked.CompareExchange(ref _state, Running, Created);
        if (previous != Created)
        {
            throw new InvalidOperationException(previous == Running
                ? $"The ticker state machine '{Name}' is already started."
                : $"The ticker state machine '{Name}' is stopped; a machine cannot be restarted, create a new one.");
        }

        // A stop may land between the transition above and the loop's start. That is fine: the loop disposes the timer
        // when it ends, and it reads _timer only after Task.Run has published it.
        // SuppressFlow throws when the flow is already suppressed (a caller may start machines from such a region).
        var restoreFlow = !ExecutionContext.IsFlowSuppressed();
        if (restoreFlow)
        {
            ExecutionContext.SuppressFlow();
        }

        try
        {
            lock (_timerLock)
            {
                _timer = _timeProvider.CreateTimer(s_onTimer, this, Period, Period);
            }

            CensusCounters.Started(GovernedOwnerKind.Ticker);
            if (TaskCensus.Enabled)
            {
                // The starter's census scope and labels, read explicitly: the loop itself runs without its context.
                _censusContext = TaskCensus.CurrentContext;
                _censusContext?.Scope?.NoteStarted();
                _loopStartedAt = CensusClock.Now(_timeProvider);
                _loopHandling = true;
                TaskCensus.Register(this);
            }

            _ = Task.Run(RunLoopAsync, CancellationToken.None);
        }
        finally
        {
            if (restoreFlow)
            {
                ExecutionContext.RestoreFlow();
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops the machine: no more ticks, no more events accepted, and the events already accepted are handled before
    /// the loop ends — unless <paramref name="cancellationToken"/> fires first.
    /// </summary>
    /// <param name="cancellationToken">
    /// Makes the stop no longer graceful, as in <c>IHostedService.StopAsync</c>: when it fires, the token passed to the
    /// running handler fires, the events still queued are abandoned (counted in
    /// <see cref="TickerStateMachineStatistics.EventsAbandoned"/> and the <c>governance.ticker.abandoned_events</c>
    /// metric), and this method returns without waiting for the running handler. <see cref="Completion"/> completes when
    /// that handler returns.
    /// </param>
    /// <returns>A task that completes when the loop has ended, or when the token fires.</returns>
    /// <remarks>
    /// Idempotent and safe to call concurrently: every call waits for the same loop. A tick that is pending when the stop
    /// begins is not run. Posting after a stop began is refused (<see cref="TickerStateMachine{TEvent}.Post"/> returns
    /// <see langword="false"/>, <see cref="TickerStateMachine{TEvent}.PostAsync"/> throws), and so is posting that was
    /// waiting for space. Stopping a machine that was never started abandons the events posted to it.
    /// </remarks>
    /// <exception cref="Exception">The machine stopped on a handler failure (<see cref="TickerStateMachineOptions.StopOnError"/>): that failure is rethrown.</exception>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        BeginStop();
        try
        {
            await _completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !_completion.Task.IsCompleted)
        {
            AbortLoop();
        }
    }

    /// <summary>Changes the time between two ticks, live.</summary>
    /// <param name="period">The new period; positive and at most 49 days.</param>
    /// <remarks>
    /// On a running machine the next tick comes one new period after this call, and every period after that; a tick
    /// already pending still runs. Before the start, the timer starts with this period; after a stop, it has no effect.
    /// Registered machines call it when configuration reloads (see
    /// <c>TickerStateMachineServiceCollectionExtensions.AddTickerStateMachine</c>).
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="period"/> is not positive or exceeds 49 days; the period is unchanged.</exception>
    public void SetPeriod(TimeSpan period)
    {
        if (TickerStateMachineOptions.ValidatePeriod(period, nameof(period)) is { } invalid)
        {
            throw invalid;
        }

        lock (_timerLock)
        {
            Volatile.Write(ref _periodTicks, period.Ticks);
            _timer?.Change(period, period);
        }
    }

    /// <summary>Reads the machine's counters.</summary>
    /// <returns>The snapshot.</returns>
    public TickerStateMachineStatistics GetStatistics() => new()
    {
        Name = Name,
        PendingEvents = PendingEventCount,
        TicksHandled = Interlocked.Read(ref _ticksHandled),
        TicksCoalesced = Interlocked.Read(ref _ticksCoalesced),
        EventsHandled = Interlocked.Read(ref _eventsHandled),
        TickFailures = Interlocked.Read(ref _tickFailures),
        EventFailures = Interlocked.Read(ref _eventFailures),
        RejectedFull = Interlocked.Read(ref _rejectedFull),
        RejectedStopped = Interlocked.Read(ref _rejectedStopped),
        EventsAbandoned = Interlocked.Read(ref _eventsAbandoned),
    };

    /// <summary>
    /// Stops the machine as <see cref="StopAsync"/> with no token does — pending events are handled first — and
    /// releases its resources.
    /// </summary>
    /// <returns>A task that completes when the loop has ended.</returns>
    /// <remarks>
    /// A handler failure that stopped the machine is not rethrown here (it was reported, and <see cref="Completion"/>
    /// still carries it). To bound how long disposal waits for the queue to drain, call <see cref="StopAsync"/> with a
    /// token first.
    /// </remarks>
    public async ValueTask DisposeAsync()
    {
        await DisposeAsyncCore().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>Stops the machine and releases its resources; override to release the derived machine's own, calling the base.</summary>
    /// <returns>A task that completes when the loop has ended.</returns>
    protected virtual async ValueTask DisposeAsyncCore()
    {
        BeginStop();

        // Awaited without rethrowing: a failure that stopped the loop was reported when it happened.
        await _completion.Task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _metrics.Unregister(this);
    }

    /// <summary>Runs on every tick, on the loop: never concurrently with another tick or with an event.</summary>
    /// <param name="cancellationToken">Fires when a stop is cut short by its token (see <see cref="StopAsync"/>).</param>
    /// <returns>A task that completes when the tick is handled. The next tick or event waits for it.</returns>
    /// <remarks>
    /// A tick that takes longer than <see cref="Period"/> does not make ticks pile up: the firings meanwhile merge into
    /// one pending tick, which runs as soon as this one returns (counted in
    /// <see cref="TickerStateMachineStatistics.TicksCoalesced"/>).
    /// </remarks>
    protected abstract ValueTask OnTickAsync(CancellationToken cancellationToken);

    /// <summary>Called on the loop after <see cref="OnTickAsync"/> threw; the failure was already counted and logged.</summary>
    /// <param name="exception">What the tick handler threw.</param>
    /// <remarks>
    /// Runs on the loop, so it may read and change the machine's state without locks. It must not block. If it throws,
    /// that is logged and otherwise ignored. Whether the loop goes on is decided by
    /// <see cref="TickerStateMachineOptions.StopOnError"/>, not here.
    /// </remarks>
    protected virtual void OnTickFailed(Exception exception)
    {
    }

    /// <summary>Whether the loop has found nothing to do and sleeps (or is about to) until someone rings. For tests.</summary>
    internal bool IsLoopSleeping => Volatile.Read(ref _sleeping) != 0;

    /// <summary>Events accepted and not yet handled.</summary>
    private protected abstract int PendingEventCount { get; }

    /// <summary>Stops accepting events. Idempotent; after it returns, no event can be added to the queue.</summary>
    private protected abstract void CloseIntake();

    /// <summary>Takes the next queued event and runs the event handler on it; <see langword="false"/> when none is queued.</summary>
    private protected abstract ValueTask<bool> HandleNextEventAsync(CancellationToken cancellationToken);

    /// <summary>Removes every queued event without handling it; returns how many there were. Called after <see cref="CloseIntake"/>.</summary>
    private protected abstract int DiscardPendingEvents();

    /// <summary>
    /// Puts the machine on the meter's instruments. Called by the derived constructor once its queue exists: a listener
    /// may collect at any moment, and collecting reads the queue.
    /// </summary>
    private protected void RegisterMetrics() => _metrics.Register(this);

    /// <summary>Counts a refused post.</summary>
    private protected void CountRejected(bool stopped)
    {
        if (stopped)
        {
            Interlocked.Increment(ref _rejectedStopped);
        }
        else
        {
            Interlocked.Increment(ref _rejectedFull);
        }
    }

    /// <summary>Counts an event handed to the event handler. Loop only.</summary>
    private protected void CountEventHandled() => Volatile.Write(ref _eventsHandled, _eventsHandled + 1);

    /// <summary>
    /// Counts, logs and remembers a handler failure, then runs <paramref name="hook"/>. Loop only. With
    /// <see cref="TickerStateMachineOptions.StopOnError"/>, the remembered failure ends the loop after this handler.
    /// </summary>
    private protected void ReportFailure<TState>(Exception exception, bool duringTick, Action<TState, Exception> hook, TState state)
    {
        if (duringTick)
        {
            Volatile.Write(ref _tickFailures, _tickFailures + 1);
        }
        else
        {
            Volatile.Write(ref _eventFailures, _eventFailures + 1);
        }

        var handler = duringTick ? "tick" : "event";
        if (_logger is not null)
        {
            s_logHandlerFailed(_logger, Name, handler, exception);
        }

        try
        {
            hook(state, exception);
        }
        catch (Exception hookFailure) when (_logger is not null)
        {
            s_logErrorHookFailed(_logger, Name, duringTick ? nameof(OnTickFailed) : "OnEventFailed", hookFailure);
        }
        catch (Exception)
        {
            // The hook is the user's reporting channel; with no logger there is nowhere left to report its own failure,
            // and letting it out would kill the loop that StopOnError = false promised to keep alive.
        }

        if (!_stopOnError)
        {
            return;
        }

        if (_logger is not null)
        {
            s_logStoppingOnError(_logger, Name, exception);
        }

        _fatalFailure ??= exception;
    }

    /// <summary>Whether <paramref name="exception"/> is the handler honouring an aborted stop, which is not a failure.</summary>
    private protected bool IsAbortCancellation(Exception exception) =>
        exception is OperationCanceledException && _abort.IsCancellationRequested;

    /// <summary>Rings the loop after giving it work (an event, a tick, a stop).</summary>
    private protected void WakeLoop()
    {
        // A full fence, paired with the one in SleepAsync, as in Dekker's algorithm: the loop publishes _sleeping = 1
        // and then looks for work; a waker publishes work and then looks at _sleeping. At least one of them sees the
        // other's write, so the loop never sleeps on work that nobody will ring for.
        Interlocked.MemoryBarrier();

        // Perf: a posting thread pays one fence and one read while the loop is busy; only the waker that flips the flag
        // rings, so the doorbell's count stays at most one.
        if (Volatile.Read(ref _sleeping) != 0 && Interlocked.Exchange(ref _sleeping, 0) != 0)
        {
            _doorbell.Release();
        }
    }

    private void BeginStop()
    {
        // Intake closes before the state says Stopping, so a loop that sees Stopping and an empty queue knows the queue
        // stays empty: a plain stop abandons nothing.
        CloseIntake();
        while (true)
        {
            var state = Volatile.Read(ref _state);
            if (state == Stopping)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref _state, Stopping, state) != state)
            {
                continue;
            }

            if (state == Created)
            {
                // Never started: there is no loop to drain the queue or to complete.
                Interlocked.Add(ref _eventsAbandoned, DiscardPendingEvents());
                _completion.TrySetResult();
            }
            else
            {
                WakeLoop();
            }

            return;
        }
    }

    private void AbortLoop()
    {
        // User code: the handler's registrations on its token run here, on the stopping thread.
        _abort.Cancel();
        WakeLoop();
    }

    private void OnTimer()
    {
        if (Volatile.Read(ref _state) != Running)
        {
            return; // Stopping: ticks are no longer run, so they are not counted as coalesced either.
        }

        if (Interlocked.Exchange(ref _tickPending, 1) != 0)
        {
            Interlocked.Increment(ref _ticksCoalesced);
            return;
        }

        WakeLoop();
    }

    private async Task RunLoopAsync()
    {
        Exception? loopFailure = null;
        var token = _abort.Token;
        try
        {
            while (!token.IsCancellationRequested && _fatalFailure is null)
            {
                // A pending tick goes first, every time round: at most one event runs between two ticks, so a flood of
                // events cannot starve the ticker. Once stopping, ticks are no longer run; the queue is drained.
                if (Volatile.Read(ref _state) == Running && Interlocked.Exchange(ref _tickPending, 0) != 0)
                {
                    await RunTickAsync(token).ConfigureAwait(false);
                    continue;
                }

                if (await HandleNextEventAsync(token).ConfigureAwait(false))
                {
                    continue;
                }

                if (Volatile.Read(ref _state) == Stopping)
                {
                    break; // Drained; intake closed before the state changed (see BeginStop), so nothing more comes.
                }

                _loopHandling = false;
                await SleepAsync().ConfigureAwait(false);
                _loopHandling = true;
            }
        }
        catch (Exception ex)
        {
            // Handlers' failures never reach here; this is a bug in the loop. Ending the machine with it beats a
            // machine that silently stopped ticking.
            loopFailure = ex;
        }

        // A failure or an abort ends the loop while events may still be queued: refuse new ones and count the rest.
        CloseIntake();
        Volatile.Write(ref _state, Stopping);
        Interlocked.Add(ref _eventsAbandoned, DiscardPendingEvents());
        lock (_timerLock)
        {
            _timer?.Dispose();
            _timer = null;
        }

        TaskCensus.Unregister(this);
        var failure = _fatalFailure ?? loopFailure;
        if (failure is null)
        {
            _completion.TrySetResult();
        }
        else
        {
            _completion.TrySetException(failure);
        }
    }

    private async ValueTask RunTickAsync(CancellationToken cancellationToken)
    {
        Volatile.Write(ref _ticksHandled, _ticksHandled + 1);
        try
        {
            await OnTickAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!IsAbortCancellation(ex))
        {
            ReportFailure(ex, duringTick: true, static (machine, e) => machine.OnTickFailed(e), this);
        }
        catch (OperationCanceledException)
        {
            // The handler honoured an aborted stop; the loop ends on its own.
        }
    }

    GovernedOwnerKind ICensusSource.Kind => GovernedOwnerKind.Ticker;

    int ICensusSource.LiveUnits => 1;

    void ICensusSource.CollectUnits(List<GovernedUnit> into) => into.Add(new GovernedUnit(
        _site, GovernedOwnerKind.Ticker, Name, _loopHandling ? GovernedUnitState.Running : GovernedUnitState.Waiting,
        CensusClock.Age(_timeProvider, _loopStartedAt), _censusContext?.Labels ?? CensusContext.NoLabels, 1)
    {
        Context = _censusContext,
    });

    private async ValueTask SleepAsync()
    {
        Interlocked.Exchange(ref _sleeping, 1);
        if (Volatile.Read(ref _tickPending) != 0 || PendingEventCount != 0 || Volatile.Read(ref _state) == Stopping || _abort.IsCancellationRequested)
        {
            if (Interlocked.Exchange(ref _sleeping, 0) != 0)
            {
                return;
            }

            // A waker flipped the flag first and owes the doorbell one release: take it, so the count stays at zero.
        }

        await _doorbell.WaitAsync().ConfigureAwait(false);
        Debug.Assert(Volatile.Read(ref _sleeping) == 0);
    }
}
