using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

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
public sealed class TaskGroup : IAsyncDisposable
{
    private readonly TaskLimiter _limiter;
    private readonly CancellationTokenSource _cts;
    private readonly CancellationToken _parentToken;
    private readonly Lock _lock = new();
    private readonly List<Exception> _errors = new();
    private int _running;
    private long _canceled;
    private TaskCompletionSource? _idle;
    private int _disposed;
    private readonly Stack<Unit> _unitPool = new();
    private readonly int _maxPooledUnits;

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

        // Producers wait in the limiter's queue for a slot: no queue limit or timeout, the group's token bounds the wait.
        _limiter = new TaskLimiter(new TaskLimiterOptions
        {
            MaxConcurrency = options.MaxConcurrency,
            QueueLimit = int.MaxValue,
            Name = options.Name ?? "taskgroup",
            MeterFactory = options.MeterFactory,
        });
        _maxPooledUnits = Math.Min(options.MaxConcurrency, 1024);
        _parentToken = cancellationToken;
        _cts = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken) : new CancellationTokenSource();
        CancellationToken = _cts.Token;
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
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired while waiting; the work did not start.</exception>
    public ValueTask<bool> GoAsync(Func<CancellationToken, Task> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (CancellationToken.IsCancellationRequested)
        {
            return new ValueTask<bool>(false);
        }

        // Perf: a free slot starts the work without an async state machine or a linked token.
        if (_limiter.TryAcquire(out var lease))
        {
            Start(lease, work);
            return new ValueTask<bool>(true);
        }

        return GoSlowAsync(work, cancellationToken);
    }

    /// <summary>Starts <paramref name="work"/> if a slot is free now; never waits.</summary>
    /// <param name="work">The unit of work; it receives the group's <see cref="CancellationToken"/>.</param>
    /// <returns><see langword="true"/> if the work started; <see langword="false"/> if every slot is taken or the group was canceled.</returns>
    public bool TryGo(Func<CancellationToken, Task> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (CancellationToken.IsCancellationRequested || !_limiter.TryAcquire(out var lease))
        {
            return false;
        }

        Start(lease, work);
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
        _limiter.Dispose();
        _cts.Dispose();
    }

    // Perf: producers wait here whenever every slot is busy, the steady state of a bounded fan-out; pooled builders
    // recycle the state machine instead of allocating one per wait.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> GoSlowAsync(Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        // The wait ends when the caller's token or the group's token fires, whichever is first.
        using var linked = cancellationToken.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, CancellationToken)
            : null;
        TaskLimiterLease lease;
        try
        {
            lease = await _limiter.AcquireAsync(linked?.Token ?? CancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false; // The group was canceled, not the caller.
        }
        catch (LimiterRejectedException)
        {
            return false; // Disposed while waiting.
        }

        if (CancellationToken.IsCancellationRequested)
        {
            lease.Dispose();
            return false;
        }

        Start(lease, work);
        return true;
    }

    private void Start(TaskLimiterLease lease, Func<CancellationToken, Task> work)
    {
        Interlocked.Increment(ref _running);
        var unit = RentUnit();
        unit.Prepare(lease, work, ExecutionContext.Capture());
        ThreadPool.UnsafeQueueUserWorkItem(unit, preferLocal: false);
    }

    private void OnUnitCompleted(Unit unit, Task? completed, Exception? synchronousFailure)
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

        var lease = unit.Lease;
        ReturnUnit(unit);
        lease.Dispose();
        OnUnitEnded();
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

        return new Unit(this);
    }

    private void ReturnUnit(Unit unit)
    {
        unit.Clear();
        lock (_unitPool)
        {
            if (_unitPool.Count < _maxPooledUnits)
            {
                _unitPool.Push(unit);
            }
        }
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

    /// <summary>One unit of work on its way through the thread pool; recycled by the group.</summary>
    private sealed class Unit : IThreadPoolWorkItem
    {
        private static readonly ContextCallback s_runInContext = static state => ((Unit)state!).Run();

        private readonly TaskGroup _group;
        private readonly Action _onCompleted;
        private Func<CancellationToken, Task>? _work;
        private ExecutionContext? _context;
        private Task? _running;

        internal Unit(TaskGroup group)
        {
            _group = group;
            _onCompleted = () => _group.OnUnitCompleted(this, _running, null);
        }

        internal TaskLimiterLease Lease { get; private set; }

        internal void Prepare(TaskLimiterLease lease, Func<CancellationToken, Task> work, ExecutionContext? context)
        {
            Lease = lease;
            _work = work;
            _context = context;
        }

        internal void Clear()
        {
            Lease = default;
            _work = null;
            _context = null;
            _running = null;
        }

        // Runs the work with the producer's execution context, as Task.Run would.
        public void Execute()
        {
            if (_context is null)
            {
                Run();
            }
            else
            {
                ExecutionContext.Run(_context, s_runInContext, this);
            }
        }

        private void Run()
        {
            Task running;
            try
            {
                running = _work!(_group.CancellationToken);
            }
            catch (Exception ex)
            {
                _group.OnUnitCompleted(this, null, ex);
                return;
            }

            if (running is null)
            {
                _group.OnUnitCompleted(this, null, new InvalidOperationException(
                    "The work given to TaskGroup.GoAsync or TryGo returned a null Task; return a Task (Task.CompletedTask when there is nothing to await)."));
                return;
            }

            if (running.IsCompleted)
            {
                _group.OnUnitCompleted(this, running, null);
                return;
            }

            _running = running;
            running.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_onCompleted);
        }
    }
}
