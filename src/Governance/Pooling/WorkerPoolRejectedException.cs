namespace Governance;

/// <summary>Thrown when a <see cref="WorkerPool{T}"/> refuses an item; the item was not queued and will not be processed.</summary>
public sealed class WorkerPoolRejectedException : Exception
{
    /// <summary>Creates an exception for an item refused by the pool named <paramref name="poolName"/>.</summary>
    /// <param name="reason">Why the item was refused.</param>
    /// <param name="poolName">The pool's name.</param>
    public WorkerPoolRejectedException(WorkerPoolRejectionReason reason, string poolName)
        : base(reason == WorkerPoolRejectionReason.QueueFull
            ? $"WorkerPool '{poolName}' refused the item: its queue is full."
            : $"WorkerPool '{poolName}' refused the item: it has been completed or disposed and takes no more items.")
    {
        Reason = reason;
        PoolName = poolName;
    }

    /// <summary>Why the item was refused.</summary>
    public WorkerPoolRejectionReason Reason { get; }

    /// <summary>The name of the pool that refused the item.</summary>
    public string PoolName { get; }
}
