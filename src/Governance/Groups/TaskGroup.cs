using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading.Tasks.Sources;

namespace Governance;

/// <summary>
/// Runs units of work concurrently, at most <c>MaxConcurrency</c> at a time, and waits for them together — Go's
/// <c>errgroup</c> with <c>SetLimit</c>. The first failure cancels the group's token so the rest stop early, and
/// <see cref="WaitAsync"/> rethrows it.
/// </summary>
/// <remarks>
/// <code>
/// await using var group = new TaskGroup(maxConcurrency: 8, cancellationToken);
/// foreach (var order in orders)
/// {
///     await group.GoAsync(ct =&gt; ProcessAsync(order, ct));   // waits for a free slot: backpressure on the producer
/// }
/// await group.WaitAsync();                                    // the first failure, if any, is rethrown here
/// </code>
/// <para><b>Running work.</b> Each unit starts on the thread pool (never inline on the producer's thread), with the
/// producer's execution context (AsyncLocal values, the current Activity), and receives the group's
/// <see cref="CancellationToken"/>.</para>
/// <para><b>Failures.</b> A unit that throws, or that returns a <see langword="null"/> task (an
/// <see cref="InvalidOperationException"/>), is a failure, except an <see cref="OperationCanceledException"/> thrown
/// after the group's token was canceled, which is counted as canceled work. The first failure cancels the group.
/// <see cref="WaitAsync"/> waits for every started unit, then throws the first failure itself (not wrapped); every
/// failure, in the order they happened, is in <see cref="Errors"/>, so none is lost. If no unit failed but the token
/// given to the constructor fired and work was canceled, <see cref="WaitAsync"/> throws
/// <see cref="OperationCanceledException"/>.</para>
/// <para><b>After a failure.</b> <see cref="GoAsync"/> and <see cref="TryGo"/> start nothing once the group's token is
/// canceled and return <see langword="false"/>: a producer loop runs to its end cheaply and <see cref="WaitAsync"/>
/// reports why.</para>
/// <para><b>Disposal.</b> <see cref="DisposeAsync"/> is structured: it cancels the group's token (always, so that
/// whoever holds it learns the group is over) and waits for every started unit to finish, such as work still running
/// because the producer left early, say, because it threw. It never throws;
/// failures stay in <see cref="Errors"/>. Call <see cref="WaitAsync"/> to observe them.</para>
/// <para><b>Thread safety.</b> Every member may be called concurrently, including <see cref="GoAsync"/> from inside
/// running work.</para>
/// </remarks>
public sealed class TaskGroup : IAsyncDisposable, ICensusSource
{
    private const string NullTaskMessage =
        "The work given to TaskGroup.GoAsync or TryGo returned a null Task; return a Task (Task.CompletedTask when there is nothing to await).";

    // The slots: one lease per running unit, so the limiter's metrics (in flight, admitted, limit) describe the group.
    private readonly TaskLimiter _limiter;
    private readonly CancellationTokenSource _cts;
    private readonly CancellationToken _parentToken;
    private readonly CancellationTokenRegistration _onGroupCanceled;
    private readonly Lock _lock = new();
    private readonly List<Exception> _errors = new();
    private int _running;
    private long _canceled;
    private TaskCompletionSource? _idle;
    private int _disposed;
    private readonly Stack<Unit> _unitPool = new();
    private readonly int _maxPooledUnits;

    // The task census: units queued or running (waiting producers are read from _waiters).
    private readonly CensusList _census = new();
    private readonly string _name;
    private readonly TimeProvider _timeProvider;

    // Producers waiting for a slot, first come first served, each with the work it wants started. A unit that ends
    // takes the oldest one's work and runs it itself (see TryHandOff): no new thread-pool work item per unit, and the
    // producer is only woken. Guarded by _handOffLock; _waiting counts the live (not canceled) waiters.
    private readonly Lock _handOffLock = new();
    private readonly Queue<Waiter> _waiters = new();
    private readonly Stack<Waiter> _waiterPool = new();
    private int _waiting;

