namespace Governance;

/// <summary>A snapshot of a <see cref="TaskLimiter"/>'s state and counters, taken by <see cref="TaskLimiter.GetStatistics"/>.</summary>
/// <remarks>Totals count from the limiter's creation. The snapshot is consistent: it is taken under the limiter's lock.</remarks>
public sealed class TaskLimiterStatistics
{
    /// <summary>The limiter's name.</summary>
    public required string Name { get; init; }

    /// <summary>The current limit (it changes with <see cref="TaskLimiter.SetMaxConcurrency"/>).</summary>
    public int MaxConcurrency { get; init; }

    /// <summary>
    /// Permits held now: one per lease, or the lease's permit count for a weighted one. May exceed
    /// <see cref="MaxConcurrency"/> briefly after the limit was lowered. With an external budget, callers that hold their
    /// local permits while they wait for the budget's are counted here too.
    /// </summary>
    public int InFlight { get; init; }

    /// <summary>Callers waiting in the queue now.</summary>
    public int Queued { get; init; }

    /// <summary>Leases granted since creation, at once or after a wait (a weighted lease counts once).</summary>
    public long TotalAdmitted { get; init; }

    /// <summary>Callers rejected because the queue was full.</summary>
    public long RejectedQueueFull { get; init; }

    /// <summary>Callers rejected because they waited longer than the queue timeout.</summary>
    public long RejectedQueueTimeout { get; init; }

    /// <summary>Callers rejected because the limiter was disposed.</summary>
    public long RejectedDisposed { get; init; }

    /// <summary>Callers rejected because they asked for more permits than the limit.</summary>
    public long RejectedPermitsExceedLimit { get; init; }

    /// <summary>Callers rejected because the limiter's external budget (<see cref="TaskLimiterOptions.Budget"/>) could not be reached.</summary>
    public long RejectedUnavailable { get; init; }

    /// <summary>Callers rejected for any reason.</summary>
    public long TotalRejected => RejectedQueueFull + RejectedQueueTimeout + RejectedDisposed + RejectedPermitsExceedLimit + RejectedUnavailable;

    /// <summary>Queued callers that left the queue because their cancellation token fired.</summary>
    public long TotalCanceled { get; init; }
}
