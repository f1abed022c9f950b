using Governance;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Governance.AspNetCore.Tests;

/// <summary>Tests that read the process-wide census counts run alone, after every parallel test, so that no other test's units move them.</summary>
[CollectionDefinition(nameof(CensusCounts), DisableParallelization = true)]
public sealed class CensusCounts;

/// <summary>The census thresholds of the Governance health check that read process-wide counts: live units and units started per minute.</summary>
[Collection(nameof(CensusCounts))]
public sealed class GovernanceHealthCheckCensusCountTests
{
    [Fact]
    public async Task LiveUnits_GradeDegradedThenUnhealthy_AndHealthyOnceTheWorkEnds()
    {
        // Fire-and-forget work of earlier tests (the sample's confirmation mails) may still be ending: let it end first.
        await TaskTestExtensions.WaitUntil(() => TaskCensus.CountLiveUnits(GovernedOwnerKind.Governed) == 0);
        var baseline = TaskCensus.CountLiveUnits();
        await using var provider = Build(o => { o.LiveUnitsDegraded = baseline + 3; o.LiveUnitsUnhealthy = baseline + 5; });
        var health = provider.GetRequiredService<HealthCheckService>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var parked = new List<Task>();
        for (var i = 0; i < 3; i++)
        {
            parked.Add(Governed.Run(_ => gate.Task));
        }

        var degraded = (await health.CheckHealthAsync()).Entries["governance"];
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Equal(baseline + 3, degraded.Data["live_units"]);
        Assert.Contains($"live governed units {baseline + 3} ≥ {baseline + 3} (degraded)", degraded.Description, StringComparison.Ordinal);

        for (var i = 0; i < 2; i++)
        {
            parked.Add(Governed.Run(_ => gate.Task));
        }

        var unhealthy = (await health.CheckHealthAsync()).Entries["governance"];
        Assert.Equal(HealthStatus.Unhealthy, unhealthy.Status);
        Assert.Equal(baseline + 5, unhealthy.Data["live_units"]);

        gate.SetResult();
        await Task.WhenAll(parked).Bounded();
        await TaskTestExtensions.WaitUntil(() => TaskCensus.CountLiveUnits() == baseline);
        var healthy = (await health.CheckHealthAsync()).Entries["governance"];
        Assert.Equal(HealthStatus.Healthy, healthy.Status);
        Assert.Equal(baseline, healthy.Data["live_units"]);
    }

    [Fact]
    public async Task UnitsStartedPerMinute_IsTheRateBetweenConsecutiveChecks_AndTheFirstCheckHasNone()
    {
        var time = new FakeTimeProvider();
        await using var provider = Build(o => { o.UnitsStartedPerMinuteDegraded = 100; o.UnitsStartedPerMinuteUnhealthy = 1000; }, time);
        var health = provider.GetRequiredService<HealthCheckService>();

        // Every unit the process started before counts for nothing: the first check has no rate and is not graded on it.
        await StartAsync(units: 5_000);
        var first = (await health.CheckHealthAsync()).Entries["governance"];
        Assert.Equal(HealthStatus.Healthy, first.Status);
        Assert.False(first.Data.ContainsKey("units_started_per_minute"));

        await StartAsync(units: 60);
        time.Advance(TimeSpan.FromSeconds(30));
        var degraded = (await health.CheckHealthAsync()).Entries["governance"];
        Assert.Equal(120.0, (double)degraded.Data["units_started_per_minute"], precision: 6);
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Contains("governed units started per minute 120 ≥ 100 (degraded)", degraded.Description, StringComparison.Ordinal);

        await StartAsync(units: 600);
        time.Advance(TimeSpan.FromSeconds(30));
        var unhealthy = (await health.CheckHealthAsync()).Entries["governance"];
        Assert.Equal(1200.0, (double)unhealthy.Data["units_started_per_minute"], precision: 6);
        Assert.Equal(HealthStatus.Unhealthy, unhealthy.Status);

        time.Advance(TimeSpan.FromMinutes(1));
        var calm = (await health.CheckHealthAsync()).Entries["governance"];
        Assert.Equal(0.0, (double)calm.Data["units_started_per_minute"], precision: 6);
        Assert.Equal(HealthStatus.Healthy, calm.Status);
    }

    private static async Task StartAsync(int units)
    {
        var runs = new Task[units];
        for (var i = 0; i < units; i++)
        {
            runs[i] = Governed.Run(_ => Task.CompletedTask);
        }

        await Task.WhenAll(runs).Bounded();
    }

    private static ServiceProvider Build(Action<GovernanceHealthCheckOptions> configure, TimeProvider? time = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddHealthChecks().AddGovernanceHealthChecks(configure);
        return services.BuildServiceProvider();
    }
}