    /// <summary>Creates a group that runs at most <paramref name="maxConcurrency"/> units at once.</summary>
    /// <param name="maxConcurrency">The most units running at once; greater than zero.</param>
    /// <param name="cancellationToken">Cancels the group: its token fires, and waiting producers stop waiting.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxConcurrency"/> is zero or negative.</exception>
    public TaskGroup(int maxConcurrency, CancellationToken cancellationToken = default)
        : this(new TaskGroupOptions { MaxConcurrency = maxConcurrency }, cancellationToken)
    {
    }

    /// <summary>Creates a group with the given options.</summary>
    /// <param name="options">The settings; validated and copied.</param>
    /// <param name="cancellationToken">Cancels the group: its token fires, and waiting producers stop waiting.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="TaskGroupOptions.MaxConcurrency"/> is zero or negative.</exception>
    public TaskGroup(TaskGroupOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { } invalid)
        {
            throw invalid;
        }

        // Producers wait in the group's own queue (so that an ending unit can take their work), never in the limiter's.
        _limiter = new TaskLimiter(new TaskLimiterOptions
        {
            MaxConcurrency = options.MaxConcurrency,
            Name = options.Name ?? "taskgroup",
            MeterFactory = options.MeterFactory,
        });
        _maxPooledUnits = Math.Min(options.MaxConcurrency, 1024);
        _name = options.Name ?? "taskgroup";
        _timeProvider = options.TimeProvider;
        _parentToken = cancellationToken;
        _cts = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken) : new CancellationTokenSource();
        CancellationToken = _cts.Token;
        _onGroupCanceled = CancellationToken.UnsafeRegister(static state => ((TaskGroup)state!).ReleaseWaiters(), this);
        TaskCensus.Register(this);
    }

    /// <summary>The group's token: given to every unit; canceled by the first failure, the constructor's token, or disposal.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>Units running now.</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>Every failure so far, in the order they happened (a snapshot).</summary>
    public IReadOnlyList<Exception> Errors
    {
        get
        {
            lock (_lock)
            {
                return _errors.ToArray();
            }
        }
    }

    /// <summary>
    /// Waits until fewer than <c>MaxConcurrency</c> units run, then starts <paramref name="work"/> on the thread pool.
    /// </summary>
    /// <param name="work">The unit of work; it receives the group's <see cref="CancellationToken"/>.</param>
    /// <param name="cancellationToken">Cancels the wait for a slot (never the work).</param>
    /// <returns><see langword="true"/> if the work started; <see langword="false"/> if the group was canceled (by a failure, its token or disposal) and the work did not start.</returns>
    /// <param name="callerMemberName">Filled in by the compiler: the calling member, the unit's creation site in the task census.</param>
    /// <param name="callerFilePath">Filled in by the compiler: the calling file.</param>
    /// <param name="callerLineNumber">Filled in by the compiler: the calling line.</param>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired while waiting; the work did not start.</exception>
    public ValueTask<bool> GoAsync(
        Func<CancellationToken, Task> work,
        CancellationToken cancellationToken = default,
        [CallerMemberName] string callerMemberName = "",
        [CallerFilePath] string callerFilePath = "",
        [CallerLineNumber] int callerLineNumber = 0)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (CancellationToken.IsCancellationRequested)
        {
            return new ValueTask<bool>(false);
        }

        // Perf: a free slot starts the work without an async state machine or a linked token. Nobody waiting is
        // checked first: a new producer never overtakes a waiting one.
        var site = new CreationSite(callerMemberName, callerFilePath, callerLineNumber);
        if (Volatile.Read(ref _waiting) == 0 && _limiter.TryAcquire(out var lease))
        {
            Start(lease, work, site);
            return new ValueTask<bool>(true);
        }

        return GoSlow(work, site, cancellationToken);
    }

    /// <summary>Starts <paramref name="work"/> if a slot is free now; never waits.</summary>
    /// <param name="work">The unit of work; it receives the group's <see cref="CancellationToken"/>.</param>
    /// <param name="callerMemberName">Filled in by the compiler: the calling member, the unit's creation site in the task census.</param>
    /// <param name="callerFilePath">Filled in by the compiler: the calling file.</param>
    /// <param name="callerLineNumber">Filled in by the compiler: the calling line.</param>
    /// <returns><see langword="true"/> if the work started; <see langword="false"/> if every slot is taken, producers are waiting for one, or the group was canceled.</returns>
    public bool TryGo(
        Func<CancellationToken, Task> work,
        [CallerMemberName] string callerMemberName = "",
        [CallerFilePath] string callerFilePath = "",
        [CallerLineNumber] int callerLineNumber = 0)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (CancellationToken.IsCancellationRequested || Volatile.Read(ref _waiting) != 0 || !_limiter.TryAcquire(out var lease))
        {
            return false;
        }

        Start(lease, work, new CreationSite(callerMemberName, callerFilePath, callerLineNumber));
        return true;
    }

    /// <summary>Waits for every started unit to finish, then throws the first failure, if any.</summary>
    /// <returns>A task that completes when no unit is running.</returns>
    /// <remarks>Units started while this waits (by work itself) are waited for too.</remarks>
    /// <exception cref="Exception">The first failure of any unit, as thrown; all failures are in <see cref="Errors"/>.</exception>
    /// <exception cref="OperationCanceledException">No unit failed, but the constructor's token fired and work was canceled.</exception>
    public async Task WaitAsync()
    {
        await WhenIdle().ConfigureAwait(false);
        Exception? first;
        lock (_lock)
        {
            first = _errors.Count > 0 ? _errors[0] : null;
        }

        if (first is not null)
        {
            ExceptionDispatchInfo.Throw(first);
        }

        if (Interlocked.Read(ref _canceled) > 0 && _parentToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(_parentToken);
        }
    }

    /// <summary>Cancels work still running, waits for it, and releases the group's resources. Never throws.</summary>
    /// <returns>A task that completes when no unit is running.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Always, so that whoever holds the token learns the group is over, not only work still running.
        CancelGroup();
        await WhenIdle().ConfigureAwait(false);
        await _onGroupCanceled.DisposeAsync().ConfigureAwait(false);
        TaskCensus.Unregister(this);
        _limiter.Dispose();
        _cts.Dispose();
    }

    private ValueTask<bool> GoSlow(Func<CancellationToken, Task> work, CreationSite site, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<bool>(cancellationToken);
        }

        Waiter waiter;
        short version;
        lock (_handOffLock)
        {
            if (CancellationToken.IsCancellationRequested)
            {
                return new ValueTask<bool>(false);
            }

            // Counted before looking at the slots once more, as in Dekker's algorithm (paired with OnUnitCompleted,
            // which gives its slot back and then looks at the count; both are full fences): either this sees the
            // slot that an ending unit gave back, or that unit sees this waiter and hands it its slot. A waiter is
            // therefore never left parked beside a free slot.
            Interlocked.Increment(ref _waiting);
            if (_limiter.TryAcquire(out var lease))
            {
                Interlocked.Decrement(ref _waiting);
                Start(lease, work, site);
                return new ValueTask<bool>(true);
            }

            waiter = _waiterPool.Count > 0 ? _waiterPool.Pop() : new Waiter(this);
            version = waiter.Prepare(work, ExecutionContext.Capture());
            if (TaskCensus.Enabled)
            {
                waiter.Stamp(site, GovernedUnitState.Waiting, CensusClock.Now(_timeProvider), TaskCensus.CurrentContext);
            }
            _waiters.Enqueue(waiter);
        }

        if (cancellationToken.CanBeCanceled)
        {
            waiter.Registration = cancellationToken.UnsafeRegister(
                static (state, token) => ((Waiter)state!).OnCallerCanceled(token), waiter);
        }

        return new ValueTask<bool>(waiter, version);
    }

    private void Start(TaskLimiterLease lease, Func<CancellationToken, Task> work, in CreationSite site)
    {
        Interlocked.Increment(ref _running);
        CensusCounters.Started(GovernedOwnerKind.TaskGroup);
        var unit = RentUnit();
        unit.Prepare(lease, work, ExecutionContext.Capture());
        if (TaskCensus.Enabled)
        {
            // Perf: the unit is linked in the census once, when created; starting it only stamps its record.
            unit.Stamp(site, GovernedUnitState.Queued, CensusClock.Now(_timeProvider), TaskCensus.CurrentContext);
        }

        ThreadPool.UnsafeQueueUserWorkItem(unit, preferLocal: false);
    }

    /// <summary>Records how a unit ended and gives its slot back, or hands the slot to the oldest waiting producer.</summary>
    /// <returns><see langword="true"/> when <paramref name="unit"/> now holds a waiting producer's work, which its caller runs.</returns>
    private bool OnUnitCompleted(Unit unit, Task? completed, Exception? synchronousFailure)
    {
        var failure = synchronousFailure;
        if (failure is null)
        {
            try
            {
                // Same outcome as awaiting the task: the first exception, or OperationCanceledException.
                completed!.GetAwaiter().GetResult();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        }

        if (failure is OperationCanceledException && CancellationToken.IsCancellationRequested)
        {
            Interlocked.Increment(ref _canceled);
        }
        else if (failure is not null)
        {
            bool first;
            lock (_lock)
            {
                _errors.Add(failure);
                first = _errors.Count == 1;
            }

            if (first)
            {
                CancelGroup();
            }
        }

        unit.Lease.Dispose();
        unit.Unstamp();
        if (Volatile.Read(ref _waiting) != 0 && TryHandOff(unit))
        {
            return true;
        }

        ReturnUnit(unit);
        OnUnitEnded();
        return false;
    }

    // Perf: the ending unit's thread starts the next waiting producer's work itself, so a saturated group pays no
    // thread-pool dispatch per unit; the slot is given back and taken again so that the limiter counts every unit.
    private bool TryHandOff(Unit unit)
    {
        Waiter? next = null;
        TaskLimiterLease lease = default;
        lock (_handOffLock)
        {
            while (_waiters.Count > 0 && !CancellationToken.IsCancellationRequested)
            {
                var head = _waiters.Peek();
                if (!head.IsQueued)
                {
                    _waiters.Dequeue(); // Its caller's token fired; it was signalled then.
                    continue;
                }

                if (!_limiter.TryAcquire(out lease))
                {
                    break; // A producer's fast path took the slot: its unit hands off when it ends.
                }

                _waiters.Dequeue();
                if (head.TryTake())
                {
                    Interlocked.Decrement(ref _waiting);
                    next = head;
                    break;
                }

                lease.Dispose();
            }
        }

        if (next is null)
        {
            return false;
        }

        // The producer is told once its work has started (see Unit.RunUntilPending); until then it stays parked.
        unit.Prepare(lease, next.Work!, next.Context);
        unit.Starter = next;
        CensusCounters.Started(GovernedOwnerKind.TaskGroup);
        if (next.CensusStamped)
        {
            // The unit carries on the producer's census record: its site, labels and the time it asked.
            unit.Stamp(next.Site, GovernedUnitState.Running, next.StartedAt, next.Captured, isNewUnit: false);
            next.Unstamp();
        }

        return true;
    }

    // The group's token fired: every waiting producer stops waiting, with false.
    private void ReleaseWaiters()
    {
        lock (_handOffLock)
        {
            while (_waiters.TryDequeue(out var waiter))
            {
                if (waiter.TryCancel())
                {
                    Interlocked.Decrement(ref _waiting);
                    waiter.SignalNotStarted();
                }
            }
        }
    }

    private void ReturnWaiter(Waiter waiter)
    {
        lock (_handOffLock)
        {
            if (_waiterPool.Count < _maxPooledUnits)
            {
                _waiterPool.Push(waiter);
            }
        }
    }

    // Perf: a group has at most MaxConcurrency units in flight, so a stack of that many recycled units means a steady
    // stream of work allocates no unit objects and no continuation delegates.
    private Unit RentUnit()
    {
        lock (_unitPool)
        {
            if (_unitPool.TryPop(out var unit))
            {
                return unit;
            }
        }

        var created = new Unit(this);
        _census.Link(created);
        return created;
    }

    private void ReturnUnit(Unit unit)
    {
        unit.Clear();
        lock (_unitPool)
        {
            if (_unitPool.Count < _maxPooledUnits)
            {
                _unitPool.Push(unit);
                return;
            }
        }

        _census.Remove(unit); // Not pooled: it leaves the census with the group's reference to it.
    }

    private void CancelGroup()
    {
        try
        {
            _cts.Cancel();
        }
        catch (AggregateException)
        {
            // A callback registered on the group's token threw; the group is canceled regardless.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void OnUnitEnded()
    {
        if (Interlocked.Decrement(ref _running) != 0)
        {
            return;
        }

        TaskCompletionSource? idle;
        lock (_lock)
        {
            idle = Volatile.Read(ref _running) == 0 ? _idle : null;
            if (idle is not null)
            {
                _idle = null;
            }
        }

        idle?.TrySetResult();
    }

    GovernedOwnerKind ICensusSource.Kind => GovernedOwnerKind.TaskGroup;

    int ICensusSource.LiveUnits => Volatile.Read(ref _running) + Volatile.Read(ref _waiting);

    void ICensusSource.CollectUnits(List<GovernedUnit> into)
    {
        _census.Collect(into, GovernedOwnerKind.TaskGroup, _name, _timeProvider);
        lock (_handOffLock)
        {
            foreach (var waiter in _waiters)
            {
                if (waiter.IsQueued && waiter.CensusStamped)
                {
                    if (CensusList.Describe(waiter, GovernedOwnerKind.TaskGroup, _name, _timeProvider) is { } unit)
                    {
                        into.Add(unit);
                    }
                }
            }
        }
    }

    private Task WhenIdle()
    {
        lock (_lock)
        {
            if (Volatile.Read(ref _running) == 0)
            {
                return Task.CompletedTask;
            }

            _idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _idle.Task;
        }
    }

    /// <summary>A producer waiting for a slot, with the work it wants started; the awaitable its GoAsync returns. Recycled.</summary>
    private sealed class Waiter : CensusNode, IValueTaskSource<bool>
    {
        private const int Queued = 0;
        private const int Taken = 1;
        private const int Canceled = 2;

        private readonly TaskGroup _group;
        private ManualResetValueTaskSourceCore<bool> _core;
        private int _state;

        internal Waiter(TaskGroup group)
        {
            _group = group;

            // Set again by each signal: the producer continues inline only where that is safe (see SignalStarted).
            _core.RunContinuationsAsynchronously = true;
        }

        internal Func<CancellationToken, Task>? Work { get; private set; }

        internal ExecutionContext? Context { get; private set; }

        internal CancellationTokenRegistration Registration { get; set; }

        internal bool IsQueued => Volatile.Read(ref _state) == Queued;

        internal short Prepare(Func<CancellationToken, Task> work, ExecutionContext? context)
        {
            _core.Reset();
            _state = Queued;
            Work = work;
            Context = context;
            return _core.Version;
        }

        internal bool TryTake() => Interlocked.CompareExchange(ref _state, Taken, Queued) == Queued;

        internal bool TryCancel() => Interlocked.CompareExchange(ref _state, Canceled, Queued) == Queued;

        /// <summary>Tells the producer its work started.</summary>
        /// <param name="inline">
        /// Whether the producer may continue on this thread, which must then have nothing left to do: it is a unit's
        /// thread whose work is pending (its continuation runs elsewhere). Otherwise the producer continues on the pool.
        /// </param>
        internal void SignalStarted(bool inline)
        {
            _core.RunContinuationsAsynchronously = !inline;
            _core.SetResult(true);
        }

        internal void SignalNotStarted()
        {
            _core.RunContinuationsAsynchronously = true;
            _core.SetResult(false);
        }

        internal void OnCallerCanceled(CancellationToken token)
        {
            // Left in the queue: the next unit that looks at it skips it.
            if (TryCancel())
            {
                Interlocked.Decrement(ref _group._waiting);
                _core.RunContinuationsAsynchronously = true;
                _core.SetException(new OperationCanceledException(token));
            }
        }

        public bool GetResult(short token)
        {
            try
            {
                return _core.GetResult(token);
            }
            finally
            {
                Registration.Dispose();
                Registration = default;
                Work = null;
                Context = null;
                Unstamp();

                // Only a taken waiter is out of the queue for sure; a canceled one may still sit in it until skipped.
                if (Volatile.Read(ref _state) == Taken)
                {
                    _group.ReturnWaiter(this);
                }
            }
        }

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);
    }

    /// <summary>One unit of work on its way through the thread pool; recycled by the group.</summary>
    private sealed class Unit : CensusNode, IThreadPoolWorkItem
    {
        private static readonly ContextCallback s_startInContext = static state => ((Unit)state!).StartWork();

        private readonly TaskGroup _group;
        private readonly Action _onCompleted;
        private Func<CancellationToken, Task>? _work;
        private ExecutionContext? _context;
        private Task? _pending;
        private Task? _completedSynchronously;
        private Exception? _synchronousFailure;

        internal Unit(TaskGroup group)
        {
            _group = group;
            _onCompleted = OnPendingCompleted;
        }

        internal TaskLimiterLease Lease { get; private set; }

        /// <summary>The waiting producer whose work this unit holds, to be told once the work has started.</summary>
        internal Waiter? Starter { get; set; }

        internal void Prepare(TaskLimiterLease lease, Func<CancellationToken, Task> work, ExecutionContext? context)
        {
            Lease = lease;
            _work = work;
            _context = context;
        }

        internal void Clear()
        {
            Lease = default;
            Starter = null;
            _work = null;
            _context = null;
            _pending = null;
            _completedSynchronously = null;
            _synchronousFailure = null;
        }

        public void Execute() => RunUntilPending();

        // Runs this unit's work and, each time the group hands it a waiting producer's work, that work too, until a
        // work is still running when its call returns (then the completion callback carries on) or nobody waits.
        private void RunUntilPending()
        {
            do
            {
                // With the producer's execution context, as Task.Run would.
                if (_context is null)
                {
                    StartWork();
                }
                else
                {
                    ExecutionContext.Run(_context, s_startInContext, this);
                }

                var starter = Starter;
                Starter = null;
                if (_pending is { } pending)
                {
                    // Perf: once the work is pending this thread has nothing left to do, so the producer that handed it
                    // over continues here (until its next wait) instead of through another thread-pool work item.
                    // Read before registering: the callback may run this unit again at once on another thread.
                    pending.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_onCompleted);
                    starter?.SignalStarted(inline: true);
                    return;
                }

                starter?.SignalStarted(inline: false);
            }
            while (_group.OnUnitCompleted(this, _completedSynchronously, _synchronousFailure));
        }

        private void StartWork()
        {
            CensusState = (int)GovernedUnitState.Running;
            _pending = null;
            _completedSynchronously = null;
            _synchronousFailure = null;
            Task? running;
            try
            {
                running = _work!(_group.CancellationToken);
            }
            catch (Exception ex)
            {
                // A synchronous throw is the unit's failure, recorded like an asynchronous one.
                _synchronousFailure = ex;
                return;
            }

            if (running is null)
            {
                _synchronousFailure = new InvalidOperationException(NullTaskMessage);
            }
            else if (running.IsCompleted)
            {
                _completedSynchronously = running;
            }
            else
            {
                _pending = running;
            }
        }

        private void OnPendingCompleted()
        {
            if (!_group.OnUnitCompleted(this, _pending, null))
            {
                return;
            }

            // The next work starts on the thread pool, as every unit does: here when the finished work completed on a
            // pool thread (the usual case), otherwise through a new work item rather than on whoever completed it.
            if (Thread.CurrentThread.IsThreadPoolThread)
            {
                RunUntilPending();
            }
            else
            {
                ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
            }
        }
    }
}
