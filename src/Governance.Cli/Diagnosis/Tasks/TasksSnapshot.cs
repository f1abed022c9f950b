namespace Governance.Cli.Diagnosis.Tasks;

/// <summary>What <c>governance tasks</c> found in one look at a process: pending async work, timers and channels, grouped.</summary>
internal sealed record TasksSnapshot(
    int ProcessId,
    string RuntimeVersion,
    DateTimeOffset TakenAt,
    SnapshotCost Cost,
    int PendingOperations,
    int UnreachablePendingOperations,
    IReadOnlyList<AwaitChainGroup> Chains,
    IReadOnlyList<TimerGroup> Timers,
    IReadOnlyList<ChannelGroup> Channels);

/// <summary>How long the look took, and for how long the target was stopped.</summary>
/// <param name="Method">"attach" (the process suspended for the whole walk) or "dump" (suspended while its dump was written).</param>
/// <param name="TargetPause">How long the target's threads were stopped.</param>
/// <param name="Total">The whole snapshot, walk and grouping included.</param>
/// <param name="HeapObjects">Objects walked.</param>
/// <param name="HeapWalk">Of the total, reading every object once.</param>
/// <param name="Reachability">Of the total, marking what the roots reach (zero with --include-unreachable).</param>
internal sealed record SnapshotCost(string Method, TimeSpan TargetPause, TimeSpan Total, long HeapObjects, TimeSpan HeapWalk = default, TimeSpan Reachability = default);

/// <summary>
/// Pending async operations that wait at the same place: the await chain from the innermost awaiting method outwards
/// (<c>OrderStore.SaveAsync ← OrderService.ProcessAsync</c>) and what the innermost one awaits.
/// </summary>
/// <param name="Frames">The chain's methods, innermost first, as <c>Type.Method</c>.</param>
/// <param name="QualifiedFrames">The same methods with namespaces.</param>
/// <param name="Awaiting">What the innermost method awaits (a task's type, <c>Task.Delay</c>, a channel read), when known.</param>
/// <param name="Count">How many chains wait there.</param>
/// <param name="States">The innermost state machines' states (the await they are parked at; -1 running) and how many are in each.</param>
internal sealed record AwaitChainGroup(
    IReadOnlyList<string> Frames,
    IReadOnlyList<string> QualifiedFrames,
    string? Awaiting,
    int Count,
    IReadOnlyDictionary<int, int> States)
{
    /// <summary>The group's identity across two snapshots.</summary>
    internal string Key => string.Join(" <- ", QualifiedFrames) + " | " + Awaiting;
}

/// <summary>Active timers with the same callback and period.</summary>
/// <param name="Callback">The callback as <c>Type.Method</c>.</param>
/// <param name="QualifiedCallback">The same with its namespace.</param>
/// <param name="Period">The period; null for a one-shot timer.</param>
/// <param name="Count">How many such timers are active.</param>
internal sealed record TimerGroup(string Callback, string QualifiedCallback, TimeSpan? Period, int Count)
{
    internal string Key => QualifiedCallback + " | " + Period?.Ticks;
}

/// <summary>Channels of one kind and element type.</summary>
/// <param name="Kind">BoundedChannel, UnboundedChannel, ...</param>
/// <param name="ElementType">The element type's name.</param>
/// <param name="Count">How many such channels exist.</param>
/// <param name="BufferedItems">Items written and not yet read, summed over them; null when a channel's store is one the walk cannot count (a single-reader unbounded channel of value types).</param>
/// <param name="WaitingReaders">Readers parked on an empty channel, summed.</param>
/// <param name="WaitingWriters">Writers parked on a full channel, summed.</param>
internal sealed record ChannelGroup(string Kind, string ElementType, int Count, long? BufferedItems, long WaitingReaders, long WaitingWriters)
{
    internal string Key => Kind + "<" + ElementType + ">";
}
