using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using System.Threading.RateLimiting;

namespace Governance;

/// <summary>
/// Bounds how many units of work run at once — the .NET form of Go's GoroutineLimiter (a semaphore plus a deadline).
/// Callers beyond the limit wait in a bounded FIFO queue for at most <see cref="TaskLimiterOptions.QueueTimeout"/>;
/// past that they are rejected with a <see cref="LimiterRejectedException"/> that says why.
/// </summary>
/// <remarks>
/// <para><b>Thread safety.</b> Every member is safe to call concurrently.</para>
/// <para><b>Weighted permits.</b> The limit is a number of permits, one per unit of work by default. A caller may ask
/// for several at once (<see cref="AcquireAsync(int, CancellationToken, string, string, int)"/>), as with Go's <c>semaphore.Weighted</c>:
/// a heavy job takes a larger share of the limit. A request for more permits than the limit can never be granted and
/// is rejected at once with <see cref="LimiterRejectionReason.PermitsExceedLimit"/>.</para>
/// <para><b>Fairness.</b> Waiters are served first come, first served: permits that free while callers wait go to the
/// one that has waited longest, and a new caller never takes permits ahead of a waiting one. A waiter at the head of
/// the queue that asks for many permits holds back smaller requests behind it until enough permits are free, so a
/// large request is never starved by a stream of small ones. (Two callers that arrive at the same instant are ordered
/// by whichever the limiter sees first.)</para>
/// <para><b>Cancellation.</b> A waiting caller whose token fires leaves the queue at once and gets an
/// <see cref="OperationCanceledException"/>; nothing stays behind. A token that has already fired is honoured even
/// when a slot is free.</para>
/// <para><b>Resizing.</b> <see cref="SetMaxConcurrency"/> raises or lowers the limit at run time. Raising admits
/// waiting callers at once; lowering never interrupts admitted work (however many permits its leases hold), and new
/// work is admitted only once the permits in flight leave room for it under the new limit. Waiters that ask for more
/// permits than the new limit are rejected with <see cref="LimiterRejectionReason.PermitsExceedLimit"/>.</para>
/// <para><b>Disposal.</b> <see cref="Dispose"/> (or <see cref="DisposeAsync"/>) rejects every waiting caller with
/// <see cref="LimiterRejectionReason.Disposed"/> and every later acquire likewise (<see cref="TryAcquire(out TaskLimiterLease)"/> returns
/// <see langword="false"/>). Leases already granted stay valid and may be released at any time; the limiter does not
/// wait for them or cancel their work.</para>
/// <para><b>Metrics.</b> The limiter publishes on the <c>Governance</c> meter (see <see cref="GovernanceMeter"/>) with
/// the tag <c>governance.limiter.name</c>: <c>governance.limiter.in_flight</c>, <c>.queued</c>, <c>.limit</c>,
/// <c>.admitted</c>, <c>.rejected</c> (tag <c>governance.rejection.reason</c>) and the <c>.queue_wait</c> histogram
/// (seconds).</para>
/// </remarks>
public sealed class TaskLimiter : IDisposable, IAsyncDisposable, ICensusSource
{
    private static readonly Action<object?, CancellationToken> s_onCanceled = OnWaiterCanceled;
    private static readonly TimerCallback s_onQueueTimer = static state => ((TaskLimiter)state!).OnQueueTimer();

    private readonly Lock _lock = new();
    private readonly int _queueLimit;
    private readonly long _queueTimeoutTimestampTicks; // 0 when the queue timeout is infinite.
    private readonly TimeProvider _timeProvider;
    private readonly LimiterMetrics _metrics;
    private readonly KeyValuePair<string, object?> _nameTag;

    // Perf: the uncontended path touches only these three fields, without the lock. _available may go negative after
    // the limit is lowered; _queueCount is written under the lock but read without it (see ReleaseSlot for why that
    // cannot lose a wake-up).
    private int _available;
    private int _queueCount;
    private long _admittedAtOnce;

    private volatile bool _disposed;
    private int _maxConcurrency;
    private LeaseTicket? _head;
    private LeaseTicket? _tail;
    private readonly ITimer? _queueTimer; // null when the queue timeout is infinite.
    private long _queueTimerDeadline = long.MaxValue;
    private long _rejectedQueueFull;
    private long _rejectedQueueTimeout;
    private long _rejectedDisposed;
    private long _rejectedPermitsExceedLimit;
    private long _rejectedUnavailable;
    private readonly TaskLimiterBudget? _budget;
    private readonly CancellationTokenSource? _budgetWaitsDisposed; // Fires on Dispose: callers waiting for the budget are rejected too.
    private long _canceled;
    private long _admittedFromQueue; // Written under the lock only, so a plain increment suffices.
    private TaskLimiterRateLimiter? _rateLimiter;
    private long _idleSince;
    private long _admittedAtIdleCheck = -1;

    /// <summary>Creates a limiter with the given options.</summary>
    /// <param name="options">The settings; validated and copied, so later changes to the object have no effect.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><see cref="TaskLimiterOptions.Name"/> or <see cref="TaskLimiterOptions.TimeProvider"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names the option.</exception>
    public TaskLimiter(TaskLimiterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { } invalid)
        {
            throw invalid;
        }

