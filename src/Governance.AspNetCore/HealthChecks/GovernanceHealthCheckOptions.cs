namespace Governance.AspNetCore;

/// <summary>
/// The service-level objectives the Governance health check compares against — the article's SLO alerts (work in
/// flight per instance, how fast work is created) plus queue length and rejection rate. A threshold left
/// <see langword="null"/> is not checked.
/// </summary>
/// <remarks>
/// <para>Counts (in flight, queued) are summed over the checked limiters: they measure the instance. The rejection rate is
/// checked per limiter, so one overloaded dependency shows up even when the others are idle. Rates cover the time
/// since the previous check (the first check uses the totals since each limiter was created).</para>
/// <para>The census thresholds (<see cref="LiveUnitsDegraded"/>, <see cref="UnitsStartedPerMinuteDegraded"/>,
/// <see cref="DispatchDelayP99Degraded"/> and their Unhealthy levels) watch the whole process, as the Go article's SLOs
/// do: fewer than 500 goroutines per instance, fewer than 1,000 created per minute, and a <c>newproc</c> P99 that pages
/// above 1.5 ms. A Degraded level must not be above its Unhealthy level.</para>
/// </remarks>
public sealed class GovernanceHealthCheckOptions
{
    /// <summary>The limiters to check, by registered name. Empty (the default): every limiter registered with <c>AddTaskLimiter</c>.</summary>
    public IList<string> Limiters { get; } = new List<string>();

    /// <summary>Work in flight across the checked limiters at or above which the instance is Degraded.</summary>
    public int? InFlightDegraded { get; set; }

    /// <summary>Work in flight across the checked limiters at or above which the instance is Unhealthy.</summary>
    public int? InFlightUnhealthy { get; set; }

    /// <summary>Callers queued across the checked limiters at or above which the instance is Degraded.</summary>
    public int? QueuedDegraded { get; set; }

    /// <summary>Callers queued across the checked limiters at or above which the instance is Unhealthy.</summary>
    public int? QueuedUnhealthy { get; set; }

    /// <summary>Fraction (0–1) of one limiter's requests rejected at or above which the instance is Degraded. Defaults to 0.01.</summary>
    public double? RejectionRateDegraded { get; set; } = 0.01;

    /// <summary>Fraction (0–1) of one limiter's requests rejected at or above which the instance is Unhealthy. Defaults to 0.10.</summary>
    public double? RejectionRateUnhealthy { get; set; } = 0.10;

    /// <summary>Units of work started per minute across the checked limiters at or above which the instance is Degraded.</summary>
    public double? StartedPerMinuteDegraded { get; set; }

    /// <summary>Units of work started per minute across the checked limiters at or above which the instance is Unhealthy.</summary>
    public double? StartedPerMinuteUnhealthy { get; set; }

    /// <summary>
    /// Live governed units in the process (<c>TaskCensus.CountLiveUnits()</c>: queued, waiting or running, of every
    /// owner) at or above which the instance is Degraded — Go's <c>runtime.NumGoroutine()</c> SLO.
    /// </summary>
    public int? LiveUnitsDegraded { get; set; }

    /// <summary>Live governed units in the process at or above which the instance is Unhealthy.</summary>
    public int? LiveUnitsUnhealthy { get; set; }

    /// <summary>
    /// Governed units started per minute in the process (the rate of <c>TaskCensus.CountStartedUnits()</c> between two
    /// consecutive checks, timed with the registered <see cref="TimeProvider"/>) at or above which the instance is
    /// Degraded. The first check has no rate and is not graded on it. Unlike <see cref="StartedPerMinuteDegraded"/>,
    /// which counts the work the limiters admit, this counts task group units, worker pool items, ticker loops and
    /// <c>Governed.Run</c> calls.
    /// </summary>
    public double? UnitsStartedPerMinuteDegraded { get; set; }

    /// <summary>Governed units started per minute in the process at or above which the instance is Unhealthy.</summary>
    public double? UnitsStartedPerMinuteUnhealthy { get; set; }

    /// <summary>
    /// The thread pool's dispatch-delay P99 (over the recent window of the <c>ThreadPoolDispatchProbe</c>) at or above
    /// which the instance is Degraded. Needs the probe: register it with <c>services.AddThreadPoolDispatchProbe()</c>,
    /// or the host fails to start (and a check run outside a host reports Unhealthy, saying so). Not graded until the
    /// probe has measured once.
    /// </summary>
    public TimeSpan? DispatchDelayP99Degraded { get; set; }

    /// <summary>The thread pool's dispatch-delay P99 at or above which the instance is Unhealthy (see <see cref="DispatchDelayP99Degraded"/>).</summary>
    public TimeSpan? DispatchDelayP99Unhealthy { get; set; }

    internal bool NeedsDispatchProbe => DispatchDelayP99Degraded is not null || DispatchDelayP99Unhealthy is not null;
}
