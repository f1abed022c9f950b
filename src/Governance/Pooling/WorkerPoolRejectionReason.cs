namespace Governance;

/// <summary>Why a <see cref="WorkerPool{T}"/> refused an item.</summary>
public enum WorkerPoolRejectionReason
{
    /// <summary>The queue was at capacity and the pool's mode is <see cref="WorkerPoolFullMode.Reject"/>.</summary>
    QueueFull = 0,

    /// <summary>The pool no longer takes items: <see cref="WorkerPool{T}.CompleteAsync"/> or <see cref="WorkerPool{T}.DisposeAsync"/> was called.</summary>
    Completed = 1,
}
