using Governance;
using Governance.AspNetCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the Governance health check.</summary>
public static class GovernanceHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a health check named <c>governance</c> that reports Healthy, Degraded or Unhealthy against the thresholds
    /// of <see cref="GovernanceHealthCheckOptions"/>, with the figures of every checked limiter in its data.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="configure">Sets the thresholds and, optionally, which limiters to check.</param>
    /// <param name="tags">Tags for filtering health check endpoints (for example <c>"ready"</c>).</param>
    /// <returns>The builder.</returns>
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
            return new GovernanceHealthCheck(options, limiters, sp.GetService<TimeProvider>() ?? TimeProvider.System);
        });
        return builder.Add(new HealthCheckRegistration(
            "governance", sp => sp.GetRequiredKeyedService<GovernanceHealthCheck>(key), failureStatus: null, tags));
    }

    private static void Validate(GovernanceHealthCheckOptions options)
    {
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
}
