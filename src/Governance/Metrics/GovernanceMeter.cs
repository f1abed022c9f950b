using System.Diagnostics.Metrics;

namespace Governance;

/// <summary>The names under which Governance publishes its metrics.</summary>
/// <remarks>
/// Every primitive publishes on one meter, <see cref="MeterName"/>. Subscribe to it with a
/// <see cref="MeterListener"/>, <c>dotnet-counters monitor --counters Governance</c>, or OpenTelemetry's
/// <c>AddMeter("Governance")</c>. Instruments cost nothing measurable while nothing listens: gauges are observed
/// only when collected, and counters and histograms check <see cref="Instrument.Enabled"/> first.
/// </remarks>
public static class GovernanceMeter
{
    /// <summary>The meter name: <c>Governance</c>.</summary>
    public const string MeterName = "Governance";

    /// <summary>Tag naming the limiter a measurement belongs to (its <see cref="TaskLimiterOptions.Name"/>).</summary>
    public const string LimiterNameTag = "governance.limiter.name";

    /// <summary>Tag naming the worker pool a measurement belongs to (its <see cref="WorkerPoolOptions.Name"/>).</summary>
    public const string PoolNameTag = "governance.pool.name";

    /// <summary>
    /// Tag giving the reason of a rejection: <c>queue_full</c>, <c>queue_timeout</c>, <c>disposed</c>, <c>permits_exceed_limit</c> or <c>unavailable</c> for a limiter;
    /// <c>queue_full</c> or <c>stopped</c> for a ticker state machine's events.
    /// </summary>
    public const string RejectionReasonTag = "governance.rejection.reason";

    /// <summary>Tag naming the ticker state machine a measurement belongs to (its <see cref="TickerStateMachine.Name"/>).</summary>
    public const string TickerNameTag = "governance.ticker.name";

    /// <summary>Tag saying which ticker state machine handler failed: <c>tick</c> or <c>event</c>.</summary>
    public const string TickerHandlerTag = "governance.ticker.handler";

    /// <summary>
    /// The bucket boundaries, in seconds, of every queue-wait histogram (limiters' and pools'): from a millisecond, where
    /// a healthy queue lives, to 30 seconds, past any sensible queue timeout.
    /// </summary>
    internal static InstrumentAdvice<double> QueueWaitAdvice { get; } = new()
    {
        HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    };
}
