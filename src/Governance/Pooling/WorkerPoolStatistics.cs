namespace Governance;

/// <summary>A snapshot of a <see cref="WorkerPool{T}"/>, taken by <see cref="WorkerPool{T}.GetStatistics"/>.</summary>
/// <remarks>
/// Counts are conserved: every item accepted by the pool ends up exactly once in <see cref="Processed"/>,
/// <see cref="Failed"/>, <see cref="Canceled"/> or <see cref="Dropped"/>, or is still <see cref="Queued"/> or being handled.
/// Counters are read without stopping the workers, so a snapshot taken while they run may be a few items stale.
/// </remarks>
public sealed class WorkerPoolStatistics
{
    /// <summary>The pool's name.</summary>
    public required string Name { get; init; }

    /// <summary>The current number of workers.</summary>
    public int Workers { get; init; }

    /// <summary>Workers running the handler right now.</summary>
    public int BusyWorkers { get; init; }

    /// <summary>Items waiting in the queue.</summary>
    public int Queued { get; init; }

    /// <summary>Items whose handler completed successfully.</summary>
    public long Processed { get; init; }

    /// <summary>Items whose handler threw.</summary>
    public long Failed { get; init; }

    /// <summary>Items whose handler was canceled by the pool's disposal (it threw <see cref="OperationCanceledException"/> after the pool's token fired).</summary>
    public long Canceled { get; init; }

    /// <summary>Items dropped without being processed: displaced in a drop mode, or queued when the pool was disposed.</summary>
    public long Dropped { get; init; }

    /// <summary>Items refused at the door (queue full in <see cref="WorkerPoolFullMode.Reject"/> mode, or the pool completed).</summary>
    public long Rejected { get; init; }
}
