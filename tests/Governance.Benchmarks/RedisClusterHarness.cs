using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Governance;
using Governance.Redis;
using Medallion.Threading.Redis;
using StackExchange.Redis;

/// <summary>
/// Figures for the cluster-wide limiter (docs/redis.md), each against the local TaskLimiter in the same run and against
/// DistributedLock.Redis's semaphore: uncontended acquire+release latency and Redis round trips (INFO commandstats
/// deltas), then three instances sharing a limit of 10 under contention (throughput, queue wait, share per instance).
/// </summary>
/// <remarks>
/// Run: <c>dotnet run -c Release --project tests/Governance.Benchmarks -- redis-cluster</c> (starts a redis-server of its
/// own on a free loopback port; <c>--redis host:port</c> uses an existing one). Not BenchmarkDotNet: the contended
/// figures need several instances and a clock per grant. Do not run it while building.
/// </remarks>
internal static class RedisClusterHarness
{
    private const int ClusterLimit = 10;
    private const int Instances = 3;
    private const int CallersPerInstance = 10;

    public static async Task<int> RunAsync(string[] args)
    {
        var index = Array.IndexOf(args, "--redis");
        Process? server = null;
        string configuration;
        if (index >= 0 && index + 1 < args.Length)
        {
            configuration = args[index + 1];
        }
        else
        {
            (server, configuration) = await StartServerAsync();
        }

        var seconds = Array.IndexOf(args, "--seconds") is var s && s >= 0 ? int.Parse(args[s + 1], CultureInfo.InvariantCulture) : 5;
        try
        {
            await using var admin = await ConnectionMultiplexer.ConnectAsync(configuration + ",allowAdmin=true");
            var info = (await admin.GetServer(admin.GetEndPoints()[0]).InfoAsync("server")).SelectMany(g => g).ToDictionary(p => p.Key, p => p.Value);
            Console.WriteLine($"redis-server {info.GetValueOrDefault("redis_version")} on {configuration}; {Environment.ProcessorCount} cores; .NET {Environment.Version}");
            Console.WriteLine();
            await UncontendedAsync(configuration, admin);
            foreach (var hold in new[] { TimeSpan.Zero, TimeSpan.FromMilliseconds(5) })
            {
                await ContendedAsync(configuration, admin, hold, TimeSpan.FromSeconds(seconds));
            }

            // Unequal load: does an instance with more callers get more permits?
            await ContendedAsync(configuration, admin, TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(seconds), [20, 5, 5]);
        }
        finally
        {
            if (server is not null)
            {
                server.Kill(entireProcessTree: true);
                await server.WaitForExitAsync();
            }
        }

        return 0;
    }

