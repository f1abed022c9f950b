namespace Governance.AspNetCore;

/// <summary>
/// The service-level objectives the Governance health check compares against — the article's SLO alerts (work in
/// flight per instance, how fast work is created) plus queue length and rejection rate. A threshold left
/// <see langword="null"/> is not checked.
/// </summary>
/// <remarks>
/// Counts (in flight, queued) are summed over the checked limiters: they measure the instance. The rejection rate is
/// checked per limiter, so one overloaded dependency shows up even when the others are idle. Rates cover the time
/// since the previous check (the first check uses the totals since each limiter was created).
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
}