        Name = options.Name;
        _maxConcurrency = options.MaxConcurrency;
        _available = options.MaxConcurrency;
        _queueLimit = options.QueueLimit;
        QueueTimeout = options.QueueTimeout;
        _timeProvider = options.TimeProvider;
        _queueTimeoutTimestampTicks = options.QueueTimeout == Timeout.InfiniteTimeSpan
            ? 0
            : Math.Max(1, (long)Math.Ceiling(options.QueueTimeout.TotalSeconds * _timeProvider.TimestampFrequency));
        _nameTag = new KeyValuePair<string, object?>(GovernanceMeter.LimiterNameTag, Name);
        if (_queueTimeoutTimestampTicks != 0)
        {
            // Created unarmed; it is armed only while somebody waits.
            _queueTimer = _timeProvider.CreateTimer(s_onQueueTimer, this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        _budget = options.Budget;
        _budgetWaitsDisposed = _budget is null ? null : new CancellationTokenSource();
        MeterFactory = options.MeterFactory;
        _metrics = LimiterMetrics.For(MeterProvider.Get(options.MeterFactory));
        _metrics.Register(this);
        TaskCensus.Register(this);
    }

    /// <summary>The source of time for queue timeouts and wait durations, as given in <see cref="TaskLimiterOptions.TimeProvider"/>.</summary>
    /// <remarks>Pass it on to limiters derived from this one, so that they keep the same clock (and tests one fake clock).</remarks>
    public TimeProvider TimeProvider => _timeProvider;

    /// <summary>The factory of the meter this limiter publishes on, as given in <see cref="TaskLimiterOptions.MeterFactory"/>; <see langword="null"/> for the process-wide meter.</summary>
    /// <remarks>Pass it on to limiters derived from this one, so that their metrics stay scoped to the same container.</remarks>
    public IMeterFactory? MeterFactory { get; }

    /// <summary>The external budget every permit also needs, as given in <see cref="TaskLimiterOptions.Budget"/>; <see langword="null"/> when the limit is local only.</summary>
    public TaskLimiterBudget? Budget => _budget;

    /// <summary>The limiter's name, as given in <see cref="TaskLimiterOptions.Name"/>.</summary>
    public string Name { get; }

    /// <summary>The current concurrency limit.</summary>
    public int MaxConcurrency => Volatile.Read(ref _maxConcurrency);

    /// <summary>The number of callers that may wait for a slot.</summary>
    public int QueueLimit => _queueLimit;

    /// <summary>How long a caller may wait for a slot.</summary>
    public TimeSpan QueueTimeout { get; }

    /// <summary>
    /// Waits for a slot and returns a lease that holds it until disposed. Completes synchronously, without allocating,
    /// when a slot is free and nobody is waiting.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait (never the admitted work); the caller leaves the queue at once.</param>
    /// <returns>A lease to dispose when the work is done; <c>using (await limiter.AcquireAsync(ct)) { ... }</c>.</returns>
    /// <exception cref="LimiterRejectedException">The queue is full, the queue timeout passed, or the limiter is disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired before a slot was granted.</exception>
    /// <param name="callerMemberName">Filled in by the compiler: the calling member, the waiter's creation site in the task census.</param>
    /// <param name="callerFilePath">Filled in by the compiler: the calling file.</param>
    /// <param name="callerLineNumber">Filled in by the compiler: the calling line.</param>
    public ValueTask<TaskLimiterLease> AcquireAsync(
        CancellationToken cancellationToken = default,
        [CallerMemberName] string callerMemberName = "",
        [CallerFilePath] string callerFilePath = "",
        [CallerLineNumber] int callerLineNumber = 0) =>
        AcquireCore(1, throwOnRejection: true, new CreationSite(callerMemberName, callerFilePath, callerLineNumber), cancellationToken);

    /// <summary>
    /// Waits for <paramref name="permits"/> permits and returns a lease that holds them all until disposed — Go's
    /// <c>semaphore.Weighted.Acquire</c>. Completes synchronously, without allocating, when the permits are free and
    /// nobody is waiting.
    /// </summary>
    /// <param name="permits">How many permits the work needs; at least one.</param>
    /// <param name="cancellationToken">Cancels the wait (never the admitted work); the caller leaves the queue at once.</param>
    /// <returns>A lease to dispose when the work is done; disposing it gives back every permit it holds.</returns>
    /// <remarks>
    /// The caller queues behind earlier waiters even when enough permits are free for it, and a waiter at the head of
    /// the queue holds back the ones behind it until its own permits are free.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="permits"/> is zero or negative.</exception>
    /// <exception cref="LimiterRejectedException">The queue is full, the queue timeout passed, the limiter is disposed, or
    /// <paramref name="permits"/> exceeds the limit (<see cref="LimiterRejectionReason.PermitsExceedLimit"/>).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired before the permits were granted.</exception>
    /// <param name="callerMemberName">Filled in by the compiler: the calling member, the waiter's creation site in the task census.</param>
    /// <param name="callerFilePath">Filled in by the compiler: the calling file.</param>
    /// <param name="callerLineNumber">Filled in by the compiler: the calling line.</param>
    public ValueTask<TaskLimiterLease> AcquireAsync(
        int permits,
        CancellationToken cancellationToken = default,
        [CallerMemberName] string callerMemberName = "",
        [CallerFilePath] string callerFilePath = "",
        [CallerLineNumber] int callerLineNumber = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(permits);
        return AcquireCore(permits, throwOnRejection: true, new CreationSite(callerMemberName, callerFilePath, callerLineNumber), cancellationToken);
    }

    /// <summary>
    /// Waits for <paramref name="permits"/> permits like <see cref="AcquireAsync(int, CancellationToken, string, string, int)"/>, but reports a
    /// rejection as a value instead of an exception: the returned lease's <see cref="TaskLimiterLease.IsAcquired"/>
    /// says whether the permits were granted, and <see cref="TaskLimiterLease.RejectionReason"/> says why not.
    /// </summary>
    /// <param name="permits">How many permits the work needs; at least one.</param>
    /// <param name="cancellationToken">Cancels the wait (never the admitted work); the caller leaves the queue at once.</param>
    /// <returns>A granted lease to dispose when the work is done, or a rejected one (disposing it does nothing).</returns>
    /// <remarks>
    /// For hosts that reject many callers under overload — a server answering 503, say — where an exception per
    /// rejection would make the overload worse. Cancellation is still an exception: it is the caller's decision, not
    /// an outcome of the limiter.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="permits"/> is zero or negative.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired before the permits were granted.</exception>
    /// <param name="callerMemberName">Filled in by the compiler: the calling member, the waiter's creation site in the task census.</param>
    /// <param name="callerFilePath">Filled in by the compiler: the calling file.</param>
    /// <param name="callerLineNumber">Filled in by the compiler: the calling line.</param>
    public ValueTask<TaskLimiterLease> AcquireOrRejectAsync(
        int permits,
        CancellationToken cancellationToken = default,
        [CallerMemberName] string callerMemberName = "",
        [CallerFilePath] string callerFilePath = "",
        [CallerLineNumber] int callerLineNumber = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(permits);
        return AcquireCore(permits, throwOnRejection: false, new CreationSite(callerMemberName, callerFilePath, callerLineNumber), cancellationToken);
    }

    /// <summary>Takes a slot if one is free right now and nobody is waiting for one; never waits.</summary>
    /// <param name="lease">The lease holding the slot, or <c>default</c> when none was taken.</param>
    /// <returns><see langword="true"/> if a slot was taken; <see langword="false"/> if none was free, callers are queued, the limiter is disposed, or it has an external budget (<see cref="TaskLimiterOptions.Budget"/>), which it cannot consult without waiting.</returns>
    /// <remarks>A failed attempt is not counted as a rejection: it is a question, not a request.</remarks>
    public bool TryAcquire(out TaskLimiterLease lease) => TryAcquire(1, out lease);

    /// <summary>Takes <paramref name="permits"/> permits if they are free right now and nobody is waiting; never waits.</summary>
    /// <param name="permits">How many permits the work needs; at least one.</param>
    /// <param name="lease">The lease holding the permits, or <c>default</c> when none were taken.</param>
    /// <returns>
    /// <see langword="true"/> if the permits were taken; <see langword="false"/> if too few were free, callers are
    /// queued, <paramref name="permits"/> exceeds the limit, the limiter is disposed, or it has an external budget
    /// (<see cref="TaskLimiterOptions.Budget"/>), which it cannot consult without waiting.
    /// </returns>
    /// <remarks>A failed attempt is not counted as a rejection: it is a question, not a request.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="permits"/> is zero or negative.</exception>
    public bool TryAcquire(int permits, out TaskLimiterLease lease)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(permits);
        if (!_disposed && _budget is null && Volatile.Read(ref _queueCount) == 0 && TryTakePermits(permits))
        {
            lease = Admit(permits);
            return true;
        }

        lease = default;
        return false;
    }