    private static async Task UncontendedAsync(string configuration, ConnectionMultiplexer admin)
    {
        const int Warmup = 500;
        const int Iterations = 5000;
        Console.WriteLine($"Uncontended: one caller, acquire then release, {Iterations} times after {Warmup} warm-up; latency of acquire+release as the caller sees it");
        Console.WriteLine("| engine | p50 (µs) | p99 (µs) | calls sent per acquire+release | commands Redis ran (INFO commandstats; scripts' inner commands included) |");
        Console.WriteLine("|---|---:|---:|---:|---|");

        using (var local = new TaskLimiter(new TaskLimiterOptions { MaxConcurrency = ClusterLimit }))
        {
            var times = await MeasureAsync(Warmup, Iterations, async () => (await local.AcquireAsync()).Dispose());
            Row("local TaskLimiter", times, "0", "—");
        }

        {
            var key = "bench:{" + Guid.NewGuid().ToString("N") + "}";
            await using var connection = await Connect(configuration);
            await using var budget = new RedisTaskLimiterBudget("bench", new RedisTaskLimiterOptions { ConnectionMultiplexer = connection, Key = key, ClusterLimit = ClusterLimit });
            using var limiter = new TaskLimiter(new TaskLimiterOptions { Name = "bench", MaxConcurrency = ClusterLimit, Budget = budget });
            await MeasureAsync(Warmup, 0, async () => (await limiter.AcquireAsync()).Dispose());
            await SettleAsync(budget);
            var before = await CommandStatsAsync(admin);
            var sent = Operations(connection);
            var times = await MeasureAsync(0, Iterations, async () => (await limiter.AcquireAsync()).Dispose());
            await SettleAsync(budget);
            var calls = Operations(connection) - sent - 1; // SettleAsync asked once.
            var delta = Delta(before, await CommandStatsAsync(admin));
            Row("Governance.Redis (Lua)", times, PerOp(calls, Iterations), Describe(delta, Iterations));

            // Acquire alone, then release alone: the round trips of each.
            var leases = new List<TaskLimiterLease>();
            using var wide = new TaskLimiter(new TaskLimiterOptions { Name = "bench-wide", MaxConcurrency = 1000, Budget = new RedisTaskLimiterBudget("bench-wide", new RedisTaskLimiterOptions { ConnectionMultiplexer = connection, Key = key + ":wide", ClusterLimit = 1000 }) });
            (await wide.AcquireAsync()).Dispose();
            await Task.Delay(200);
            before = await CommandStatsAsync(admin);
            sent = Operations(connection);
            for (var i = 0; i < 1000; i++)
            {
                leases.Add(await wide.AcquireAsync());
            }

            var acquireCalls = Operations(connection) - sent;
            var acquired = Delta(before, await CommandStatsAsync(admin));
            before = await CommandStatsAsync(admin);
            sent = Operations(connection);
            leases.ForEach(l => l.Dispose());
            await Task.Delay(500);
            var releaseCalls = Operations(connection) - sent;
            var released = Delta(before, await CommandStatsAsync(admin));
            Console.WriteLine($"|   acquire alone (1000 held) | | | {PerOp(acquireCalls, 1000)} | {Describe(acquired, 1000)} |");
            Console.WriteLine($"|   release alone | | | {PerOp(releaseCalls, 1000)} | {Describe(released, 1000)} |");
            await ((RedisTaskLimiterBudget)wide.Budget!).DisposeAsync();
        }

        {
            await using var connection = await Connect(configuration);
            var semaphore = new RedisDistributedSemaphore("bench:dl:" + Guid.NewGuid().ToString("N"), ClusterLimit, connection.GetDatabase());
            await MeasureAsync(Warmup, 0, async () => await (await semaphore.AcquireAsync()).DisposeAsync());
            var before = await CommandStatsAsync(admin);
            var sent = Operations(connection);
            var times = await MeasureAsync(0, Iterations, async () => await (await semaphore.AcquireAsync()).DisposeAsync());
            var calls = Operations(connection) - sent;
            var delta = Delta(before, await CommandStatsAsync(admin));
            Row("DistributedLock.Redis semaphore", times, PerOp(calls, Iterations), Describe(delta, Iterations));
        }

        Console.WriteLine();
    }

