namespace Governance;

/// <summary>What a <see cref="WorkerPool{T}"/> does with a new item when its queue is at capacity.</summary>
public enum WorkerPoolFullMode
{
    /// <summary><see cref="WorkerPool{T}.EnqueueAsync"/> waits for space (backpressure); <see cref="WorkerPool{T}.TryEnqueue"/> returns <see langword="false"/>.</summary>
    Wait = 0,

    /// <summary>The oldest queued item is dropped (counted, and passed to the pool's <c>onDropped</c>) to make room.</summary>
    DropOldest = 1,

    /// <summary>The newest queued item is dropped (counted, and passed to the pool's <c>onDropped</c>) to make room, as in <c>System.Threading.Channels</c>.</summary>
    DropNewest = 2,

    /// <summary>The new item is refused: <see cref="WorkerPool{T}.EnqueueAsync"/> throws <see cref="WorkerPoolRejectedException"/> and <see cref="WorkerPool{T}.TryEnqueue"/> returns <see langword="false"/>.</summary>
    Reject = 3,
}
