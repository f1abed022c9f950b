using StackExchange.Redis;

namespace Governance.Redis.Tests;

/// <summary>Builds limiters with a Redis budget for the tests: short expiries, a key of their own per test.</summary>
internal static class Cluster
{
    /// <summary>Generous for a loaded 2-core CI machine; a hang fails the test instead of stalling the run.</summary>
    internal static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    internal static string NewKey() => "test:{" + Guid.NewGuid().ToString("N") + "}";

    internal static RedisTaskLimiterOptions Options(RedisServer server, string key, int clusterLimit, Action<RedisTaskLimiterOptions>? configure = null)
    {
        var options = new RedisTaskLimiterOptions
        {
            Configuration = server.Configuration,
            Key = key,
            ClusterLimit = clusterLimit,
            // Short enough for the tests, long enough that a loaded 2-core machine does not time out a healthy Redis.
            LeaseExpiry = TimeSpan.FromSeconds(5),
            OperationTimeout = TimeSpan.FromSeconds(2),
            RetryAfterFailure = TimeSpan.FromMilliseconds(200),
        };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>One "instance": a limiter whose permits also need a slot of the cluster-wide budget under <paramref name="key"/>.</summary>
    internal static (TaskLimiter Limiter, RedisTaskLimiterBudget Budget) Instance(
        RedisServer server, string key, int clusterLimit, int localLimit, int queueLimit = 100, Action<RedisTaskLimiterOptions>? configure = null,
        TimeSpan? queueTimeout = null)
    {
        var budget = new RedisTaskLimiterBudget("test", Options(server, key, clusterLimit, configure));
        var limiter = new TaskLimiter(new TaskLimiterOptions
        {
            Name = "test",
            MaxConcurrency = localLimit,
            QueueLimit = queueLimit,
            QueueTimeout = queueTimeout ?? Timeout.InfiniteTimeSpan,
            Budget = budget,
        });
        return (limiter, budget);
    }

    /// <summary>Polls <paramref name="condition"/> until it holds, failing after <see cref="Bound"/>.</summary>
    internal static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var started = DateTime.UtcNow;
        while (!await condition())
        {
            if (DateTime.UtcNow - started > Bound)
            {
                Assert.Fail($"Not within {Bound.TotalSeconds} s: {what}");
            }

            await Task.Delay(20);
        }
    }

    internal static async Task<IConnectionMultiplexer> ConnectAsync(RedisServer server) =>
        await ConnectionMultiplexer.ConnectAsync(server.Configuration);
}