    private static async Task ContendedAsync(string configuration, ConnectionMultiplexer admin, TimeSpan hold, TimeSpan duration, int[]? callers = null)
    {
        callers ??= Enumerable.Repeat(CallersPerInstance, Instances).ToArray();
        Console.WriteLine($"Contended: {Instances} instances with {string.Join(" / ", callers)} callers, limit {ClusterLimit}, each permit held {hold.TotalMilliseconds} ms, {duration.TotalSeconds} s");
        Console.WriteLine("| engine | grants/s | queue wait p50 (ms) | p99 (ms) | max (ms) | share per instance | max held at once | calls sent per grant |");
        Console.WriteLine("|---|---:|---:|---:|---:|---|---:|---:|");

        // The local TaskLimiter: one limiter of 10 shared by all 30 callers (what a single instance would do).
        using (var local = new TaskLimiter(new TaskLimiterOptions { MaxConcurrency = ClusterLimit, QueueLimit = 1000 }))
        {
            var result = await LoadAsync(Enumerable.Repeat<Func<Task<IAsyncDisposable>>>(async () => new Disposer((await local.AcquireAsync()).Dispose), Instances).ToArray(), hold, duration, callers);
            Report("local TaskLimiter (one limiter)", result, "0");
        }

        {
            var key = "bench:{" + Guid.NewGuid().ToString("N") + "}";
            var connections = new List<ConnectionMultiplexer>();
            for (var i = 0; i < Instances; i++)
            {
                connections.Add(await Connect(configuration));
            }

            var budgets = connections.Select((c, i) => new RedisTaskLimiterBudget("bench" + i, new RedisTaskLimiterOptions { ConnectionMultiplexer = c, Key = key, ClusterLimit = ClusterLimit })).ToArray();
            var limiters = budgets.Select(b => new TaskLimiter(new TaskLimiterOptions { Name = b.LimiterName, MaxConcurrency = callers.Max(), QueueLimit = 1000, Budget = b })).ToArray();
            foreach (var limiter in limiters)
            {
                (await limiter.AcquireAsync()).Dispose(); // Connect and load the scripts before measuring.
            }

            await Task.Delay(200);
            var sent = connections.Sum(Operations);
            var result = await LoadAsync(limiters.Select(l => (Func<Task<IAsyncDisposable>>)(async () => new Disposer((await l.AcquireAsync()).Dispose))).ToArray(), hold, duration, callers);
            await Task.Delay(200);
            Report("Governance.Redis (Lua + pub/sub)", result, PerOp(connections.Sum(Operations) - sent, result.Grants.Sum()));
            foreach (var limiter in limiters)
            {
                limiter.Dispose();
            }

            foreach (var budget in budgets)
            {
                await budget.DisposeAsync();
            }

            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }

        {
            var name = "bench:dl:" + Guid.NewGuid().ToString("N");
            var connections = new List<ConnectionMultiplexer>();
            for (var i = 0; i < Instances; i++)
            {
                connections.Add(await Connect(configuration));
            }

            var semaphores = connections.Select(c => new RedisDistributedSemaphore(name, ClusterLimit, c.GetDatabase())).ToArray();
            foreach (var semaphore in semaphores)
            {
                await (await semaphore.AcquireAsync()).DisposeAsync();
            }

            var sent = connections.Sum(Operations);
            var result = await LoadAsync(semaphores.Select(s => (Func<Task<IAsyncDisposable>>)(async () => await s.AcquireAsync())).ToArray(), hold, duration, callers);
            Report("DistributedLock.Redis semaphore", result, PerOp(connections.Sum(Operations) - sent, result.Grants.Sum()));
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }

        Console.WriteLine();
    }

    private sealed record LoadResult(long[] Grants, List<double> WaitsMs, int MaxHeld, TimeSpan Elapsed);

