namespace Governance;

/// <summary>
/// A slot (or, for a weighted acquisition, several permits) held in a <see cref="TaskLimiter"/>. Disposing the lease
/// gives them back.
/// </summary>
/// <remarks>
/// A lease from <see cref="TaskLimiter.AcquireOrRejectAsync"/> may also be a rejection: then
/// <see cref="IsAcquired"/> is <see langword="false"/>, <see cref="RejectionReason"/> says why, and disposing it does
/// nothing.
/// The lease is a small struct so that acquiring allocates nothing. Disposing it is idempotent and safe from any
/// thread: disposing it twice, or disposing a copy of it, releases the slot exactly once. Disposing
/// <c>default(TaskLimiterLease)</c> does nothing. A lease stays valid after its limiter is disposed.
/// </remarks>
public readonly struct TaskLimiterLease : IDisposable, IEquatable<TaskLimiterLease>
{
    private readonly LeaseTicket? _ticket;

    // Positive or zero: the ticket's lease version at grant time; a copy whose version no longer matches is stale.
    // Negative with no ticket: an internal rejection outcome (see Rejected), never handed to users.
    private readonly long _version;

    internal TaskLimiterLease(LeaseTicket ticket, long version)
    {
        _ticket = ticket;
        _version = version;
    }

    private TaskLimiterLease(long rejectionCode)
    {
        _ticket = null;
        _version = rejectionCode;
    }

    /// <summary>
    /// Whether the limiter granted this lease. <see langword="false"/> for a rejection and for
    /// <c>default(TaskLimiterLease)</c>; disposing a granted lease does not change it.
    /// </summary>
    public bool IsAcquired => _ticket is not null;

    /// <summary>Why the limiter rejected the caller, for a lease from <see cref="TaskLimiter.AcquireOrRejectAsync"/>; otherwise <see langword="null"/>.</summary>
    public LimiterRejectionReason? RejectionReason => IsRejected ? (LimiterRejectionReason)(-1 - _version) : null;

    /// <summary>
    /// Fires when the lease's permits are lost while it is held: the limiter's external budget
    /// (<see cref="TaskLimiterOptions.Budget"/>) took them back — a cluster lease that could not be renewed before it
    /// expired, say. Work that must not run beyond the limit should observe it. Never fires for a limiter without a
    /// budget, for a rejection, or once the lease is disposed and its ticket reused.
    /// </summary>
    public CancellationToken Lost => _ticket is { } ticket ? ticket.GetLost(_version) : CancellationToken.None;

    /// <summary>Gives the slot back to the limiter. Only the first call on any copy of the lease has an effect.</summary>
    public void Dispose() => _ticket?.Release(_version);

    internal static TaskLimiterLease Rejected(LimiterRejectionReason reason) => new(-1 - (long)reason);

    /// <summary>Attaches the external budget's permit to this granted lease; released with it.</summary>
    internal void AttachBudgetPermit(TaskLimiterBudgetPermit permit) => _ticket!.BudgetPermit = permit;

    internal bool IsRejected => _ticket is null && _version < 0;

    /// <inheritdoc />
    public bool Equals(TaskLimiterLease other) => ReferenceEquals(_ticket, other._ticket) && _version == other._version;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is TaskLimiterLease other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_ticket, _version);

    /// <summary>Whether two leases are copies of the same grant.</summary>
    public static bool operator ==(TaskLimiterLease left, TaskLimiterLease right) => left.Equals(right);

    /// <summary>Whether two leases are not copies of the same grant.</summary>
    public static bool operator !=(TaskLimiterLease left, TaskLimiterLease right) => !left.Equals(right);
}
