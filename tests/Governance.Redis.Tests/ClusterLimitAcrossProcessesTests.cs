using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;

namespace Governance.Redis.Tests;

/// <summary>The limit holds across separate processes (the instances of a service), and a crashed instance's permits come back.</summary>
public sealed class ClusterLimitAcrossProcessesTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    [Fact]
    public async Task ThreeProcesses_ShareALimitOfTen_NeverHoldMoreThanTenAtOnce()
    {
        var key = Cluster.NewKey();
        var probe = key + ":probe";
        // Each instance offers 10 concurrent callers, 30 in all, for 10 cluster permits: the limit is always contended.
        var workers = Enumerable.Range(0, 3)
            .Select(_ => WorkerProcess.Start("load", redis.Server.Configuration, key, "10", "10", "20", probe, "3000"))
            .ToList();
        try
        {
            foreach (var worker in workers)
            {
                await worker.WaitForLineAsync("READY", Cluster.Bound);
            }

            foreach (var worker in workers)
            {
                await worker.SendLineAsync("GO");
            }

            var grants = new List<long>();
            foreach (var worker in workers)
            {
                var line = await worker.WaitForLineAsync("GRANTS", Cluster.Bound);
                Assert.Equal(0, await worker.WaitForExitAsync(Cluster.Bound));
                var parts = line.Split(' ');
                grants.Add(long.Parse(parts[1], CultureInfo.InvariantCulture));
                Assert.Equal("0", parts[3]); // No lease was lost.
            }

            // Counted independently of the budget: each holder counted itself in and out of the probe key.
            await using var connection = await Cluster.ConnectAsync(redis.Server);
            var maxHeld = (int)await connection.GetDatabase().StringGetAsync(probe + ":max");
            Assert.InRange(maxHeld, 2, 10);
            Assert.All(grants, g => Assert.True(g > 0, $"Every instance got permits; grants: {string.Join(", ", grants)}"));
            Assert.Equal(0, (int)await connection.GetDatabase().StringGetAsync(probe));
        }
        finally
        {
            foreach (var worker in workers)
            {
                worker.Dispose();
            }
        }
    }

    [Fact]
    public async Task KilledInstance_HoldingEveryPermit_TheyComeBackWithinTheLeaseExpiry()
    {
        var key = Cluster.NewKey();
        // Test-short, yet long enough that a worker starved of CPU on a loaded machine still renews in time.
        var expiry = TimeSpan.FromSeconds(3);
        using var worker = WorkerProcess.Start("hold", redis.Server.Configuration, key, "10", "10", ((int)expiry.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
        await worker.WaitForLineAsync("HELD 10", Cluster.Bound);

        var (limiter, budget) = Cluster.Instance(redis.Server, key, clusterLimit: 10, localLimit: 10, configure: o => { o.LeaseExpiry = expiry; o.OperationTimeout = expiry / 2; });
        await using var _ = budget;
        using var __ = limiter;
        Assert.Equal(10, await budget.GetClusterInUseAsync());

        // A waiter queued before the crash gets its permit once the dead instance's leases expire.
        var waiting = limiter.AcquireAsync().AsTask();

        var killed = Stopwatch.StartNew();
        worker.Kill();
        using var lease = await waiting.WaitAsync(Cluster.Bound);

        // Every permit of the dead instance comes back: only the waiter's is held. (Measured until all ten are back,
        // not until the waiter's grant: on a starved machine one of the worker's leases may expire before the kill.)
        await Cluster.EventuallyAsync(async () => await budget.GetClusterInUseAsync() == 1, "the dead instance's permits come back");
        var returnedAfter = killed.Elapsed;

        // Within the expiry, plus a generous allowance for a loaded machine.
        Assert.True(returnedAfter < expiry + TimeSpan.FromSeconds(5), $"The permits came back after {returnedAfter.TotalSeconds:F2} s.");
    }
}