/// <summary>The dispatch-delay threshold and the validation of the census thresholds; nothing here reads process-wide counts.</summary>
public sealed class GovernanceHealthCheckCensusTests
{
    [Fact]
    public async Task DispatchDelayP99_IsNotGradedBeforeTheFirstMeasurement_ThenGradedWithTheFigureInData()
    {
        // Degraded at zero: any measured delay is at or above it, so the outcome does not depend on the machine's speed.
        await using var provider = Build(o => { o.DispatchDelayP99Degraded = TimeSpan.Zero; o.DispatchDelayP99Unhealthy = TimeSpan.FromHours(1); }, probe: true);
        var health = provider.GetRequiredService<HealthCheckService>();
        var probe = provider.GetRequiredService<ThreadPoolDispatchProbe>();

        var before = (await health.CheckHealthAsync()).Entries["governance"];
        Assert.Equal(HealthStatus.Healthy, before.Status);
        Assert.Equal(0L, before.Data["dispatch_delay_samples"]);
        Assert.False(before.Data.ContainsKey("dispatch_delay_p99_ms"));

        var delay = await probe.ProbeOnceAsync().Bounded();
        var after = (await health.CheckHealthAsync()).Entries["governance"];
        Assert.Equal(HealthStatus.Degraded, after.Status);
        Assert.Equal(1L, after.Data["dispatch_delay_samples"]);
        Assert.Equal(delay.TotalMilliseconds, (double)after.Data["dispatch_delay_p99_ms"], precision: 9);
        Assert.Contains("thread-pool dispatch delay P99 (ms)", after.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DispatchDelayP99_AtTheUnhealthyLevel_IsUnhealthy()
    {
        await using var provider = Build(o => { o.DispatchDelayP99Degraded = TimeSpan.Zero; o.DispatchDelayP99Unhealthy = TimeSpan.Zero; }, probe: true);
        await provider.GetRequiredService<ThreadPoolDispatchProbe>().ProbeOnceAsync().Bounded();

        var entry = (await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["governance"];

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("(unhealthy)", entry.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AProbeWithoutThresholds_StillReportsItsFigures()
    {
        await using var provider = Build(_ => { }, probe: true);
        await provider.GetRequiredService<ThreadPoolDispatchProbe>().ProbeOnceAsync().Bounded();

        var entry = (await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["governance"];

        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.True(entry.Data.ContainsKey("dispatch_delay_p99_ms"));
        Assert.True(entry.Data.ContainsKey("live_units"));
    }

    [Fact]
    public async Task DispatchThresholds_WithoutAProbe_OutsideAHost_ReportUnhealthySayingWhatIsMissing()
    {
        await using var provider = Build(o => o.DispatchDelayP99Degraded = TimeSpan.FromMilliseconds(1.5), probe: false);

        var entry = (await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["governance"];

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.IsType<InvalidOperationException>(entry.Exception);
        Assert.Contains("services.AddThreadPoolDispatchProbe()", entry.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DispatchThresholds_WithoutAProbe_TheHostFailsToStart()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddHealthChecks().AddGovernanceHealthChecks(o => o.DispatchDelayP99Unhealthy = TimeSpan.FromMilliseconds(5));
        using var host = builder.Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("services.AddThreadPoolDispatchProbe()", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DispatchThresholds_WithTheProbe_TheHostStarts()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddThreadPoolDispatchProbe();
        builder.Services.AddHealthChecks().AddGovernanceHealthChecks(o => o.DispatchDelayP99Unhealthy = TimeSpan.FromMilliseconds(5));
        using var host = builder.Build();

        await host.StartAsync().Bounded();
        await host.StopAsync().Bounded();
    }

    public static TheoryData<string, Action<GovernanceHealthCheckOptions>> InvalidThresholds() => new()
    {
        { "LiveUnitsDegraded", o => o.LiveUnitsDegraded = -1 },
        { "LiveUnitsUnhealthy", o => o.LiveUnitsUnhealthy = -1 },
        { "UnitsStartedPerMinuteDegraded", o => o.UnitsStartedPerMinuteDegraded = -0.5 },
        { "UnitsStartedPerMinuteUnhealthy", o => o.UnitsStartedPerMinuteUnhealthy = double.NaN },
        { "DispatchDelayP99Degraded", o => o.DispatchDelayP99Degraded = TimeSpan.FromMilliseconds(-1) },
        { "DispatchDelayP99Unhealthy", o => o.DispatchDelayP99Unhealthy = TimeSpan.FromMilliseconds(-1) },
        { "LiveUnitsDegraded must not be above LiveUnitsUnhealthy", o => { o.LiveUnitsDegraded = 600; o.LiveUnitsUnhealthy = 500; } },
        { "UnitsStartedPerMinuteDegraded must not be above UnitsStartedPerMinuteUnhealthy", o => { o.UnitsStartedPerMinuteDegraded = 2000; o.UnitsStartedPerMinuteUnhealthy = 1000; } },
        { "DispatchDelayP99Degraded must not be above DispatchDelayP99Unhealthy", o => { o.DispatchDelayP99Degraded = TimeSpan.FromMilliseconds(10); o.DispatchDelayP99Unhealthy = TimeSpan.FromMilliseconds(1.5); } },
    };

    [Theory]
    [MemberData(nameof(InvalidThresholds))]
    public void InvalidCensusThresholds_ThrowNamingTheOption(string named, Action<GovernanceHealthCheckOptions> configure)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => new ServiceCollection().AddHealthChecks().AddGovernanceHealthChecks(configure));
        Assert.Contains("GovernanceHealthCheckOptions." + named, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EqualLevels_AndOneLevelAlone_AreValid()
    {
        new ServiceCollection().AddHealthChecks().AddGovernanceHealthChecks(o =>
        {
            o.LiveUnitsDegraded = 500;
            o.LiveUnitsUnhealthy = 500;
            o.UnitsStartedPerMinuteUnhealthy = 1000;
        });
    }

    private static ServiceProvider Build(Action<GovernanceHealthCheckOptions> configure, bool probe)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        if (probe)
        {
            services.AddThreadPoolDispatchProbe(o => o.Interval = TimeSpan.FromHours(1));
        }

        services.AddHealthChecks().AddGovernanceHealthChecks(configure);
        return services.BuildServiceProvider();
    }
}
