using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Reflection;
using System.Runtime.CompilerServices;
using StackExchange.Redis;

namespace Governance.Redis;

/// <summary>The cluster-budget instruments of one <c>Governance</c> meter, shared by every <see cref="RedisTaskLimiterBudget"/> publishing on it.</summary>
internal sealed class RedisBudgetMetrics
{
    internal const string ErrorKindTag = "governance.redis.error";

    private static readonly string? s_version =
        typeof(RedisBudgetMetrics).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    private static readonly Lazy<Meter> s_shared = new(() => new Meter(GovernanceMeter.MeterName, s_version));
    private static readonly ConditionalWeakTable<Meter, RedisBudgetMetrics> s_byMeter = new();

    private readonly ConcurrentDictionary<RedisTaskLimiterBudget, byte> _budgets = new();

    private RedisBudgetMetrics(Meter meter)
    {
        meter.CreateObservableUpDownCounter(
            "governance.limiter.cluster.in_use", () => Observe(static b => b.ObserveInUse()), "{permit}",
            "Permits held across the cluster, read from Redis (at most once a second).");
        meter.CreateObservableUpDownCounter(
            "governance.limiter.cluster.limit", () => Observe(static b => b.ClusterLimit), "{permit}", "The cluster-wide limit.");
        meter.CreateObservableUpDownCounter(
            "governance.limiter.cluster.degraded", () => Observe(static b => b.IsDegraded ? 1 : 0), "{budget}",
            "1 while the cluster budget's Redis cannot be reached and the failure mode answers callers.");
        Renewals = meter.CreateCounter<long>("governance.limiter.cluster.renewals", "{lease}", "Cluster leases renewed.");
        LostLeases = meter.CreateCounter<long>("governance.limiter.cluster.lost_leases", "{lease}", "Cluster leases lost while held (not renewed before they expired).");
        Fallbacks = meter.CreateCounter<long>("governance.limiter.cluster.fallbacks", "{task}", "Callers admitted on the local limit alone while Redis could not be reached (FailureMode.Open).");
        Errors = meter.CreateCounter<long>("governance.limiter.cluster.errors", "{error}", "Failed Redis calls of the cluster budget, by kind.");
    }

    internal Counter<long> Renewals { get; }

    internal Counter<long> LostLeases { get; }

    internal Counter<long> Fallbacks { get; }

    internal Counter<long> Errors { get; }

    internal static RedisBudgetMetrics For(IMeterFactory? factory)
    {
        var meter = factory is null ? s_shared.Value : factory.Create(new MeterOptions(GovernanceMeter.MeterName) { Version = s_version });
        return s_byMeter.GetValue(meter, static m => new RedisBudgetMetrics(m));
    }

    internal void Register(RedisTaskLimiterBudget budget) => _budgets.TryAdd(budget, 0);

    internal void Unregister(RedisTaskLimiterBudget budget) => _budgets.TryRemove(budget, out _);

    internal void CountError(Exception exception, KeyValuePair<string, object?> nameTag)
    {
        if (Errors.Enabled)
        {
            Errors.Add(1, nameTag, new KeyValuePair<string, object?>(ErrorKindTag, KindOf(exception)));
        }
    }

    internal static string KindOf(Exception exception) => exception switch
    {
        RedisTimeoutException or TimeoutException => "timeout",
        RedisConnectionException or ObjectDisposedException => "connection",
        RedisServerException => "server",
        _ => "other",
    };

    private IEnumerable<Measurement<long>> Observe(Func<RedisTaskLimiterBudget, long> select)
    {
        foreach (var budget in _budgets.Keys)
        {
            // Negative: not read from Redis yet.
            if (select(budget) is var value and >= 0)
            {
                yield return new Measurement<long>(value, new KeyValuePair<string, object?>(GovernanceMeter.LimiterNameTag, budget.LimiterName));
            }
        }
    }
}
