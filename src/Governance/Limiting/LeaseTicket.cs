using System.Diagnostics;
using System.Threading.Tasks.Sources;

namespace Governance;

/// <summary>
/// The object behind a <see cref="TaskLimiterLease"/>: it remembers which limiter to give the slot back to, and while
/// its owner waits for a slot it is the queue node and the awaitable that the owner's <see cref="ValueTask{T}"/> wraps.
/// </summary>
/// <remarks>
/// Perf: tickets are recycled through a one-slot thread-local cache, so the uncontended path (acquire and release on
/// one thread) allocates nothing and the contended path allocates only when a thread acquires more than it releases.
/// Recycling is safe because every lease carries the ticket's lease version: the first release bumps it, so a stale
/// copy's release is a no-op, and <see cref="ManualResetValueTaskSourceCore{TResult}"/> versions guard stale awaits.
/// A ticket is recycled only once nobody can reach it any more: after its lease is released, or after the awaiter
/// read a failed outcome.
/// </remarks>
internal sealed class LeaseTicket : CensusNode, IValueTaskSource<TaskLimiterLease>
{
    [ThreadStatic]
    private static LeaseTicket? t_cached;

    private ManualResetValueTaskSourceCore<TaskLimiterLease> _core;
    private long _leaseVersion;

    // Everything below is guarded by the owning limiter's lock while the ticket waits.
    internal TaskLimiter? Limiter;
    internal int Permits;
    internal LeaseTicket? Next;
    internal LeaseTicket? Previous;
    internal WaiterState State;
    internal long EnqueueTimestamp;
    internal long Deadline;
    internal bool ThrowOnRejection;
    internal CancellationTokenRegistration Registration;

    // The external budget's permit held with this lease; null for a limiter without a budget.
    internal TaskLimiterBudgetPermit? BudgetPermit;

    // Links tickets whose completion was decided under the lock, to be signalled after it is released.
    internal LeaseTicket? NextToComplete;
    internal LimiterRejectionReason CompletionRejection;

    private LeaseTicket()
    {
        // Completions are signalled outside the lock, but the signalling thread is usually a releaser running user
        // code: the waiter's continuation must not run inline on it.
        _core.RunContinuationsAsynchronously = true;
    }

    internal static LeaseTicket Rent(TaskLimiter limiter, int permits)
    {
        var ticket = t_cached;
        if (ticket is null)
        {
            ticket = new LeaseTicket();
        }
        else
        {
            t_cached = null;
        }

        ticket.Limiter = limiter;
        ticket.Permits = permits;
        return ticket;
    }

    internal TaskLimiterLease CreateLease() => new(this, Volatile.Read(ref _leaseVersion));

    /// <summary>Prepares the ticket to be a queue node and an awaitable.</summary>
    internal short PrepareWait(bool throwOnRejection)
    {
        _core.Reset();
        ThrowOnRejection = throwOnRejection;
        State = WaiterState.Queued;
        return _core.Version;
    }

    internal void Release(long version)
    {
        if (Interlocked.CompareExchange(ref _leaseVersion, version + 1, version) != version)
        {
            return; // Already released through this lease or a copy of it.
        }

        var limiter = Limiter;
        var permits = Permits;
        var budgetPermit = BudgetPermit;
        Debug.Assert(limiter is not null, "A granted ticket always knows its limiter.");
        Recycle();
        budgetPermit?.Release();
        limiter.ReleasePermits(permits);
    }

    internal CancellationToken GetLost(long version) =>
        BudgetPermit is { } permit && Volatile.Read(ref _leaseVersion) == version ? permit.Lost : CancellationToken.None;

    internal void SignalGranted() => _core.SetResult(CreateLease());

    internal void SignalRejected(LimiterRejectionReason reason) => _core.SetResult(TaskLimiterLease.Rejected(reason));

    internal void SignalCanceled(CancellationToken cancellationToken) =>
        _core.SetException(new OperationCanceledException(cancellationToken));

    public TaskLimiterLease GetResult(short token)
    {
        TaskLimiterLease lease;
        try
        {
            lease = _core.GetResult(token);
        }
        catch (OperationCanceledException)
        {
            Recycle();
            throw;
        }

        if (lease.RejectionReason is { } reason)
        {
            var throwOnRejection = ThrowOnRejection;
            var name = Limiter?.Name ?? "default";
            Recycle();
            if (throwOnRejection)
            {
                throw new LimiterRejectedException(reason, name);
            }
        }

        return lease;
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private void Recycle()
    {
        Unstamp();
        Limiter = null;
        Permits = 0;
        Next = null;
        Previous = null;
        NextToComplete = null;
        Registration = default;
        BudgetPermit = null;
        State = WaiterState.None;
        t_cached ??= this;
    }
}
