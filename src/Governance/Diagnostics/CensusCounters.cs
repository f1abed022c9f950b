using System.Diagnostics.Metrics;

namespace Governance;

/// <summary>
/// Units started, per owner kind: a counter striped by processor so that concurrent starts on many cores do not fight
/// over one cache line. Read only by gauges and health checks.
/// </summary>
internal static class CensusCounters
{
    internal const string OwnerKindTag = "governance.owner.kind";

    private const int Kinds = 5;
    private const int Stripes = 16;
    private const int Padding = 8; // one 64-byte cache line per counter

    private static readonly long[] s_started = new long[Kinds * Stripes * Padding];
    // The tag values: the kinds' names in lower case, as the census text writes them.
    private static readonly string[] s_kindNames = Array.ConvertAll(Enum.GetNames<GovernedOwnerKind>(), static name => name.ToLowerInvariant());

    static CensusCounters()
    {
        var meter = MeterProvider.Get(null);
        meter.CreateObservableUpDownCounter("governance.units.live", ObserveLive, "{unit}",
            "Live governed units (queued, waiting or running) per owner kind, as the task census counts them.");
        meter.CreateObservableCounter("governance.units.started", ObserveStarted, "{unit}",
            "Governed units started per owner kind since the process started; its rate is the start rate.");
    }

    internal static void Started(GovernedOwnerKind kind) =>
        Interlocked.Increment(ref s_started[(((int)kind * Stripes) + (Thread.GetCurrentProcessorId() & (Stripes - 1))) * Padding]);

    internal static long StartedCount(GovernedOwnerKind? kind)
    {
        long total = 0;
        for (var k = 0; k < Kinds; k++)
        {
            if (kind is null || (int)kind.Value == k)
            {
                for (var stripe = 0; stripe < Stripes; stripe++)
                {
                    total += Volatile.Read(ref s_started[((k * Stripes) + stripe) * Padding]);
                }
            }
        }

        return total;
    }

    // Touching the class creates the instruments; TaskCensus does it once.
    internal static void EnsureInstruments()
    {
    }

    private static IEnumerable<Measurement<long>> ObserveLive()
    {
        var live = TaskCensus.CountLiveUnitsByKind();
        for (var k = 0; k < Kinds; k++)
        {
            yield return new Measurement<long>(live[k], new KeyValuePair<string, object?>(OwnerKindTag, s_kindNames[k]));
        }
    }

    private static IEnumerable<Measurement<long>> ObserveStarted()
    {
        for (var k = 0; k < Kinds; k++)
        {
            yield return new Measurement<long>(StartedCount((GovernedOwnerKind)k), new KeyValuePair<string, object?>(OwnerKindTag, s_kindNames[k]));
        }
    }
}
