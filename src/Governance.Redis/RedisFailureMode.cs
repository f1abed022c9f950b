namespace Governance.Redis;

/// <summary>What a limiter with a Redis budget does while Redis cannot be reached (down, partitioned, or slower than <see cref="RedisTaskLimiterOptions.OperationTimeout"/>).</summary>
public enum RedisFailureMode
{
    /// <summary>
    /// Reject callers with <see cref="LimiterRejectionReason.Unavailable"/> (the default): the cluster-wide limit is a
    /// promise to a downstream, and without Redis nobody can keep it.
    /// </summary>
    Closed = 0,

    /// <summary>
    /// Admit callers on the local limit alone (<see cref="TaskLimiterOptions.MaxConcurrency"/> per instance): the
    /// service stays up, and the fleet may exceed the cluster-wide limit until Redis is back. The switch is logged once
    /// each way and shown by the <c>governance.limiter.cluster.degraded</c> gauge.
    /// </summary>
    Open = 1,
}
