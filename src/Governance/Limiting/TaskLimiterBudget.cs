namespace Governance;

/// <summary>
/// A budget held outside a <see cref="TaskLimiter"/> that every permit also needs — a cluster-wide limit shared by the
/// instances of a service, say (the <c>Governance.Redis</c> package provides one). Set it in
/// <see cref="TaskLimiterOptions.Budget"/>.
/// </summary>
/// <remarks>
/// <para>The limiter consults the budget after it has granted a caller its local permits, in the order of its own FIFO
/// queue, and before it hands out the lease: the local permits are held while the caller waits for the budget. The
/// caller's whole wait, local and external, is bounded by <see cref="TaskLimiterOptions.QueueTimeout"/> and by the
/// caller's cancellation token; both reach <see cref="AcquireAsync"/> as its token.</para>
/// <para>A limiter without a budget pays nothing for this extension point but a null check.</para>
/// <para>Implementations must be safe to call concurrently, and should keep their own waiters first come, first served
/// so that the limiter's local order holds.</para>
/// </remarks>
public abstract class TaskLimiterBudget
{
    /// <summary>Creates the budget.</summary>
    protected TaskLimiterBudget()
    {
    }

    /// <summary>Takes <paramref name="permits"/> permits from the budget, waiting for them if needed.</summary>
    /// <param name="permits">How many permits the caller was granted locally; at least one.</param>
    /// <param name="cancellationToken">Fires when the caller cancels or its queue timeout passes: stop waiting, take nothing, and throw <see cref="OperationCanceledException"/>.</param>
    /// <returns>
    /// The permit, released when the caller's lease is disposed; or <see langword="null"/> when the budget cannot be
    /// reached and the caller must be rejected with <see cref="LimiterRejectionReason.Unavailable"/>.
    /// </returns>
    /// <remarks>A budget that lets callers through on local permits alone while it cannot be reached (a fail-open mode) returns <see cref="TaskLimiterBudgetPermit.LocalOnly"/>.</remarks>
    public abstract ValueTask<TaskLimiterBudgetPermit?> AcquireAsync(int permits, CancellationToken cancellationToken);
}

/// <summary>Permits held in a <see cref="TaskLimiterBudget"/> on behalf of one <see cref="TaskLimiterLease"/>.</summary>
public abstract class TaskLimiterBudgetPermit
{
    /// <summary>Creates the permit.</summary>
    protected TaskLimiterBudgetPermit()
    {
    }

    /// <summary>A permit that holds nothing outside the limiter: for budgets that fail open. Its <see cref="Lost"/> never fires.</summary>
    public static TaskLimiterBudgetPermit LocalOnly { get; } = new LocalOnlyPermit();

    /// <summary>Fires when the permit is lost while held (a lease in an external store expired, say); seen by the holder as <see cref="TaskLimiterLease.Lost"/>.</summary>
    public abstract CancellationToken Lost { get; }

    /// <summary>Gives the permit back. Called once, when the lease is disposed; it must not block or throw.</summary>
    public abstract void Release();

    private sealed class LocalOnlyPermit : TaskLimiterBudgetPermit
    {
        public override CancellationToken Lost => CancellationToken.None;

        public override void Release()
        {
        }
    }
}