    private static async Task<LoadResult> LoadAsync(Func<Task<IAsyncDisposable>>[] instances, TimeSpan hold, TimeSpan duration, int[]? callersPerInstance = null)
    {
        callersPerInstance ??= Enumerable.Repeat(CallersPerInstance, instances.Length).ToArray();
        var grants = new long[instances.Length];
        var waits = new List<double>[callersPerInstance.Sum()];
        var slot = 0;
        var held = 0;
        var maxHeld = 0;
        using var stop = new CancellationTokenSource(duration);
        var clock = Stopwatch.StartNew();
        var callers = new List<Task>();
        for (var i = 0; i < instances.Length; i++)
        {
            for (var c = 0; c < callersPerInstance[i]; c++)
            {
                var instance = i;
                var mine = waits[slot++] = new List<double>(100_000);
                callers.Add(Task.Run(async () =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        var started = Stopwatch.GetTimestamp();
                        var lease = await instances[instance]();
                        mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                        var now = Interlocked.Increment(ref held);
                        InterlockedMax(ref maxHeld, now);
                        if (hold > TimeSpan.Zero)
                        {
                            await Task.Delay(hold);
                        }
                        else
                        {
                            await Task.Yield();
                        }

                        Interlocked.Decrement(ref held);
                        await lease.DisposeAsync();
                        Interlocked.Increment(ref grants[instance]);
                    }
                }));
            }
        }

        await Task.WhenAll(callers);
        return new LoadResult(grants, waits.SelectMany(w => w).ToList(), maxHeld, clock.Elapsed);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    private static void Report(string engine, LoadResult result, string callsPerGrant)
    {
        var total = result.Grants.Sum();
        var waits = result.WaitsMs.Order().ToArray();
        var shares = string.Join(" / ", result.Grants.Select(g => (100.0 * g / Math.Max(1, total)).ToString("F1", CultureInfo.InvariantCulture) + "%"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {engine} | {total / result.Elapsed.TotalSeconds:F0} | {Percentile(waits, 0.50):F2} | {Percentile(waits, 0.99):F2} | {waits[^1]:F1} | {shares} | {result.MaxHeld} | {callsPerGrant} |"));
    }

    private static async Task<double[]> MeasureAsync(int warmup, int iterations, Func<Task> operation)
    {
        for (var i = 0; i < warmup; i++)
        {
            await operation();
        }

        var times = new double[iterations];
        for (var i = 0; i < iterations; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await operation();
            times[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
        }

        Array.Sort(times);
        return times;
    }

    private static void Row(string engine, double[] sortedMicroseconds, string callsPerOp, string commands) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {engine} | {Percentile(sortedMicroseconds, 0.50):F1} | {Percentile(sortedMicroseconds, 0.99):F1} | {callsPerOp} | {commands} |"));

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    /// <summary>Waits until fire-and-forget releases have reached Redis.</summary>
    private static async Task SettleAsync(RedisTaskLimiterBudget budget)
    {
        for (var i = 0; i < 100 && await budget.GetClusterInUseAsync() != 0; i++)
        {
            await Task.Delay(10);
        }
    }

    private static async Task<Dictionary<string, long>> CommandStatsAsync(ConnectionMultiplexer admin)
    {
        var server = admin.GetServer(admin.GetEndPoints()[0]);
        var stats = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var pair in (await server.InfoAsync("commandstats")).SelectMany(g => g))
        {
            // cmdstat_evalsha: calls=5000,usec=...,...
            var calls = pair.Value.Split(',').First(p => p.StartsWith("calls=", StringComparison.Ordinal))[6..];
            stats[pair.Key.Replace("cmdstat_", string.Empty, StringComparison.Ordinal)] = long.Parse(calls, CultureInfo.InvariantCulture);
        }

        return stats;
    }

    private static Dictionary<string, long> Delta(Dictionary<string, long> before, Dictionary<string, long> after) =>
        after.Select(p => (p.Key, Value: p.Value - before.GetValueOrDefault(p.Key)))
            .Where(p => p.Value > 0 && p.Key is not "info")
            .ToDictionary(p => p.Key, p => p.Value);

    private static string PerOp(long calls, long operations) =>
        (calls / (double)Math.Max(1, operations)).ToString("F2", CultureInfo.InvariantCulture);

    /// <summary>Commands this client sent (round trips: each awaited on its own), from StackExchange.Redis's counters.</summary>
    private static long Operations(ConnectionMultiplexer connection) => connection.GetCounters().Interactive.OperationCount;

    private static async Task<ConnectionMultiplexer> Connect(string configuration) =>
        await ConnectionMultiplexer.ConnectAsync(configuration + ",abortConnect=false");

    private static string Describe(Dictionary<string, long> delta, long operations) =>
        string.Join(", ", delta.OrderByDescending(p => p.Value).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value / (double)operations:F2}")));

    private static async Task<(Process Server, string Configuration)> StartServerAsync()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var directory = Directory.CreateTempSubdirectory("governance-bench-redis-").FullName;
        var start = new ProcessStartInfo(File.Exists("/usr/bin/redis-server") ? "/usr/bin/redis-server" : "redis-server")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory })
        {
            start.ArgumentList.Add(argument);
        }

        var server = Process.Start(start)!;
        server.OutputDataReceived += (_, _) => { };
        server.BeginOutputReadLine();
        var configuration = "127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture);
        for (var i = 0; i < 200; i++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return (server, configuration);
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new InvalidOperationException("redis-server did not start");
    }

    private sealed class Disposer(Action dispose) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            dispose();
            return default;
        }
    }
}
