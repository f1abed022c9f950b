// One instance of a service sharing a cluster-wide limit (see Governance.Redis.Tests).
//
//   load <redis> <key> <limit> <concurrency> <hold-ms> <probe-key> <duration-ms>
//     Prints READY, waits for a line on stdin (GO), then for <duration-ms> runs <concurrency> loops that each take a
//     permit from a TaskLimiter with a Redis budget, hold it <hold-ms> while counting themselves in and out of
//     <probe-key> (an independent count of the permits held at once, whose maximum is kept in <probe-key>:max), and
//     give it back. Prints "GRANTS n LOST n REJECTED n" and exits.
//   hold <redis> <key> <limit> <permits> <expiry-ms>
//     Takes <permits> permits one by one, prints HELD, and holds them until killed.
using Governance;
using Governance.Redis;
using StackExchange.Redis;

var mode = args[0];
var redis = args[1];
var key = args[2];
var limit = int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);

if (mode == "hold")
{
    var permits = int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture);
    var expiry = TimeSpan.FromMilliseconds(int.Parse(args[5], System.Globalization.CultureInfo.InvariantCulture));
    var budget = new RedisTaskLimiterBudget("worker", new RedisTaskLimiterOptions
    {
        Configuration = redis,
        Key = key,
        ClusterLimit = limit,
        LeaseExpiry = expiry,
        OperationTimeout = expiry / 2,
    });
    var limiter = new TaskLimiter(new TaskLimiterOptions { Name = "worker", MaxConcurrency = permits, Budget = budget });
    var leases = new List<TaskLimiterLease>();
    for (var i = 0; i < permits; i++)
    {
        leases.Add(await limiter.AcquireAsync());
    }

    Console.WriteLine("HELD " + leases.Count);
    await Task.Delay(Timeout.Infinite);
    return 0;
}

var concurrency = int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture);
var hold = TimeSpan.FromMilliseconds(int.Parse(args[5], System.Globalization.CultureInfo.InvariantCulture));
var probeKey = args[6];
var duration = TimeSpan.FromMilliseconds(int.Parse(args[7], System.Globalization.CultureInfo.InvariantCulture));

await using var probe = await ConnectionMultiplexer.ConnectAsync(redis);
var probeDb = probe.GetDatabase();
const string countIn = """
    local v = redis.call('INCR', KEYS[1])
    local m = tonumber(redis.call('GET', KEYS[2]) or '0')
    if v > m then redis.call('SET', KEYS[2], v) end
    return v
    """;

// A generous operation timeout: the tests run three of these on a loaded 2-core machine.
await using var cluster = new RedisTaskLimiterBudget("worker", new RedisTaskLimiterOptions { Configuration = redis, Key = key, ClusterLimit = limit, OperationTimeout = TimeSpan.FromSeconds(10) });
using var local = new TaskLimiter(new TaskLimiterOptions
{
    Name = "worker",
    MaxConcurrency = concurrency,
    QueueLimit = concurrency,
    Budget = cluster,
});

// Connects both clients before the test says go, so that the instances start their load together.
await cluster.GetClusterInUseAsync();
Console.WriteLine("READY");
if (Console.ReadLine() is null)
{
    return 1; // The test went away before it said go.
}

using var stop = new CancellationTokenSource(duration);
long grants = 0, lost = 0, rejected = 0;
var loops = Enumerable.Range(0, concurrency).Select(async _ =>
{
    while (!stop.IsCancellationRequested)
    {
        using var lease = await local.AcquireOrRejectAsync(1);
        if (!lease.IsAcquired)
        {
            Interlocked.Increment(ref rejected); // Redis did not answer in time; the test prints it on failure.
            continue;
        }

        Interlocked.Increment(ref grants);
        await probeDb.ScriptEvaluateAsync(countIn, [probeKey, probeKey + ":max"]);
        await Task.Delay(hold);
        await probeDb.StringDecrementAsync(probeKey);
        if (lease.Lost.IsCancellationRequested)
        {
            Interlocked.Increment(ref lost);
        }
    }
}).ToArray();
await Task.WhenAll(loops);
Console.WriteLine($"GRANTS {grants} LOST {lost} REJECTED {rejected}");
return 0;
