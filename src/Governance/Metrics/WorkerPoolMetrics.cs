using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Governance;

/// <summary>The worker-pool instruments of one meter, shared by every pool publishing on it (see <see cref="LimiterMetrics"/> for why).</summary>
internal sealed class WorkerPoolMetrics
{
    private static readonly ConditionalWeakTable<Meter, WorkerPoolMetrics> s_byMeter = new();

    private readonly WeakRegistry<IWorkerPoolStatisticsSource> _pools = new();

    private WorkerPoolMetrics(Meter meter)
    {
        meter.CreateObservableUpDownCounter("governance.pool.queued", () => Observe(static s => s.Queued), "{item}", "Items waiting in the pool's queue.");
        meter.CreateObservableUpDownCounter("governance.pool.busy_workers", () => Observe(static s => s.BusyWorkers), "{worker}", "Workers running the handler.");
        meter.CreateObservableUpDownCounter("governance.pool.workers", () => Observe(static s => s.Workers), "{worker}", "Workers in the pool.");
        meter.CreateObservableCounter("governance.pool.processed", () => Observe(static s => s.Processed), "{item}", "Items handled successfully.");
        meter.CreateObservableCounter("governance.pool.failed", () => Observe(static s => s.Failed), "{item}", "Items whose handler threw.");
        meter.CreateObservableCounter("governance.pool.dropped", () => Observe(static s => s.Dropped), "{item}", "Items dropped without being handled.");
        meter.CreateObservableCounter("governance.pool.rejected", () => Observe(static s => s.Rejected), "{item}", "Items refused by the pool.");
        QueueWait = meter.CreateHistogram<double>(
            "governance.pool.queue_wait", "s", "Time items waited in the queue before a worker took them.",
            tags: null,
            advice: GovernanceMeter.QueueWaitAdvice);
    }

    internal Histogram<double> QueueWait { get; }

    internal static WorkerPoolMetrics For(Meter meter) => s_byMeter.GetValue(meter, static m => new WorkerPoolMetrics(m));

    internal void Register(IWorkerPoolStatisticsSource pool) => _pools.Add(pool);

    internal void Unregister(IWorkerPoolStatisticsSource pool) => _pools.Remove(pool);

    private IEnumerable<Measurement<long>> Observe(Func<WorkerPoolStatistics, long> select)
    {
        foreach (var pool in _pools.Snapshot())
        {
            var statistics = pool.GetStatistics();
            yield return new Measurement<long>(select(statistics), new KeyValuePair<string, object?>(GovernanceMeter.PoolNameTag, statistics.Name));
        }
    }
}

