using System.Net;
using System.Threading.RateLimiting;
using Governance;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.RateLimiting;

namespace Governance.Tests.Limiting;

public sealed class TaskLimiterRateLimiterTests
{
    private static TaskLimiter Create(int maxConcurrency, int queueLimit = 0, TimeProvider? time = null, TimeSpan? queueTimeout = null) =>
        new(new TaskLimiterOptions
        {
            MaxConcurrency = maxConcurrency,
            QueueLimit = queueLimit,
            QueueTimeout = queueTimeout ?? Timeout.InfiniteTimeSpan,
            TimeProvider = time ?? TimeProvider.System,
            Name = "view",
        });

    [Fact]
    public void AsRateLimiter_ReturnsTheSameViewEveryTime()
    {
        using var limiter = Create(1);
        Assert.Same(limiter.AsRateLimiter(), limiter.AsRateLimiter());
    }

    [Fact]
    public void AttemptAcquire_SharesSlotsWithTheLimiter()
    {
        using var limiter = Create(1);
        var view = limiter.AsRateLimiter();
        using (var lease = view.AttemptAcquire())
        {
            Assert.True(lease.IsAcquired);
            Assert.False(limiter.TryAcquire(out _));
            using var rejected = view.AttemptAcquire();
            Assert.False(rejected.IsAcquired);
            Assert.True(rejected.TryGetMetadata(MetadataName.ReasonPhrase, out var reason));
            Assert.Contains("queue is full", reason, StringComparison.Ordinal);
        }

        Assert.True(limiter.TryAcquire(out var again));
        again.Dispose();
    }

    [Fact]
    public async Task AcquireAsync_QueuesLikeTheLimiterAndReportsRejectionsAsFailedLeases()
    {
        var time = new FakeTimeProvider();
        using var limiter = Create(1, queueLimit: 1, time: time, queueTimeout: TimeSpan.FromSeconds(1));
        var view = limiter.AsRateLimiter();
        var held = await view.AcquireAsync();
        Assert.True(held.IsAcquired);

        var waiting = view.AcquireAsync();
        Assert.False(waiting.IsCompleted);
        using var full = await view.AcquireAsync();
        Assert.False(full.IsAcquired);

        time.Advance(TimeSpan.FromSeconds(1));
        using var timedOut = await waiting.AsTask().Bounded();
        Assert.False(timedOut.IsAcquired);
        Assert.True(timedOut.TryGetMetadata(MetadataName.ReasonPhrase, out var reason));
        Assert.Contains("timeout", reason, StringComparison.Ordinal);

        var granted = view.AcquireAsync();
        held.Dispose();
        using var lease = await granted.AsTask().Bounded();
        Assert.True(lease.IsAcquired);
    }

    [Fact]
    public async Task AcquireAsync_Canceled_ThrowsAsTheRateLimiterContractSays()
    {
        using var limiter = Create(1, queueLimit: 1);
        var view = limiter.AsRateLimiter();
        using var held = await view.AcquireAsync();
        using var cts = new CancellationTokenSource();
        var waiting = view.AcquireAsync(cancellationToken: cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.AsTask().Bounded());
        Assert.Equal(0, limiter.GetStatistics().Queued);
    }

    [Fact]
    public void PermitCount_Zero_ProbesWithoutTakingASlot()
    {
        using var limiter = Create(1);
        var view = limiter.AsRateLimiter();
        using (var probe = view.AttemptAcquire(0))
        {
            Assert.True(probe.IsAcquired);
        }

        Assert.Equal(0, limiter.GetStatistics().InFlight);
    }

    [Fact]
    public async Task PermitCount_AboveOne_IsAWeightedAcquisitionOfTheLimiter()
    {
        using var limiter = Create(4, queueLimit: 2);
        var view = limiter.AsRateLimiter();
        using (var three = view.AttemptAcquire(3))
        {
            Assert.True(three.IsAcquired);
            Assert.Equal(3, limiter.GetStatistics().InFlight);
            Assert.Equal(1, view.GetStatistics()!.CurrentAvailablePermits);

            using var two = view.AttemptAcquire(2);
            Assert.False(two.IsAcquired);
            Assert.True(two.TryGetMetadata(MetadataName.ReasonPhrase, out var reason));
            Assert.Contains("queue is full", reason, StringComparison.Ordinal);

            var waiting = view.AcquireAsync(2);
            Assert.False(waiting.IsCompleted);
            three.Dispose();
            using var granted = await waiting.AsTask().Bounded();
            Assert.True(granted.IsAcquired);
            Assert.Equal(2, limiter.GetStatistics().InFlight);
        }

        Assert.Equal(0, limiter.GetStatistics().InFlight);
    }

