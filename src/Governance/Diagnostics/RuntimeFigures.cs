namespace Governance;

/// <summary>The runtime's own figures, read beside a census snapshot: the thread pool, timers, the GC heap and the process.</summary>
/// <param name="ThreadPoolThreads"><see cref="ThreadPool.ThreadCount"/>: thread-pool threads now.</param>
/// <param name="PendingWorkItems"><see cref="ThreadPool.PendingWorkItemCount"/>: work items queued and not started; it grows when the pool starves.</param>
/// <param name="CompletedWorkItems"><see cref="ThreadPool.CompletedWorkItemCount"/>: work items completed since the process started.</param>
/// <param name="ActiveTimers"><see cref="Timer.ActiveCount"/>: timers scheduled now; a timer leak shows here first.</param>
/// <param name="GcHeapBytes">The GC heap's size after the last collection, in bytes.</param>
/// <param name="WorkingSetBytes"><see cref="Environment.WorkingSet"/>: the process's physical memory, in bytes.</param>
public readonly record struct RuntimeFigures(
    int ThreadPoolThreads,
    long PendingWorkItems,
    long CompletedWorkItems,
    long ActiveTimers,
    long GcHeapBytes,
    long WorkingSetBytes)
{
    /// <summary>Reads the figures now.</summary>
    /// <returns>The figures.</returns>
    public static RuntimeFigures Capture() => new(
        ThreadPool.ThreadCount,
        ThreadPool.PendingWorkItemCount,
        ThreadPool.CompletedWorkItemCount,
        Timer.ActiveCount,
        GC.GetGCMemoryInfo().HeapSizeBytes,
        Environment.WorkingSet);
}
