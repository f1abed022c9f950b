namespace Governance;

/// <summary>A snapshot of a <see cref="TickerStateMachine"/>'s counters, taken by <see cref="TickerStateMachine.GetStatistics"/>.</summary>
/// <remarks>
/// Totals count from the machine's creation. Each counter is read atomically, but the snapshot is not taken as one
/// atomic step: while the machine runs, two counters may be read a moment apart. Once
/// <see cref="TickerStateMachine.Completion"/> has completed, the counters no longer change (except
/// <see cref="RejectedStopped"/>), and every accepted event is either in <see cref="EventsHandled"/> or in
/// <see cref="EventsAbandoned"/>.
/// </remarks>
public sealed class TickerStateMachineStatistics
{
    /// <summary>The machine's name.</summary>
    public required string Name { get; init; }

    /// <summary>Events accepted and not yet handed to the event handler.</summary>
    public int PendingEvents { get; init; }

    /// <summary>Times the tick handler ran, whether it succeeded or not.</summary>
    public long TicksHandled { get; init; }

    /// <summary>
    /// Timer firings that found a tick already pending and were merged into it, as Go's ticker drops ticks for a slow
    /// receiver.
    /// </summary>
    public long TicksCoalesced { get; init; }

    /// <summary>Events handed to the event handler, whether it succeeded or not.</summary>
    public long EventsHandled { get; init; }

    /// <summary>Times the tick handler threw.</summary>
    public long TickFailures { get; init; }

    /// <summary>Times the event handler threw.</summary>
    public long EventFailures { get; init; }

    /// <summary>Events refused because the queue was full (<see cref="TickerStateMachine{TEvent}.Post"/> returned <see langword="false"/>).</summary>
    public long RejectedFull { get; init; }

    /// <summary>Events refused because the machine was stopping or stopped.</summary>
    public long RejectedStopped { get; init; }

    /// <summary>Accepted events that were never handled: queued when a stop was cut short, when the machine stopped on an error, or when it was stopped before it started.</summary>
    public long EventsAbandoned { get; init; }
}
