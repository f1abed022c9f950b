namespace Governance;

/// <summary>What a live unit of governed work is doing.</summary>
public enum GovernedUnitState
{
    /// <summary>Accepted but not started: queued for the thread pool, or an item waiting in a worker pool's queue.</summary>
    Queued,

    /// <summary>Waiting for permission to start: a producer waiting for a task group's slot, a caller in a limiter's queue, an idle worker or ticker loop.</summary>
    Waiting,

    /// <summary>Running its work.</summary>
    Running,
}

/// <summary>The kind of primitive that owns a unit of governed work.</summary>
public enum GovernedOwnerKind
{
    /// <summary>A <see cref="TaskGroup"/>.</summary>
    TaskGroup,

    /// <summary>A <see cref="WorkerPool{T}"/>.</summary>
    WorkerPool,

    /// <summary>A <see cref="TaskLimiter"/> (callers waiting in its queue).</summary>
    TaskLimiter,

    /// <summary>A <see cref="TickerStateMachine"/>'s loop.</summary>
    Ticker,

    /// <summary>Fire-and-forget work started with <see cref="Governed.Run"/>.</summary>
    Governed,
}

/// <summary>One live unit of governed work (or, for items queued in a worker pool, a count of them) in a census snapshot.</summary>
/// <param name="Site">Where the work was started.</param>
/// <param name="OwnerKind">The kind of primitive that owns it.</param>
/// <param name="OwnerName">The owner's name (the group's, pool's, limiter's or ticker's <c>Name</c> option).</param>
/// <param name="State">What it is doing.</param>
/// <param name="Age">
/// How long it has been alive, by its owner's <see cref="TimeProvider"/> (with <see cref="TimeProvider.System"/>, to the
/// millisecond). A worker pool's workers and a ticker's loop are aged from their start.
/// </param>
/// <param name="Labels">The labels set with <see cref="TaskCensus.WithLabels(KeyValuePair{string, string}[])"/> where it was started; never captured implicitly.</param>
/// <param name="Count">How many units this entry stands for: 1, or the number of items queued in a worker pool (then <paramref name="Age"/> is the oldest's while the pool's queue-wait histogram has a listener, which stamps the items, and zero otherwise).</param>
public sealed record GovernedUnit(
    CreationSite Site,
    GovernedOwnerKind OwnerKind,
    string OwnerName,
    GovernedUnitState State,
    TimeSpan Age,
    IReadOnlyList<KeyValuePair<string, string>> Labels,
    int Count)
{
    internal CensusContext? Context { get; init; }
}
