using Governance;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;

namespace Governance.AspNetCore.Tests;

public sealed class GovernanceHealthCheckTests
{
    [Fact]
    public async Task AllWithinObjectives_IsHealthyWithTheFiguresInData()
    {
        await using var provider = Build(o => { o.InFlightDegraded = 5; o.InFlightUnhealthy = 8; });
        var orders = provider.GetRequiredKeyedService<TaskLimiter>("orders");
        using var lease = await orders.AcquireAsync();

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        var entry = report.Entries["governance"];
        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal(1L, entry.Data["in_flight"]);
        Assert.Equal(1, entry.Data["orders.in_flight"]);
        Assert.Equal(10, entry.Data["orders.limit"]);
        Assert.True(entry.Data.ContainsKey("payments.queued"));
    }

    [Fact]
    public async Task InFlightAndQueueThresholds_GradeDegradedThenUnhealthy()
    {
        await using var provider = Build(o => { o.InFlightDegraded = 3; o.InFlightUnhealthy = 12; o.QueuedUnhealthy = 2; });
        var orders = provider.GetRequiredKeyedService<TaskLimiter>("orders");
        var health = provider.GetRequiredService<HealthCheckService>();
        var leases = new List<TaskLimiterLease>();
        for (var i = 0; i < 3; i++)
        {
            leases.Add(await orders.AcquireAsync());
        }

        var degraded = (await health.CheckHealthAsync()).Entries["governance"];
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Contains("work in flight 3", degraded.Description, StringComparison.Ordinal);

        for (var i = 3; i < 10; i++)
        {
            leases.Add(await orders.AcquireAsync());
        }

        var queued = new[] { orders.AcquireAsync().AsTask(), orders.AcquireAsync().AsTask() };
        var unhealthy = (await health.CheckHealthAsync()).Entries["governance"];
        Assert.Equal(HealthStatus.Unhealthy, unhealthy.Status);
        Assert.Equal(2L, unhealthy.Data["queued"]);

        leases.ForEach(l => l.Dispose());
        foreach (var q in queued)
        {
            (await q.Bounded()).Dispose();
        }

        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync()).Entries["governance"].Status);
    }

    [Fact]
    public async Task RejectionRate_IsMeasuredPerLimiterSinceTheLastCheck()
    {
        await using var provider = Build(o => { o.RejectionRateDegraded = 0.2; o.RejectionRateUnhealthy = 0.5; });
        var payments = provider.GetRequiredKeyedService<TaskLimiter>("payments");
        var health = provider.GetRequiredService<HealthCheckService>();
        using (await payments.AcquireAsync())
        {
            for (var i = 0; i < 3; i++)
            {
                await Assert.ThrowsAsync<LimiterRejectedException>(async () => await payments.AcquireAsync());
            }
        }

        var unhealthy = (await health.CheckHealthAsync()).Entries["governance"];
        Assert.Equal(HealthStatus.Unhealthy, unhealthy.Status);
        Assert.Equal(0.75, (double)unhealthy.Data["payments.rejection_rate"], precision: 6);
        Assert.Contains("'payments' rejection rate", unhealthy.Description, StringComparison.Ordinal);

        // Since that check, only successes: the window starts afresh.
        for (var i = 0; i < 4; i++)
        {
            (await payments.AcquireAsync()).Dispose();
        }

        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync()).Entries["governance"].Status);
    }

    [Fact]
    public async Task StartedPerMinute_UsesTheTimeBetweenChecks()
    {
        var time = new FakeTimeProvider();
        await using var provider = Build(o => { o.StartedPerMinuteDegraded = 100; o.StartedPerMinuteUnhealthy = 1000; }, time);
        var orders = provider.GetRequiredKeyedService<TaskLimiter>("orders");
        var health = provider.GetRequiredService<HealthCheckService>();
        await health.CheckHealthAsync();

        for (var i = 0; i < 60; i++)
        {
            (await orders.AcquireAsync()).Dispose();
        }

        time.Advance(TimeSpan.FromSeconds(30));
        var entry = (await health.CheckHealthAsync()).Entries["governance"];
        Assert.Equal(120.0, (double)entry.Data["started_per_minute"], precision: 6);
        Assert.Equal(HealthStatus.Degraded, entry.Status);
    }

    [Fact]
    public void InvalidThresholds_ThrowNamingTheOption()
    {
        var services = new ServiceCollection();
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => services.AddHealthChecks().AddGovernanceHealthChecks(o => o.RejectionRateUnhealthy = 2));
        Assert.Contains("RejectionRateUnhealthy", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoProvidersOfOneCollection_EachChecksItsOwnLimiters()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddTaskLimiter("orders", o => o.MaxConcurrency = 10);
        services.AddHealthChecks().AddGovernanceHealthChecks(o => o.InFlightDegraded = 1);
        await using var first = services.BuildServiceProvider();
        await using var second = services.BuildServiceProvider();

        // The first provider's check is created first; the second provider must not get it (nor its limiters).
        var firstEntry = (await first.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["governance"];
        Assert.Equal(HealthStatus.Healthy, firstEntry.Status);

        using var lease = await second.GetRequiredKeyedService<TaskLimiter>("orders").AcquireAsync();
        var secondEntry = (await second.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["governance"];
        Assert.Equal(1L, secondEntry.Data["in_flight"]);
        Assert.Equal(HealthStatus.Degraded, secondEntry.Status);

        firstEntry = (await first.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["governance"];
        Assert.Equal(0L, firstEntry.Data["in_flight"]);
    }

    [Fact]
    public async Task OneProvider_KeepsOneCheckAcrossRuns_SoRatesSpanConsecutiveChecks()
    {
        var time = new FakeTimeProvider();
        await using var provider = Build(o => o.StartedPerMinuteDegraded = 1_000_000, time);
        var health = provider.GetRequiredService<HealthCheckService>();
        Assert.False((await health.CheckHealthAsync()).Entries["governance"].Data.ContainsKey("started_per_minute"));

        time.Advance(TimeSpan.FromMinutes(1));
        (await provider.GetRequiredKeyedService<TaskLimiter>("orders").AcquireAsync()).Dispose();
        var second = (await health.CheckHealthAsync()).Entries["governance"];
        Assert.Equal(1.0, second.Data["started_per_minute"]);
    }

    private static ServiceProvider Build(Action<Governance.AspNetCore.GovernanceHealthCheckOptions> configure, TimeProvider? time = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddTaskLimiter("orders", o => { o.MaxConcurrency = 10; o.QueueLimit = 10; });
        services.AddTaskLimiter("payments", o => o.MaxConcurrency = 1);
        services.AddHealthChecks().AddGovernanceHealthChecks(configure);
        return services.BuildServiceProvider();
    }
}
