using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Governance;

/// <summary>
/// The limiter instruments of one meter, shared by every <see cref="TaskLimiter"/> publishing on it.
/// </summary>
/// <remarks>
/// Instruments are created once per meter, not per limiter: a meter can't drop a single instrument, so per-limiter
/// instruments would pile up in services that create limiters dynamically. The gauges read a registry of live
/// limiters when a listener collects them. The registry holds weak references, so a limiter nobody disposed is
/// still collected by the GC and leaves the gauges when it is.
/// </remarks>
internal sealed class LimiterMetrics
{
    private static readonly ConditionalWeakTable<Meter, LimiterMetrics> s_byMeter = new();

    private readonly WeakRegistry<TaskLimiter> _limiters = new();

    private LimiterMetrics(Meter meter)
    {
        meter.CreateObservableUpDownCounter(
            "governance.limiter.in_flight", () => Observe(static s => s.InFlight), "{task}", "Units of work holding a limiter slot.");
        meter.CreateObservableUpDownCounter(
            "governance.limiter.queued", () => Observe(static s => s.Queued), "{task}", "Callers waiting for a limiter slot.");
        meter.CreateObservableUpDownCounter(
            "governance.limiter.limit", () => Observe(static s => s.MaxConcurrency), "{task}", "The limiter's current concurrency limit.");
        meter.CreateObservableCounter(
            "governance.limiter.admitted", () => Observe(static s => s.TotalAdmitted), "{task}", "Slots granted by the limiter.");
        Rejected = meter.CreateCounter<long>(
            "governance.limiter.rejected", "{task}", "Callers the limiter turned away, by reason.");
        QueueWait = meter.CreateHistogram<double>(
            "governance.limiter.queue_wait", "s", "Time callers that had to queue waited before getting a slot.",
            tags: null,
            advice: GovernanceMeter.QueueWaitAdvice);
    }

    internal Counter<long> Rejected { get; }

    internal Histogram<double> QueueWait { get; }

    internal static LimiterMetrics For(Meter meter) => s_byMeter.GetValue(meter, static m => new LimiterMetrics(m));

    internal void Register(TaskLimiter limiter) => _limiters.Add(limiter);

    internal void Unregister(TaskLimiter limiter) => _limiters.Remove(limiter);

    private IEnumerable<Measurement<long>> Observe(Func<TaskLimiterStatistics, long> select)
    {
        // Statistics are read outside the registry's lock: each limiter takes its own lock to snapshot.
        foreach (var limiter in _limiters.Snapshot())
        {
            var statistics = limiter.GetStatistics();
            yield return new Measurement<long>(select(statistics), new KeyValuePair<string, object?>(GovernanceMeter.LimiterNameTag, statistics.Name));
        }
    }
}