    [Fact]
    public async Task PermitCount_AboveTheLimit_IsAFailedLeaseThatSaysWhy()
    {
        using var limiter = Create(4, queueLimit: 2);
        var view = limiter.AsRateLimiter();
        using var attempted = view.AttemptAcquire(5);
        using var awaited = await view.AcquireAsync(5);
        foreach (var lease in new[] { attempted, awaited })
        {
            Assert.False(lease.IsAcquired);
            Assert.True(lease.TryGetMetadata(MetadataName.ReasonPhrase, out var reason));
            Assert.Contains("More permits", reason, StringComparison.Ordinal);
        }

        Assert.Equal(1, limiter.GetStatistics().RejectedPermitsExceedLimit);
        Assert.Throws<ArgumentOutOfRangeException>(() => view.AttemptAcquire(-1));
    }

    [Fact]
    public async Task GetStatistics_MapsTheLimiterCounters()
    {
        using var limiter = Create(2);
        var view = limiter.AsRateLimiter();
        using var a = await view.AcquireAsync();
        using var b = await view.AcquireAsync();
        using var rejected = await view.AcquireAsync();

        var statistics = view.GetStatistics()!;
        Assert.Equal(0, statistics.CurrentAvailablePermits);
        Assert.Equal(0, statistics.CurrentQueuedCount);
        Assert.Equal(2, statistics.TotalSuccessfulLeases);
        Assert.Equal(1, statistics.TotalFailedLeases);
    }

    [Fact]
    public async Task IdleDuration_IsNullWhileBusyAndGrowsWhileIdle()
    {
        var time = new FakeTimeProvider();
        using var limiter = Create(1, time: time);
        var view = limiter.AsRateLimiter();
        var lease = await limiter.AcquireAsync();
        Assert.Null(view.IdleDuration);
        lease.Dispose();
        Assert.Equal(TimeSpan.Zero, view.IdleDuration);
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(TimeSpan.FromSeconds(30), view.IdleDuration);

        // Work between two polls resets the idle clock even though the limiter is idle at both.
        (await limiter.AcquireAsync()).Dispose();
        Assert.Equal(TimeSpan.Zero, view.IdleDuration);
    }

    [Fact]
    public async Task DisposingTheView_LeavesTheLimiterRunning()
    {
        using var limiter = Create(1);
        await limiter.AsRateLimiter().DisposeAsync();
        limiter.AsRateLimiter().Dispose();
        using var lease = await limiter.AcquireAsync();
        Assert.Equal(1, limiter.GetStatistics().InFlight);
    }

    [Fact]
    public async Task AspNetCoreRateLimitingMiddleware_UsesTheLimiterAndAnswers503WhenFull()
    {
        using var limiter = Create(1);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var host = await new HostBuilder()
            .ConfigureWebHost(web => web
                .UseTestServer()
                .ConfigureServices(services => services.AddRateLimiter(options =>
                {
                    options.RejectionStatusCode = StatusCodes.Status503ServiceUnavailable;
                    options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(
                        _ => RateLimitPartition.Get("all", _ => limiter.AsRateLimiter()));
                }))
                .Configure(app =>
                {
                    app.UseRateLimiter();
                    app.Run(async context =>
                    {
                        entered.TrySetResult();
                        await gate.Task;
                        await context.Response.WriteAsync("done");
                    });
                }))
            .StartAsync();
        using var client = host.GetTestClient();

        var first = client.GetAsync(new Uri("/slow", UriKind.Relative));
        await entered.Task.Bounded();
        Assert.Equal(1, limiter.GetStatistics().InFlight);

        using var rejected = await client.GetAsync(new Uri("/other", UriKind.Relative)).Bounded();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, rejected.StatusCode);

        gate.SetResult();
        using var ok = await first.Bounded();
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        await host.StopAsync();
        Assert.Equal(0, limiter.GetStatistics().InFlight);
        Assert.Equal(1, limiter.GetStatistics().RejectedQueueFull);
    }

    [Fact]
    public async Task PollyRateLimiterStrategy_UsesTheLimiterAndRejectsWhenFull()
    {
        using var limiter = Create(1);
        var pipeline = new ResiliencePipelineBuilder().AddRateLimiter(limiter.AsRateLimiter()).Build();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var running = pipeline.ExecuteAsync(async _ => { entered.SetResult(); await gate.Task; }).AsTask();
        await entered.Task.Bounded();
        Assert.Equal(1, limiter.GetStatistics().InFlight);

        await Assert.ThrowsAsync<RateLimiterRejectedException>(async () => await pipeline.ExecuteAsync(_ => ValueTask.CompletedTask));

        gate.SetResult();
        await running.Bounded();
        Assert.Equal(0, limiter.GetStatistics().InFlight);
        await pipeline.ExecuteAsync(_ => ValueTask.CompletedTask);
        Assert.Equal(2, limiter.GetStatistics().TotalAdmitted);
    }
}
