using Governance;
using Governance.AspNetCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the Governance health check.</summary>
public static class GovernanceHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a health check named <c>governance</c> that reports Healthy, Degraded or Unhealthy against the thresholds
    /// of <see cref="GovernanceHealthCheckOptions"/>, with the figures of every checked limiter in its data, and the
    /// process's census figures: <c>live_units</c>, <c>units_started_per_minute</c> (from the second check on) and, when a
    /// <see cref="ThreadPoolDispatchProbe"/> is registered, <c>dispatch_delay_samples</c> and <c>dispatch_delay_p99_ms</c>.
    /// </summary>
    /// <remarks>
    /// Dispatch-delay thresholds need the probe (<c>services.AddThreadPoolDispatchProbe()</c>): without it the host fails
    /// to start with an <see cref="Microsoft.Extensions.Options.OptionsValidationException"/> that says so, and a check
    /// run outside a host reports Unhealthy with the same message.
    /// </remarks>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="configure">Sets the thresholds and, optionally, which limiters to check.</param>
    /// <param name="tags">Tags for filtering health check endpoints (for example <c>"ready"</c>).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">A threshold is negative or not finite, a rejection rate is outside 0–1, or a Degraded census level is above its Unhealthy level; the message names the option.</exception>
    public static IHealthChecksBuilder AddGovernanceHealthChecks(
        this IHealthChecksBuilder builder, Action<GovernanceHealthCheckOptions>? configure = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new GovernanceHealthCheckOptions();
        configure?.Invoke(options);
        Validate(options);

        // Health check factories run per check, but the check keeps the previous figures for rates, so it must be one
        // instance per service provider: a singleton under a key of this registration's own, created on first use
        // from that provider's limiters. (A closure over one instance would hand the first provider's limiters to
        // every other provider built from the same collection.)
        var key = new object();
        builder.Services.AddKeyedSingleton(key, (sp, _) =>
        {
            var names = options.Limiters.Count > 0
                ? options.Limiters.Distinct(StringComparer.Ordinal)
                : sp.GetServices<TaskLimiterRegistration>().Select(r => r.Name).Distinct(StringComparer.Ordinal);
            var limiters = names.Select(name => sp.GetRequiredKeyedService<TaskLimiter>(name)).ToList();
            return new GovernanceHealthCheck(options, limiters, sp.GetService<TimeProvider>() ?? TimeProvider.System, sp.GetService<ThreadPoolDispatchProbe>());
        });
        if (options.NeedsDispatchProbe)
        {
            // Fail fast: a host that checks the dispatch delay without measuring it does not start. (A check run
            // outside a host reports Unhealthy with the same message.)
            builder.Services.AddOptions<DispatchProbeRequirement>()
                .Validate<IServiceProviderIsService>(static (_, services) => services.IsService(typeof(ThreadPoolDispatchProbe)), GovernanceHealthCheck.MissingProbe)
                .ValidateOnStart();
        }

        return builder.Add(new HealthCheckRegistration(
            "governance", sp => sp.GetRequiredKeyedService<GovernanceHealthCheck>(key), failureStatus: null, tags));
    }

    private static void Validate(GovernanceHealthCheckOptions options)
    {
        ValidateCensus(options);
        foreach (var (name, value) in new (string, double?)[]
        {
            (nameof(options.RejectionRateDegraded), options.RejectionRateDegraded),
            (nameof(options.RejectionRateUnhealthy), options.RejectionRateUnhealthy),
        })
        {
            if (value is < 0 or > 1)
            {
                throw new ArgumentOutOfRangeException(nameof(options), value, $"GovernanceHealthCheckOptions.{name} must be between 0 and 1.");
            }
        }

        foreach (var (name, value) in new (string, double?)[]
        {
            (nameof(options.InFlightDegraded), options.InFlightDegraded),
            (nameof(options.InFlightUnhealthy), options.InFlightUnhealthy),
            (nameof(options.QueuedDegraded), options.QueuedDegraded),
            (nameof(options.QueuedUnhealthy), options.QueuedUnhealthy),
            (nameof(options.StartedPerMinuteDegraded), options.StartedPerMinuteDegraded),
            (nameof(options.StartedPerMinuteUnhealthy), options.StartedPerMinuteUnhealthy),
        })
        {
            if (value is < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(options), value, $"GovernanceHealthCheckOptions.{name} must not be negative.");
            }
        }
    }

    private static void ValidateCensus(GovernanceHealthCheckOptions options)
    {
        foreach (var (degradedName, degraded, unhealthyName, unhealthy) in new (string, double?, string, double?)[]
        {
            (nameof(options.LiveUnitsDegraded), options.LiveUnitsDegraded, nameof(options.LiveUnitsUnhealthy), options.LiveUnitsUnhealthy),
            (nameof(options.UnitsStartedPerMinuteDegraded), options.UnitsStartedPerMinuteDegraded,
                nameof(options.UnitsStartedPerMinuteUnhealthy), options.UnitsStartedPerMinuteUnhealthy),
            (nameof(options.DispatchDelayP99Degraded), options.DispatchDelayP99Degraded?.TotalMilliseconds,
                nameof(options.DispatchDelayP99Unhealthy), options.DispatchDelayP99Unhealthy?.TotalMilliseconds),
        })
        {
            foreach (var (name, value) in new[] { (degradedName, degraded), (unhealthyName, unhealthy) })
            {
                if (value is < 0 || (value is { } v && !double.IsFinite(v)))
                {
                    throw new ArgumentOutOfRangeException(nameof(options), value, $"GovernanceHealthCheckOptions.{name} must be a finite value, not negative.");
                }
            }

            if (degraded > unhealthy)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(options), degraded, $"GovernanceHealthCheckOptions.{degradedName} must not be above {unhealthyName} ({unhealthy}).");
            }
        }
    }

    /// <summary>The options type whose start-up validation checks that the dispatch probe is registered.</summary>
    private sealed class DispatchProbeRequirement;
}
