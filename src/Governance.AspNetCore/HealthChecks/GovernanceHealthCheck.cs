using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Governance.AspNetCore;

/// <summary>
/// Compares the limiters' live figures with the thresholds of <see cref="GovernanceHealthCheckOptions"/> and reports
/// Healthy, Degraded or Unhealthy, with every figure in the result's data.
/// </summary>
/// <remarks>One instance per service provider, because rates are measured between consecutive checks.</remarks>
internal sealed class GovernanceHealthCheck(
    GovernanceHealthCheckOptions options, IReadOnlyList<TaskLimiter> limiters, TimeProvider timeProvider, ThreadPoolDispatchProbe? probe) : IHealthCheck
{
    internal const string MissingProbe =
        "Dispatch-delay thresholds are set (GovernanceHealthCheckOptions.DispatchDelayP99Degraded/Unhealthy) but no ThreadPoolDispatchProbe is registered: call services.AddThreadPoolDispatchProbe().";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, (long Admitted, long Rejected)> _previous = new(StringComparer.Ordinal);
    private long _previousTimestamp;
    private long? _previousUnitsStarted; // null before the first check: no rate yet

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var now = timeProvider.GetTimestamp();
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        var status = HealthStatus.Healthy;
        var reasons = new List<string>();
        long inFlight = 0, queued = 0, started = 0;
        long unitsStartedDelta;
        double? minutes;

        lock (_lock)
        {
            minutes = _previousTimestamp == 0 ? null : timeProvider.GetElapsedTime(_previousTimestamp, now).TotalMinutes;
            foreach (var limiter in limiters)
            {
                var s = limiter.GetStatistics();
                var (previousAdmitted, previousRejected) = _previous.GetValueOrDefault(s.Name);
                var admittedDelta = s.TotalAdmitted - previousAdmitted;
                var rejectedDelta = s.TotalRejected - previousRejected;
                _previous[s.Name] = (s.TotalAdmitted, s.TotalRejected);

                inFlight += s.InFlight;
                queued += s.Queued;
                started += admittedDelta;
                var rate = admittedDelta + rejectedDelta == 0 ? 0 : (double)rejectedDelta / (admittedDelta + rejectedDelta);
                data[s.Name + ".in_flight"] = s.InFlight;
                data[s.Name + ".limit"] = s.MaxConcurrency;
                data[s.Name + ".queued"] = s.Queued;
                data[s.Name + ".rejection_rate"] = rate;
                Grade(ref status, reasons, $"'{s.Name}' rejection rate", rate, options.RejectionRateDegraded, options.RejectionRateUnhealthy);
            }

            var unitsStarted = TaskCensus.CountStartedUnits();
            unitsStartedDelta = unitsStarted - (_previousUnitsStarted ?? unitsStarted);
            _previousUnitsStarted = unitsStarted;
            _previousTimestamp = now;
        }

        data["in_flight"] = inFlight;
        data["queued"] = queued;
        Grade(ref status, reasons, "work in flight", inFlight, options.InFlightDegraded, options.InFlightUnhealthy);
        Grade(ref status, reasons, "callers queued", queued, options.QueuedDegraded, options.QueuedUnhealthy);
        if (minutes is > 0)
        {
            var perMinute = started / minutes.Value;
            data["started_per_minute"] = perMinute;
            Grade(ref status, reasons, "work started per minute", perMinute, options.StartedPerMinuteDegraded, options.StartedPerMinuteUnhealthy);
        }

        GradeCensus(ref status, reasons, data, minutes, unitsStartedDelta);
        if (options.NeedsDispatchProbe && probe is null)
        {
            return Task.FromResult(new HealthCheckResult(HealthStatus.Unhealthy, MissingProbe, new InvalidOperationException(MissingProbe), data));
        }

        var description = reasons.Count == 0
            ? $"{limiters.Count} limiter(s) within their objectives."
            : string.Join("; ", reasons);
        return Task.FromResult(new HealthCheckResult(status, description, data: data));
    }

    /// <summary>The process-wide figures: live units, units started per minute, and the dispatch-delay P99 when a probe runs.</summary>
    private void GradeCensus(ref HealthStatus status, List<string> reasons, Dictionary<string, object> data, double? minutes, long unitsStarted)
    {
        var live = TaskCensus.CountLiveUnits();
        data["live_units"] = live;
        Grade(ref status, reasons, "live governed units", live, options.LiveUnitsDegraded, options.LiveUnitsUnhealthy);
        if (minutes is > 0)
        {
            var perMinute = unitsStarted / minutes.Value;
            data["units_started_per_minute"] = perMinute;
            Grade(ref status, reasons, "governed units started per minute", perMinute,
                options.UnitsStartedPerMinuteDegraded, options.UnitsStartedPerMinuteUnhealthy);
        }

        if (probe is null)
        {
            return;
        }

        data["dispatch_delay_samples"] = probe.Samples;
        if (probe.GetPercentile(0.99) is { } p99)
        {
            data["dispatch_delay_p99_ms"] = p99.TotalMilliseconds;
            Grade(ref status, reasons, "thread-pool dispatch delay P99 (ms)", p99.TotalMilliseconds,
                options.DispatchDelayP99Degraded?.TotalMilliseconds, options.DispatchDelayP99Unhealthy?.TotalMilliseconds);
        }
    }

    private static void Grade(ref HealthStatus status, List<string> reasons, string what, double value, double? degraded, double? unhealthy)
    {
        var figure = value.ToString("0.###", CultureInfo.InvariantCulture);
        if (unhealthy is { } u && value >= u)
        {
            status = HealthStatus.Unhealthy;
            reasons.Add($"{what} {figure} ≥ {u.ToString(CultureInfo.InvariantCulture)} (unhealthy)");
        }
        else if (degraded is { } d && value >= d)
        {
            if (status == HealthStatus.Healthy)
            {
                status = HealthStatus.Degraded;
            }

            reasons.Add($"{what} {figure} ≥ {d.ToString(CultureInfo.InvariantCulture)} (degraded)");
        }
    }
}