    /// <summary>Runs <paramref name="work"/> once a slot is free, and gives the slot back when the work ends, however it ends.</summary>
    /// <param name="work">The work; it receives <paramref name="cancellationToken"/>, linked with <see cref="TaskLimiterLease.Lost"/> when the limiter has an external budget.</param>
    /// <param name="cancellationToken">Cancels the wait for a slot and is passed to the work.</param>
    /// <returns>The work's task.</returns>
    /// <exception cref="LimiterRejectedException">No slot was granted (see <see cref="AcquireAsync(CancellationToken, string, string, int)"/>); the work did not run.</exception>
    /// <param name="callerMemberName">Filled in by the compiler: the calling member, the waiter's creation site in the task census.</param>
    /// <param name="callerFilePath">Filled in by the compiler: the calling file.</param>
    /// <param name="callerLineNumber">Filled in by the compiler: the calling line.</param>
    public async Task RunAsync(
        Func<CancellationToken, Task> work,
        CancellationToken cancellationToken = default,
        [CallerMemberName] string callerMemberName = "",
        [CallerFilePath] string callerFilePath = "",
        [CallerLineNumber] int callerLineNumber = 0)
    {
        ArgumentNullException.ThrowIfNull(work);
        using (var lease = await AcquireCore(1, throwOnRejection: true, new CreationSite(callerMemberName, callerFilePath, callerLineNumber), cancellationToken).ConfigureAwait(false))
        {
            if (!lease.Lost.CanBeCanceled)
            {
                await work(cancellationToken).ConfigureAwait(false);
                return;
            }

            // With an external budget, the work is also told when its permits are lost.
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lease.Lost);
            await work(linked.Token).ConfigureAwait(false);
        }
    }

    /// <summary>Runs <paramref name="work"/> once a slot is free, gives the slot back when it ends, and returns its result.</summary>
    /// <typeparam name="T">The work's result type.</typeparam>
    /// <param name="work">The work; it receives <paramref name="cancellationToken"/>, linked with <see cref="TaskLimiterLease.Lost"/> when the limiter has an external budget.</param>
    /// <param name="cancellationToken">Cancels the wait for a slot and is passed to the work.</param>
    /// <returns>The work's result.</returns>
    /// <exception cref="LimiterRejectedException">No slot was granted (see <see cref="AcquireAsync(CancellationToken, string, string, int)"/>); the work did not run.</exception>
    /// <param name="callerMemberName">Filled in by the compiler: the calling member, the waiter's creation site in the task census.</param>
    /// <param name="callerFilePath">Filled in by the compiler: the calling file.</param>
    /// <param name="callerLineNumber">Filled in by the compiler: the calling line.</param>
    public async Task<T> RunAsync<T>(
        Func<CancellationToken, Task<T>> work,
        CancellationToken cancellationToken = default,
        [CallerMemberName] string callerMemberName = "",
        [CallerFilePath] string callerFilePath = "",
        [CallerLineNumber] int callerLineNumber = 0)
    {
        ArgumentNullException.ThrowIfNull(work);
        using (var lease = await AcquireCore(1, throwOnRejection: true, new CreationSite(callerMemberName, callerFilePath, callerLineNumber), cancellationToken).ConfigureAwait(false))
        {
            if (!lease.Lost.CanBeCanceled)
            {
                return await work(cancellationToken).ConfigureAwait(false);
            }

            // With an external budget, the work is also told when its permits are lost.
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lease.Lost);
            return await work(linked.Token).ConfigureAwait(false);
        }
    }

    /// <summary>Runs <paramref name="work"/> once <paramref name="permits"/> permits are free, and gives them back when the work ends, however it ends.</summary>
    /// <param name="permits">How many permits the work needs; at least one.</param>
    /// <param name="work">The work; it receives <paramref name="cancellationToken"/>, linked with <see cref="TaskLimiterLease.Lost"/> when the limiter has an external budget.</param>
    /// <param name="cancellationToken">Cancels the wait for permits and is passed to the work.</param>
    /// <returns>The work's task.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="permits"/> is zero or negative.</exception>
    /// <exception cref="LimiterRejectedException">The permits were not granted (see <see cref="AcquireAsync(int, CancellationToken, string, string, int)"/>); the work did not run.</exception>
    /// <param name="callerMemberName">Filled in by the compiler: the calling member, the waiter's creation site in the task census.</param>
    /// <param name="callerFilePath">Filled in by the compiler: the calling file.</param>
    /// <param name="callerLineNumber">Filled in by the compiler: the calling line.</param>
    public Task RunAsync(
        int permits,
        Func<CancellationToken, Task> work,
        CancellationToken cancellationToken = default,
        [CallerMemberName] string callerMemberName = "",
        [CallerFilePath] string callerFilePath = "",
        [CallerLineNumber] int callerLineNumber = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(permits);
        ArgumentNullException.ThrowIfNull(work);
        return RunCoreAsync(permits, work, new CreationSite(callerMemberName, callerFilePath, callerLineNumber), cancellationToken);
    }

    /// <summary>Runs <paramref name="work"/> once <paramref name="permits"/> permits are free, gives them back when it ends, and returns its result.</summary>
    /// <typeparam name="T">The work's result type.</typeparam>
    /// <param name="permits">How many permits the work needs; at least one.</param>
    /// <param name="work">The work; it receives <paramref name="cancellationToken"/>, linked with <see cref="TaskLimiterLease.Lost"/> when the limiter has an external budget.</param>
    /// <param name="cancellationToken">Cancels the wait for permits and is passed to the work.</param>
    /// <returns>The work's result.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="permits"/> is zero or negative.</exception>
    /// <exception cref="LimiterRejectedException">The permits were not granted (see <see cref="AcquireAsync(int, CancellationToken, string, string, int)"/>); the work did not run.</exception>
    /// <param name="callerMemberName">Filled in by the compiler: the calling member, the waiter's creation site in the task census.</param>
    /// <param name="callerFilePath">Filled in by the compiler: the calling file.</param>
    /// <param name="callerLineNumber">Filled in by the compiler: the calling line.</param>
    public Task<T> RunAsync<T>(
        int permits,
        Func<CancellationToken, Task<T>> work,
        CancellationToken cancellationToken = default,
        [CallerMemberName] string callerMemberName = "",
        [CallerFilePath] string callerFilePath = "",
        [CallerLineNumber] int callerLineNumber = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(permits);
        ArgumentNullException.ThrowIfNull(work);
        return RunCoreAsync(permits, work, new CreationSite(callerMemberName, callerFilePath, callerLineNumber), cancellationToken);
    }

    /// <summary>Changes the concurrency limit at run time.</summary>
    /// <param name="maxConcurrency">The new limit, in permits; greater than zero.</param>
    /// <remarks>
    /// Raising the limit admits waiting callers at once, oldest first. Lowering it lets admitted work finish, whatever
    /// permits it holds: new work is admitted only when the permits in flight plus its own fit under
    /// <paramref name="maxConcurrency"/>. Waiters that ask for more permits than <paramref name="maxConcurrency"/>
    /// could never be admitted and would hold back everyone behind them, so they are rejected at once with
    /// <see cref="LimiterRejectionReason.PermitsExceedLimit"/>.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxConcurrency"/> is zero or negative.</exception>
    /// <exception cref="ObjectDisposedException">The limiter is disposed.</exception>
    public void SetMaxConcurrency(int maxConcurrency)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxConcurrency);
        LeaseTicket? toComplete;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var delta = maxConcurrency - _maxConcurrency;
            Volatile.Write(ref _maxConcurrency, maxConcurrency);
            Interlocked.Add(ref _available, delta);
            toComplete = delta < 0 ? RejectOversizedWaitersUnsynchronized() : null;
            toComplete = Append(toComplete, GrantWaitersUnsynchronized());
        }

        CompleteOutsideLock(toComplete);
    }

    /// <summary>Takes a consistent snapshot of the limiter's state and counters.</summary>
    /// <returns>The snapshot.</returns>
    public TaskLimiterStatistics GetStatistics()
    {
        lock (_lock)
        {
            return new TaskLimiterStatistics
            {
                Name = Name,
                MaxConcurrency = _maxConcurrency,
                InFlight = _maxConcurrency - Volatile.Read(ref _available),
                Queued = _queueCount,
                TotalAdmitted = Interlocked.Read(ref _admittedAtOnce) + _admittedFromQueue,
                RejectedQueueFull = _rejectedQueueFull,
                RejectedQueueTimeout = _rejectedQueueTimeout,
                RejectedDisposed = _rejectedDisposed,
                RejectedPermitsExceedLimit = _rejectedPermitsExceedLimit,
                RejectedUnavailable = Interlocked.Read(ref _rejectedUnavailable),
                TotalCanceled = _canceled,
            };
        }
    }

    /// <summary>
    /// A <see cref="RateLimiter"/> view of this limiter, for hosts that speak <c>System.Threading.RateLimiting</c>:
    /// ASP.NET Core's rate-limiting middleware, Polly's rate-limiter strategy, YARP.
    /// </summary>
    /// <returns>The same view on every call. It shares this limiter's slots, queue and counters.</returns>
    /// <remarks>
    /// An acquisition of <c>permitCount</c> permits is a weighted acquisition of this limiter
    /// (<see cref="AcquireAsync(int, CancellationToken, string, string, int)"/>); a permit count of zero asks whether a slot is free
    /// without taking it. Rejections come back as failed leases, not exceptions, with the reason under the metadata
    /// name <c>REASON_PHRASE</c>; a count above the limit is such a failed lease, not an exception, because the limit
    /// can change at run time. Disposing the view does not dispose this limiter, which may have other users.
    /// </remarks>
    public RateLimiter AsRateLimiter() =>
        Volatile.Read(ref _rateLimiter) ?? Interlocked.CompareExchange(ref _rateLimiter, new TaskLimiterRateLimiter(this), null) ?? _rateLimiter!;

    /// <summary>Rejects every waiting caller with <see cref="LimiterRejectionReason.Disposed"/> and every later acquire. Granted leases stay valid.</summary>
    public void Dispose()
    {
        TaskCensus.Unregister(this);
        LeaseTicket? toComplete = null;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            while (_head is { } waiter)
            {
                DequeueUnsynchronized(waiter);
                waiter.State = WaiterState.Rejected;
                waiter.CompletionRejection = LimiterRejectionReason.Disposed;
                _rejectedDisposed++;
                waiter.NextToComplete = toComplete;
                toComplete = waiter;
            }

        }

        _queueTimer?.Dispose();
        _budgetWaitsDisposed?.Cancel();
        _metrics.Unregister(this);
        CompleteOutsideLock(Reverse(toComplete));
    }

    /// <summary>Same as <see cref="Dispose"/>; completes synchronously.</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return default;
    }

    GovernedOwnerKind ICensusSource.Kind => GovernedOwnerKind.TaskLimiter;

    int ICensusSource.LiveUnits => Volatile.Read(ref _queueCount);

    // Callers waiting in the queue; admitted work is the caller's own and is not listed here.
    void ICensusSource.CollectUnits(List<GovernedUnit> into)
    {
        lock (_lock)
        {
            for (var ticket = _head; ticket is not null; ticket = ticket.Next)
            {
                if (ticket.CensusStamped)
                {
                    if (CensusList.Describe(ticket, GovernedOwnerKind.TaskLimiter, Name, _timeProvider) is { } unit)
                {
                    into.Add(unit);
                }
                }
            }
        }
    }

    internal ValueTask<TaskLimiterLease> AcquireCore(int permits, bool throwOnRejection, in CreationSite site, CancellationToken cancellationToken)
    {
        Debug.Assert(permits > 0);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<TaskLimiterLease>(cancellationToken);
        }

        if (_budget is not null)
        {
            return AcquireWithBudgetAsync(permits, throwOnRejection, site, cancellationToken);
        }

        // Perf: the uncontended path is two volatile reads, one CAS and one increment — no lock, no allocation. It
        // needs no check of permits against the limit: the CAS succeeds only when that many are free, and never more
        // than the limit are.
        if (!_disposed && Volatile.Read(ref _queueCount) == 0 && TryTakePermits(permits))
        {
            return new ValueTask<TaskLimiterLease>(Admit(permits));
        }

        return AcquireSlow(permits, throwOnRejection, site, cancellationToken);
    }

    internal bool HasFreeSlot => !_disposed && _budget is null && Volatile.Read(ref _queueCount) == 0 && Volatile.Read(ref _available) > 0;

    internal void ReleasePermits(int permits)
    {
        Debug.Assert(permits > 0);
        LeaseTicket? toComplete;
        if (Volatile.Read(ref _queueCount) == 0)
        {
            // Interlocked.Add is a full fence, so the second read of _queueCount cannot move before it. A waiter
            // increments _queueCount (also a full fence) before it looks at _available again. So either the waiter
            // sees these permits and takes them, or this thread sees the waiter and hands them over: a wake-up is
            // never lost.
            Interlocked.Add(ref _available, permits);
            if (Volatile.Read(ref _queueCount) == 0)
            {
                return;
            }
        }
        else
        {
            // The permits go back to the pool before anyone is granted, rather than straight to the oldest waiter:
            // with weights, what is released rarely matches what the head asks for (it may need more, or leave some
            // for the waiters behind it), and with _available below zero (the limit was lowered under the work in
            // flight) they must pay off that debt first.
            Interlocked.Add(ref _available, permits);
        }

        lock (_lock)
        {
            toComplete = GrantWaitersUnsynchronized();
        }

        CompleteOutsideLock(toComplete);
    }

    /// <summary>How long the limiter has been idle, sampled when asked (see <see cref="RateLimiter.IdleDuration"/>).</summary>
    internal TimeSpan? GetIdleDuration()
    {
        // Perf: tracked lazily here rather than on every release, which would put a clock read on the hot path.
        // Hosts poll this periodically; activity between two polls resets the idle clock.
        var now = _timeProvider.GetTimestamp();
        lock (_lock)
        {
            var admitted = Interlocked.Read(ref _admittedAtOnce) + _admittedFromQueue;
            var busy = _queueCount != 0 || Volatile.Read(ref _available) < _maxConcurrency;
            if (busy || admitted != _admittedAtIdleCheck)
            {
                _admittedAtIdleCheck = admitted;
                _idleSince = now;
                return busy ? null : TimeSpan.Zero;
            }

            return _timeProvider.GetElapsedTime(_idleSince, now);
        }
    }

    private bool TryTakePermits(int permits)
    {
        var available = Volatile.Read(ref _available);
        while (available >= permits)
        {
            var observed = Interlocked.CompareExchange(ref _available, available - permits, available);
            if (observed == available)
            {
                return true;
            }

            available = observed;
        }

        return false;
    }

    private TaskLimiterLease Admit(int permits)
    {
        Interlocked.Increment(ref _admittedAtOnce);
        return LeaseTicket.Rent(this, permits).CreateLease();
    }

    private async Task RunCoreAsync(int permits, Func<CancellationToken, Task> work, CreationSite site, CancellationToken cancellationToken)
    {
        using (var lease = await AcquireCore(permits, throwOnRejection: true, site, cancellationToken).ConfigureAwait(false))
        {
            if (!lease.Lost.CanBeCanceled)
            {
                await work(cancellationToken).ConfigureAwait(false);
                return;
            }

            // With an external budget, the work is also told when its permits are lost.
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lease.Lost);
            await work(linked.Token).ConfigureAwait(false);
        }
    }

    private async Task<T> RunCoreAsync<T>(int permits, Func<CancellationToken, Task<T>> work, CreationSite site, CancellationToken cancellationToken)
    {
        using (var lease = await AcquireCore(permits, throwOnRejection: true, site, cancellationToken).ConfigureAwait(false))
        {
            if (!lease.Lost.CanBeCanceled)
            {
                return await work(cancellationToken).ConfigureAwait(false);
            }

            // With an external budget, the work is also told when its permits are lost.
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lease.Lost);
            return await work(linked.Token).ConfigureAwait(false);
        }
    }

    /// <summary>The acquire of a limiter with an external budget: local permits first (FIFO, queue limit), then the budget's.</summary>
    private async ValueTask<TaskLimiterLease> AcquireWithBudgetAsync(int permits, bool throwOnRejection, CreationSite site, CancellationToken cancellationToken)
    {
        Debug.Assert(_budget is not null);
        var start = _queueTimeoutTimestampTicks != 0 ? _timeProvider.GetTimestamp() : 0;
        var local = !_disposed && Volatile.Read(ref _queueCount) == 0 && TryTakePermits(permits)
            ? Admit(permits)
            : await AcquireSlow(permits, throwOnRejection: false, site, cancellationToken).ConfigureAwait(false);
        if (local.RejectionReason is { } localRejection)
        {
            return throwOnRejection ? throw new LimiterRejectedException(localRejection, Name) : local;
        }

        // The whole wait, local and external, is bounded by the queue timeout; disposing the limiter ends it too.
        Debug.Assert(_budgetWaitsDisposed is not null);
        CancellationTokenSource? timeout = null;
        if (_queueTimeoutTimestampTicks != 0)
        {
            var left = QueueTimeout - _timeProvider.GetElapsedTime(start);
            timeout = new CancellationTokenSource(left > TimeSpan.Zero ? left : TimeSpan.FromTicks(1), _timeProvider);
        }

        LimiterRejectionReason rejection;
        CancellationTokenSource? linked = null;
        try
        {
            linked = timeout is null
                ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _budgetWaitsDisposed.Token)
                : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token, _budgetWaitsDisposed.Token);
            if (await _budget.AcquireAsync(permits, linked.Token).ConfigureAwait(false) is { } permit)
            {
                local.AttachBudgetPermit(permit);
                return local;
            }

            Interlocked.Increment(ref _rejectedUnavailable);
            rejection = LimiterRejectionReason.Unavailable;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && timeout is { IsCancellationRequested: true })
        {
            lock (_lock)
            {
                _rejectedQueueTimeout++;
            }

            rejection = LimiterRejectionReason.QueueTimeout;
        }
        catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException && !cancellationToken.IsCancellationRequested && _disposed)
        {
            lock (_lock)
            {
                _rejectedDisposed++;
            }

            rejection = LimiterRejectionReason.Disposed;
        }
        catch
        {
            local.Dispose();
            throw;
        }
        finally
        {
            linked?.Dispose();
            timeout?.Dispose();
        }

        local.Dispose();
        RecordRejection(rejection);
        return throwOnRejection
            ? throw new LimiterRejectedException(rejection, Name)
            : TaskLimiterLease.Rejected(rejection);
    }

    private ValueTask<TaskLimiterLease> AcquireSlow(int permits, bool throwOnRejection, CreationSite site, CancellationToken cancellationToken)
    {
        LeaseTicket? toComplete;
        LeaseTicket ticket;
        short token;
        LimiterRejectionReason rejection;
        var armTimerFor = 0L;

        // Perf: the clock is read only when a deadline or a listener needs it. It is read before taking the lock, like
        // every TimeProvider call: a TimeProvider is user code (a fake one runs due timer callbacks inline).
        var census = TaskCensus.Enabled;
        var now = _queueTimeoutTimestampTicks != 0 || _metrics.QueueWait.Enabled ? _timeProvider.GetTimestamp() : 0;
        var context = census ? TaskCensus.CurrentContext : null;
        var censusNow = census ? CensusClock.Now(_timeProvider) : 0;
        lock (_lock)
        {
            if (_disposed)
            {
                _rejectedDisposed++;
                rejection = LimiterRejectionReason.Disposed;
                goto Rejected;
            }

            // Under the lock, with nobody queued, permits released since the fast path may be taken directly.
            if (_queueCount == 0 && TryTakePermits(permits))
            {
                return new ValueTask<TaskLimiterLease>(Admit(permits));
            }

            // Such a waiter could never be granted, and at the head of the queue it would hold back everyone behind
            // it. Go's semaphore.Weighted makes it wait for its context instead; a clear rejection now is kinder.
            if (permits > _maxConcurrency)
            {
                _rejectedPermitsExceedLimit++;
                rejection = LimiterRejectionReason.PermitsExceedLimit;
                goto Rejected;
            }

            if (_queueCount >= _queueLimit)
            {
                _rejectedQueueFull++;
                rejection = LimiterRejectionReason.QueueFull;
                goto Rejected;
            }

            ticket = LeaseTicket.Rent(this, permits);
            token = ticket.PrepareWait(throwOnRejection);
            ticket.EnqueueTimestamp = now;
            if (census)
            {
                ticket.Stamp(site, GovernedUnitState.Waiting, censusNow, context);
            }
            else
            {
                ticket.Unstamp();
            }

            ticket.Deadline = _queueTimeoutTimestampTicks == 0 ? long.MaxValue : now + _queueTimeoutTimestampTicks;
            EnqueueUnsynchronized(ticket);

            // See ReleaseSlot: a permit released after the check above must not be stranded.
            toComplete = GrantWaitersUnsynchronized();

            if (ticket.State == WaiterState.Queued && ticket.Deadline < _queueTimerDeadline)
            {
                armTimerFor = _queueTimerDeadline = ticket.Deadline;
            }
        }

        ArmQueueTimer(armTimerFor);
        CompleteOutsideLock(toComplete);

        if (cancellationToken.CanBeCanceled)
        {
            // Registered outside the lock: a token that has already fired runs the callback inline, and the callback
            // takes the lock. The registration is stored only while the ticket still waits, under the lock, so
            // whoever completes the ticket disposes it; if the ticket completed meanwhile, it is disposed here.
            var registration = cancellationToken.UnsafeRegister(s_onCanceled, ticket);
            var stored = false;
            lock (_lock)
            {
                if (ticket.State == WaiterState.Queued)
                {
                    ticket.Registration = registration;
                    stored = true;
                }
            }

            if (!stored)
            {
                registration.Dispose();
            }
        }

        // The ticket cannot be recycled before the caller reads this ValueTask, so handing it out is safe even if it
        // has already completed.
        return new ValueTask<TaskLimiterLease>(ticket, token);

    Rejected:
        // Outside the lock: metric listeners are user code.
        RecordRejection(rejection);
        return throwOnRejection
            ? ValueTask.FromException<TaskLimiterLease>(new LimiterRejectedException(rejection, Name))
            : new ValueTask<TaskLimiterLease>(TaskLimiterLease.Rejected(rejection));
    }

    private void RecordRejection(LimiterRejectionReason reason)
    {
        if (_metrics.Rejected.Enabled)
        {
            _metrics.Rejected.Add(1, _nameTag, ReasonTag(reason));
        }
    }

    private void EnqueueUnsynchronized(LeaseTicket ticket)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread);
        ticket.Previous = _tail;
        ticket.Next = null;
        if (_tail is null)
        {
            _head = ticket;
        }
        else
        {
            _tail.Next = ticket;
        }

        _tail = ticket;

        // A full fence, paired with the one in ReleaseSlot.
        Interlocked.Increment(ref _queueCount);
    }

    private void DequeueUnsynchronized(LeaseTicket ticket)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread);
        Debug.Assert(ticket.State == WaiterState.Queued);
        if (ticket.Previous is null)
        {
            _head = ticket.Next;
        }
        else
        {
            ticket.Previous.Next = ticket.Next;
        }

        if (ticket.Next is null)
        {
            _tail = ticket.Previous;
        }
        else
        {
            ticket.Next.Previous = ticket.Previous;
        }

        ticket.Next = null;
        ticket.Previous = null;
        // Every writer holds the lock, so a plain write cannot lose an update; only the enqueue needs a full fence.
        Volatile.Write(ref _queueCount, _queueCount - 1);
    }

    /// <summary>Hands free permits to the oldest waiters; returns them oldest first, to be signalled outside the lock.</summary>
    /// <remarks>
    /// Stops at the first waiter whose permits are not free, even if smaller requests behind it would fit: that is
    /// what keeps a large request from being starved (Go's semaphore.Weighted does the same).
    /// </remarks>
    private LeaseTicket? GrantWaitersUnsynchronized()
    {
        Debug.Assert(_lock.IsHeldByCurrentThread);
        LeaseTicket? first = null;
        LeaseTicket? last = null;
        while (_head is { } waiter && TryTakePermits(waiter.Permits))
        {
            DequeueUnsynchronized(waiter);
            waiter.State = WaiterState.Granted;
            _admittedFromQueue++;
            if (last is null)
            {
                first = waiter;
            }
            else
            {
                last.NextToComplete = waiter;
            }

            last = waiter;
        }

        return first;
    }

    /// <summary>Rejects every waiter that asks for more permits than the (just lowered) limit; returns them in queue order.</summary>
    private LeaseTicket? RejectOversizedWaitersUnsynchronized()
    {
        Debug.Assert(_lock.IsHeldByCurrentThread);
        LeaseTicket? rejected = null;
        for (var waiter = _head; waiter is not null;)
        {
            var next = waiter.Next;
            if (waiter.Permits > _maxConcurrency)
            {
                DequeueUnsynchronized(waiter);
                waiter.State = WaiterState.Rejected;
                waiter.CompletionRejection = LimiterRejectionReason.PermitsExceedLimit;
                _rejectedPermitsExceedLimit++;
                waiter.NextToComplete = rejected;
                rejected = waiter;
            }

            waiter = next;
        }

        return Reverse(rejected);
    }

    private void CompleteOutsideLock(LeaseTicket? toComplete)
    {
        Debug.Assert(!_lock.IsHeldByCurrentThread);
        var recordWait = toComplete is not null && _metrics.QueueWait.Enabled;
        while (toComplete is { } ticket)
        {
            toComplete = ticket.NextToComplete;
            ticket.NextToComplete = null;

            // Dispose waits for a callback that is running right now; once it returns, the callback will never run,
            // so the ticket can be recycled safely after the awaiter reads the outcome.
            ticket.Registration.Dispose();
            ticket.Registration = default;

            if (ticket.State == WaiterState.Granted)
            {
                if (recordWait && ticket.EnqueueTimestamp != 0)
                {
                    _metrics.QueueWait.Record(_timeProvider.GetElapsedTime(ticket.EnqueueTimestamp).TotalSeconds, _nameTag);
                }

                ticket.SignalGranted();
            }
            else
            {
                RecordRejection(ticket.CompletionRejection);
                ticket.SignalRejected(ticket.CompletionRejection);
            }
        }
    }

    /// <summary>Arms the queue timer for a deadline decided under the lock (0: nothing to arm).</summary>
    /// <remarks>
    /// Called outside the lock: a TimeProvider is user code, and a fake one may run due callbacks inline in
    /// <see cref="ITimer.Change"/>. Two arms may land out of order; that is harmless, because the heads' deadlines only
    /// grow, so a stale arm can only make the timer fire early, and an early firing re-arms for the current head.
    /// </remarks>
    private void ArmQueueTimer(long deadline)
    {
        Debug.Assert(!_lock.IsHeldByCurrentThread);
        if (deadline == 0 || _queueTimer is null)
        {
            return;
        }

        // Round up so that the timer never fires before the deadline and re-arms in a loop.
        var remaining = deadline - _timeProvider.GetTimestamp();
        var dueTicks = (long)Math.Ceiling(remaining * (double)TimeSpan.TicksPerSecond / _timeProvider.TimestampFrequency);
        _queueTimer.Change(TimeSpan.FromTicks(Math.Max(1, dueTicks)), Timeout.InfiniteTimeSpan);
    }

    private void OnQueueTimer()
    {
        // One timer serves the whole queue: every waiter has the same timeout and the queue is FIFO, so deadlines
        // grow from head to tail. The timer is armed for the oldest deadline; when it fires it expires every waiter
        // whose deadline has passed and re-arms for the next one.
        LeaseTicket? toComplete = null;
        var armTimerFor = 0L;
        var now = _timeProvider.GetTimestamp();
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _queueTimerDeadline = long.MaxValue;
            while (_head is { } waiter && waiter.Deadline <= now)
            {
                DequeueUnsynchronized(waiter);
                waiter.State = WaiterState.TimedOut;
                waiter.CompletionRejection = LimiterRejectionReason.QueueTimeout;
                _rejectedQueueTimeout++;
                waiter.NextToComplete = toComplete;
                toComplete = waiter;
            }

            // A large waiter that timed out at the head may have been holding back smaller ones that fit now.
            toComplete = Append(Reverse(toComplete), GrantWaitersUnsynchronized());
            if (_head is { } next)
            {
                armTimerFor = _queueTimerDeadline = next.Deadline;
            }
        }

        ArmQueueTimer(armTimerFor);
        CompleteOutsideLock(toComplete);
    }

    private static void OnWaiterCanceled(object? state, CancellationToken cancellationToken)
    {
        var ticket = (LeaseTicket)state!;
        var limiter = ticket.Limiter;
        if (limiter is null)
        {
            return;
        }

        LeaseTicket? toComplete;
        lock (limiter._lock)
        {
            if (ticket.State != WaiterState.Queued)
            {
                return; // Granted, timed out or rejected first; whoever did it disposes this registration.
            }

            limiter.DequeueUnsynchronized(ticket);
            ticket.State = WaiterState.Canceled;
            ticket.Registration = default; // This callback is that registration; nothing to dispose.
            limiter._canceled++;

            // A large waiter that left the head may have been holding back smaller ones that fit now.
            toComplete = limiter.GrantWaitersUnsynchronized();
        }

        ticket.SignalCanceled(cancellationToken);
        limiter.CompleteOutsideLock(toComplete);
    }

    /// <summary>Links <paramref name="second"/> after <paramref name="first"/> (both lists of tickets to complete).</summary>
    private static LeaseTicket? Append(LeaseTicket? first, LeaseTicket? second)
    {
        if (first is null)
        {
            return second;
        }

        var last = first;
        while (last.NextToComplete is { } next)
        {
            last = next;
        }

        last.NextToComplete = second;
        return first;
    }

    private static LeaseTicket? Reverse(LeaseTicket? list)
    {
        LeaseTicket? reversed = null;
        while (list is { } item)
        {
            list = item.NextToComplete;
            item.NextToComplete = reversed;
            reversed = item;
        }

        return reversed;
    }

    private static KeyValuePair<string, object?> ReasonTag(LimiterRejectionReason reason) => new(
        GovernanceMeter.RejectionReasonTag,
        reason switch
        {
            LimiterRejectionReason.QueueFull => "queue_full",
            LimiterRejectionReason.QueueTimeout => "queue_timeout",
            LimiterRejectionReason.PermitsExceedLimit => "permits_exceed_limit",
            LimiterRejectionReason.Unavailable => "unavailable",
            _ => "disposed",
        });
}
