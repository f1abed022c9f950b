using StackExchange.Redis;

namespace Governance.Redis;

/// <summary>Settings of a <see cref="RedisTaskLimiterBudget"/>: where the cluster-wide budget lives and how its leases behave.</summary>
/// <remarks>
/// Bind them from configuration with the builder that <c>UseRedis</c> returns, e.g.
/// <c>.UseRedis().BindConfiguration("Limiters:payments:Redis")</c>. They are validated and copied when the budget is created.
/// </remarks>
public sealed class RedisTaskLimiterOptions
{
    /// <summary>The StackExchange.Redis configuration string, e.g. <c>localhost:6379</c>. Required unless <see cref="ConnectionMultiplexer"/> is set.</summary>
    public string? Configuration { get; set; }

    /// <summary>
    /// An existing connection to share (the budget neither configures nor disposes it); when <see langword="null"/>, the
    /// budget connects with <see cref="Configuration"/> and owns that connection. A shared connection should use
    /// <see cref="BacklogPolicy.FailFast"/>, so that calls fail at once while Redis is down.
    /// </summary>
    public IConnectionMultiplexer? ConnectionMultiplexer { get; set; }

    /// <summary>The most permits held at once across every instance that uses the same <see cref="Key"/>. Must be greater than zero; there is no default.</summary>
    public int ClusterLimit { get; set; }

    /// <summary>
    /// The Redis key of the budget; instances that share it share the limit. Defaults to
    /// <c>governance:limiter:{name}</c>, after the limiter's name (the braces make it a Redis Cluster hash tag).
    /// </summary>
    public string? Key { get; set; }

    /// <summary>
    /// How long a permit's lease lasts unless renewed: when an instance dies, its permits come back to the others within
    /// this time. Defaults to 30 seconds; at least 100 milliseconds.
    /// </summary>
    public TimeSpan LeaseExpiry { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often held leases are renewed (all of an instance's leases in one call). Defaults to a third of
    /// <see cref="LeaseExpiry"/> when <see langword="null"/>; must be positive and shorter than <see cref="LeaseExpiry"/>.
    /// </summary>
    public TimeSpan? RenewalInterval { get; set; }

    /// <summary>
    /// The longest any one Redis call may take before it counts as a failure. Defaults to 2 seconds; must be positive
    /// and shorter than <see cref="LeaseExpiry"/>. Establishing the connection, once, may take up to 5 seconds or this
    /// timeout, whichever is longer.
    /// </summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>What happens while Redis cannot be reached. Defaults to <see cref="RedisFailureMode.Closed"/>.</summary>
    public RedisFailureMode FailureMode { get; set; } = RedisFailureMode.Closed;

    /// <summary>
    /// After a failed Redis call, how long callers are answered by <see cref="FailureMode"/> at once, without trying
    /// Redis, before the next call tries again. Defaults to 1 second; must be positive.
    /// </summary>
    public TimeSpan RetryAfterFailure { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The longest a waiting instance goes without asking Redis again. Waiters are woken by a release announced on a
    /// Redis channel; this poll, backing off from a few milliseconds, covers leases that expire without a release
    /// (a crashed instance). Defaults to 250 milliseconds; must be positive.
    /// </summary>
    public TimeSpan MaxPollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    internal TimeSpan EffectiveRenewalInterval => RenewalInterval ?? LeaseExpiry / 3;

    internal string KeyFor(string limiterName) => string.IsNullOrEmpty(Key) ? "governance:limiter:{" + limiterName + "}" : Key;

    /// <summary>The first problem with these options, as the exception to throw for it; <see langword="null"/> when valid.</summary>
    internal ArgumentException? Validate()
    {
        if (ConnectionMultiplexer is null && string.IsNullOrWhiteSpace(Configuration))
        {
            return new ArgumentException("RedisTaskLimiterOptions.Configuration must be set (e.g. \"localhost:6379\") unless RedisTaskLimiterOptions.ConnectionMultiplexer is.", "options");
        }

        if (ClusterLimit <= 0)
        {
            return new ArgumentOutOfRangeException("options", ClusterLimit, "RedisTaskLimiterOptions.ClusterLimit must be greater than zero.");
        }

        if (Key is not null && string.IsNullOrWhiteSpace(Key))
        {
            return new ArgumentException("RedisTaskLimiterOptions.Key must not be blank (leave it null for the default).", "options");
        }

        if (LeaseExpiry < TimeSpan.FromMilliseconds(100) || LeaseExpiry > TimeSpan.FromDays(1))
        {
            return new ArgumentOutOfRangeException("options", LeaseExpiry, "RedisTaskLimiterOptions.LeaseExpiry must be between 100 milliseconds and one day.");
        }

        if (EffectiveRenewalInterval <= TimeSpan.Zero || EffectiveRenewalInterval >= LeaseExpiry)
        {
            return new ArgumentOutOfRangeException("options", RenewalInterval, "RedisTaskLimiterOptions.RenewalInterval must be positive and shorter than RedisTaskLimiterOptions.LeaseExpiry.");
        }

        if (OperationTimeout <= TimeSpan.Zero || OperationTimeout >= LeaseExpiry)
        {
            return new ArgumentOutOfRangeException("options", OperationTimeout, "RedisTaskLimiterOptions.OperationTimeout must be positive and shorter than RedisTaskLimiterOptions.LeaseExpiry.");
        }

        if (RetryAfterFailure <= TimeSpan.Zero || RetryAfterFailure > TimeSpan.FromDays(1))
        {
            return new ArgumentOutOfRangeException("options", RetryAfterFailure, "RedisTaskLimiterOptions.RetryAfterFailure must be positive and at most one day.");
        }

        if (MaxPollInterval <= TimeSpan.Zero || MaxPollInterval > TimeSpan.FromDays(1))
        {
            return new ArgumentOutOfRangeException("options", MaxPollInterval, "RedisTaskLimiterOptions.MaxPollInterval must be positive and at most one day.");
        }

        return Enum.IsDefined(FailureMode)
            ? null
            : new ArgumentOutOfRangeException("options", FailureMode, "RedisTaskLimiterOptions.FailureMode must be Open or Closed.");
    }

    internal RedisTaskLimiterOptions Clone() => (RedisTaskLimiterOptions)MemberwiseClone();
}
