namespace Governance;

/// <summary>Why a <see cref="TaskLimiter"/> turned a caller away.</summary>
public enum LimiterRejectionReason
{
    /// <summary>Every slot was taken and the wait queue already held <see cref="TaskLimiterOptions.QueueLimit"/> callers.</summary>
    QueueFull = 0,

    /// <summary>The caller waited <see cref="TaskLimiterOptions.QueueTimeout"/> in the queue without getting a slot.</summary>
    QueueTimeout = 1,

    /// <summary>The limiter was disposed before (or while) the caller waited.</summary>
    Disposed = 2,

    /// <summary>
    /// The caller asked for more permits than the limit (<see cref="TaskLimiterOptions.MaxConcurrency"/>, or the
    /// value set since with <see cref="TaskLimiter.SetMaxConcurrency"/>): such a request could never be granted.
    /// </summary>
    PermitsExceedLimit = 3,

    /// <summary>
    /// The limiter's external budget (<see cref="TaskLimiterOptions.Budget"/>) could not be reached — a cluster-wide
    /// limit whose store is down, say — and that budget fails closed.
    /// </summary>
    Unavailable = 4,
}
