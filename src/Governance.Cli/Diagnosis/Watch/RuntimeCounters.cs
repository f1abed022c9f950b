using System.Globalization;

namespace Governance.Cli.Diagnosis.Watch;

/// <summary>
/// The runtime's figures watch shows, under their <c>System.Runtime</c> meter names (.NET 9+), and the mapping of .NET 8's
/// <c>System.Runtime</c> EventCounters onto those names, so that the table, the JSON and the alerts read the same on both.
/// </summary>
internal static class RuntimeCounters
{
    internal const string MeterName = "System.Runtime";

    /// <summary>
    /// The runtime instruments the table shows, in its order, with their labels and the statistic shown (the runtime
    /// publishes its thread and queue counts as observable counters: their value is the current count, not a total).
    /// </summary>
    internal static readonly IReadOnlyList<(string Instrument, string Label, Statistic Statistic)> Shown =
    [
        ("dotnet.thread_pool.thread.count", "thread-pool threads", Statistic.Value),
        ("dotnet.thread_pool.queue.length", "thread-pool queue length", Statistic.Value),
        ("dotnet.thread_pool.work_item.count", "thread-pool completed items", Statistic.Rate),
        ("dotnet.timer.count", "timers", Statistic.Value),
        ("dotnet.gc.last_collection.heap.size", "GC heap size (last collection)", Statistic.Value),
        ("dotnet.gc.heap.total_allocated", "allocation rate", Statistic.Rate),
    ];

    // .NET 8's EventCounters: (name, meter instrument, kind, unit, factor to the meter's unit).
    private static readonly Dictionary<string, (string Instrument, InstrumentKind Kind, string Unit, double Factor)> s_eventCounters = new(StringComparer.Ordinal)
    {
        ["threadpool-thread-count"] = ("dotnet.thread_pool.thread.count", InstrumentKind.Value, "{thread}", 1),
        ["threadpool-queue-length"] = ("dotnet.thread_pool.queue.length", InstrumentKind.Value, "{work_item}", 1),
        ["threadpool-completed-items-count"] = ("dotnet.thread_pool.work_item.count", InstrumentKind.Counter, "{work_item}", 1),
        ["active-timer-count"] = ("dotnet.timer.count", InstrumentKind.Value, "{timer}", 1),
        ["gc-heap-size"] = ("dotnet.gc.last_collection.heap.size", InstrumentKind.Value, "By", 1024 * 1024),
        ["alloc-rate"] = ("dotnet.gc.heap.total_allocated", InstrumentKind.Counter, "By", 1),
    };

    /// <summary>A .NET 8 EventCounters payload as a point under the meter's name, or null for a counter watch does not show.</summary>
    internal static MetricPoint? FromEventCounter(object? payload, TimeSpan refreshInterval)
    {
        if (payload is not IDictionary<string, object> fields
            || !fields.TryGetValue("Name", out var nameObject) || nameObject is not string name
            || !s_eventCounters.TryGetValue(name, out var map))
        {
            return null;
        }

        if (map.Kind == InstrumentKind.Counter)
        {
            var increment = Number(fields, "Increment") ?? 0;
            var seconds = Number(fields, "IntervalSec") ?? refreshInterval.TotalSeconds;
            return new MetricPoint(MeterName, map.Instrument, string.Empty, map.Unit, InstrumentKind.Counter, null, increment * map.Factor / Math.Max(seconds, 1e-3), MetricPoint.NoQuantiles);
        }

        var mean = Number(fields, "Mean") ?? 0;
        return new MetricPoint(MeterName, map.Instrument, string.Empty, map.Unit, InstrumentKind.Value, mean * map.Factor, null, MetricPoint.NoQuantiles);
    }

    private static double? Number(IDictionary<string, object> fields, string key) =>
        fields.TryGetValue(key, out var value) && value is IConvertible convertible ? convertible.ToDouble(CultureInfo.InvariantCulture) : null;
}
