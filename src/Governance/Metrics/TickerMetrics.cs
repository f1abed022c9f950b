using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Governance;

/// <summary>
/// The ticker instruments of one meter, shared by every <see cref="TickerStateMachine"/> publishing on it.
/// </summary>
/// <remarks>
/// Shared per meter for the reason given in <see cref="LimiterMetrics"/>, and held through weak references likewise.
/// Every instrument is observable: the machine keeps plain counters that a listener reads when it collects, so
/// handling a tick or an event costs no metrics work at all, listener or not.
/// </remarks>
internal sealed class TickerMetrics
{
    private static readonly ConditionalWeakTable<Meter, TickerMetrics> s_byMeter = new();

    private readonly WeakRegistry<TickerStateMachine> _machines = new();

    private TickerMetrics(Meter meter)
    {
        meter.CreateObservableCounter(
            "governance.ticker.ticks", () => Observe(static s => s.TicksHandled), "{tick}", "Ticks the ticker state machine handled.");
        meter.CreateObservableCounter(
            "governance.ticker.coalesced_ticks", () => Observe(static s => s.TicksCoalesced), "{tick}",
            "Timer firings merged into a tick already pending because the loop was busy (missed ticks).");
        meter.CreateObservableCounter(
            "governance.ticker.events", () => Observe(static s => s.EventsHandled), "{event}", "Events the ticker state machine handled.");
        meter.CreateObservableUpDownCounter(
            "governance.ticker.pending_events", () => Observe(static s => s.PendingEvents), "{event}", "Events queued for the ticker state machine's loop.");
        meter.CreateObservableCounter(
            "governance.ticker.failures", ObserveFailures, "{failure}", "Tick and event handlers that threw, by handler.");
        meter.CreateObservableCounter(
            "governance.ticker.rejected_events", ObserveRejections, "{event}", "Posted events the ticker state machine refused, by reason.");
        meter.CreateObservableCounter(
            "governance.ticker.abandoned_events", () => Observe(static s => s.EventsAbandoned), "{event}",
            "Accepted events never handled because a stop was cut short or the machine stopped on an error.");
    }

    internal static TickerMetrics For(Meter meter) => s_byMeter.GetValue(meter, static m => new TickerMetrics(m));

    internal void Register(TickerStateMachine machine) => _machines.Add(machine);

    internal void Unregister(TickerStateMachine machine) => _machines.Remove(machine);

    private List<Measurement<long>> Observe(Func<TickerStateMachineStatistics, long> select)
    {
        var measurements = new List<Measurement<long>>();
        foreach (var statistics in Snapshot())
        {
            measurements.Add(new Measurement<long>(select(statistics), NameTag(statistics)));
        }

        return measurements;
    }

    private List<Measurement<long>> ObserveFailures()
    {
        var measurements = new List<Measurement<long>>();
        foreach (var statistics in Snapshot())
        {
            measurements.Add(new Measurement<long>(statistics.TickFailures, NameTag(statistics), new(GovernanceMeter.TickerHandlerTag, "tick")));
            measurements.Add(new Measurement<long>(statistics.EventFailures, NameTag(statistics), new(GovernanceMeter.TickerHandlerTag, "event")));
        }

        return measurements;
    }

    private List<Measurement<long>> ObserveRejections()
    {
        var measurements = new List<Measurement<long>>();
        foreach (var statistics in Snapshot())
        {
            measurements.Add(new Measurement<long>(statistics.RejectedFull, NameTag(statistics), new(GovernanceMeter.RejectionReasonTag, "queue_full")));
            measurements.Add(new Measurement<long>(statistics.RejectedStopped, NameTag(statistics), new(GovernanceMeter.RejectionReasonTag, "stopped")));
        }

        return measurements;
    }

    private List<TickerStateMachineStatistics> Snapshot()
    {
        // Statistics are read outside the registry's lock, as for limiters: a machine's snapshot reads its queue.
        var machines = _machines.Snapshot();
        var snapshot = new List<TickerStateMachineStatistics>(machines.Count);
        foreach (var machine in machines)
        {
            snapshot.Add(machine.GetStatistics());
        }

        return snapshot;
    }

    private static KeyValuePair<string, object?> NameTag(TickerStateMachineStatistics statistics) =>
        new(GovernanceMeter.TickerNameTag, statistics.Name);
}
