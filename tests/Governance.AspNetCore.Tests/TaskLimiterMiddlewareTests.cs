using System.Diagnostics.Metrics;
using System.Net;
using Governance.AspNetCore;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Governance.AspNetCore.Tests;

public sealed class TaskLimiterMiddlewareTests
{
    [Fact]
    public async Task EndpointPolicy_Full_Answers503WithRetryAfterAndCallsOnRejected()
    {
        var rejections = new List<(string Policy, LimiterRejectionReason Reason)>();
        await using var app = await TestApp.StartAsync(
            s => s.AddTaskLimiter("orders", o => o.MaxConcurrency = 1),
            o => o.OnRejected = async ctx =>
            {
                lock (rejections)
                {
                    rejections.Add((ctx.PolicyName, ctx.Reason));
                }

                await ctx.HttpContext.Response.WriteAsync("busy, try later");
            });

        var first = app.GetAsync("/limited");
        await TaskTestExtensions.WaitUntil(() => app.Gate.Entered == 1);

        using var rejected = await app.GetAsync("/limited").Bounded();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, rejected.StatusCode);
        Assert.Equal("1", rejected.Headers.GetValues("Retry-After").Single());
        Assert.Equal("busy, try later", await rejected.Content.ReadAsStringAsync());
        Assert.Equal([("orders", LimiterRejectionReason.QueueFull)], rejections);

        // Endpoints without a policy are not limited.
        var open = app.GetAsync("/open");
        await TaskTestExtensions.WaitUntil(() => app.Gate.Entered == 2);

        app.Gate.Open();
        using var ok = await first.Bounded();
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        (await open.Bounded()).Dispose();
        Assert.Equal(0, app.Services.GetRequiredKeyedService<TaskLimiter>("orders").GetStatistics().InFlight);
    }

    [Fact]
    public async Task ControllerAttribute_PutsTheControllerUnderThePolicy()
    {
        await using var app = await TestApp.StartAsync(s => s.AddTaskLimiter("orders", o => o.MaxConcurrency = 1));
        var first = app.GetAsync("/controller");
        await TaskTestExtensions.WaitUntil(() => app.Gate.Entered == 1);
        using var rejected = await app.GetAsync("/controller").Bounded();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, rejected.StatusCode);
        app.Gate.Open();
        (await first.Bounded()).Dispose();
    }

    [Fact]
    public async Task GlobalPolicy_LimitsEveryEndpoint()
    {
        await using var app = await TestApp.StartAsync(
            s => { s.AddTaskLimiter("global", o => o.MaxConcurrency = 1); s.AddTaskLimiter("orders", o => o.MaxConcurrency = 5); },
            o => o.GlobalPolicy = "global");
        var first = app.GetAsync("/open");
        await TaskTestExtensions.WaitUntil(() => app.Gate.Entered == 1);
        using var rejected = await app.GetAsync("/limited").Bounded();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, rejected.StatusCode);
        app.Gate.Open();
        (await first.Bounded()).Dispose();
    }

    [Fact]
    public async Task RejectionStatusCodeAndRetryAfter_AreConfigurable()
    {
        await using var app = await TestApp.StartAsync(
            s => s.AddTaskLimiter("orders", o => o.MaxConcurrency = 1),
            o => { o.RejectionStatusCode = StatusCodes.Status429TooManyRequests; o.RetryAfter = TimeSpan.FromSeconds(2.5); });
        var first = app.GetAsync("/limited");
        await TaskTestExtensions.WaitUntil(() => app.Gate.Entered == 1);
        using var rejected = await app.GetAsync("/limited").Bounded();
        Assert.Equal(HttpStatusCode.TooManyRequests, rejected.StatusCode);
        Assert.Equal("3", rejected.Headers.GetValues("Retry-After").Single());
        app.Gate.Open();
        (await first.Bounded()).Dispose();
    }

    [Fact]
    public async Task QueuedRequest_ClientGoesAway_LeavesTheQueueAtOnce()
    {
        await using var app = await TestApp.StartAsync(s => s.AddTaskLimiter("orders", o => { o.MaxConcurrency = 1; o.QueueLimit = 5; }));
        var limiter = app.Services.GetRequiredKeyedService<TaskLimiter>("orders");
        var first = app.GetAsync("/limited");
        await TaskTestExtensions.WaitUntil(() => app.Gate.Entered == 1);

        using var cts = new CancellationTokenSource();
        var queued = app.GetAsync("/limited", cancellationToken: cts.Token);
        await TaskTestExtensions.WaitUntil(() => limiter.GetStatistics().Queued == 1);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued.Bounded());
        await TaskTestExtensions.WaitUntil(() => limiter.GetStatistics().Queued == 0);
        Assert.Equal(1, limiter.GetStatistics().TotalCanceled);

        app.Gate.Open();
        (await first.Bounded()).Dispose();
        Assert.Equal(1, app.Gate.Entered);
    }

    [Fact]
    public async Task UnknownGlobalPolicy_FailsAtStartUp()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            TestApp.StartAsync(_ => { }, o => o.GlobalPolicy = "missing"));
        Assert.Contains("missing", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(200, 8, "RejectionStatusCode")]
    [InlineData(503, -1, "MaxHeaderLimitsPerPolicy")]
    public async Task InvalidMiddlewareOptions_FailAtStartUpNamingTheOption(int statusCode, int maxHeaderLimits, string option)
    {
        var ex = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => TestApp.StartAsync(
            s => s.AddTaskLimiter("orders", o => o.MaxConcurrency = 1),
            o => { o.RejectionStatusCode = statusCode; o.MaxHeaderLimitsPerPolicy = maxHeaderLimits; }));
        Assert.Contains(option, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LimitHeader_FromAnUntrustedClient_ChangesNothing()
    {
        using var meters = new TestMeters();
        await using var app = await TestApp.StartAsync(
            s => { s.AddSingleton<IMeterFactory>(meters.Factory); s.AddTaskLimiter("orders", o => o.MaxConcurrency = 2); },
            o => o.IsTrustedSource = ctx => ctx.Request.Headers.ContainsKey("X-Mesh-Secret-Never-Set"));

        // Header 1 from an untrusted client: both requests still run under the policy's limit of 2.
        var first = app.GetAsync("/limited", limitHeader: 1);
        var second = app.GetAsync("/limited", limitHeader: 1);
        await TaskTestExtensions.WaitUntil(() => app.Gate.Entered == 2);
        Assert.Equal(0, meters.LiveLimitersNamed("orders:header-"));
        app.Gate.Open();
        (await first.Bounded()).Dispose();
        (await second.Bounded()).Dispose();
    }

    [Fact]
    public async Task LimitHeader_NobodyTrustedByDefault()
    {
        await using var app = await TestApp.StartAsync(s => s.AddTaskLimiter("orders", o => o.MaxConcurrency = 2));
        var first = app.GetAsync("/limited", limitHeader: 1);
        var second = app.GetAsync("/limited", limitHeader: 1);
        await TaskTestExtensions.WaitUntil(() => app.Gate.Entered == 2);
        app.Gate.Open();
        Assert.Equal(HttpStatusCode.OK, (await first.Bounded()).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await second.Bounded()).StatusCode);
    }

    [Fact]
    public async Task LimitHeader_FromATrustedSource_LowersTheLimitForItsRequests()
    {
        await using var app = await TestApp.StartAsync(
            s => s.AddTaskLimiter("orders", o => o.MaxConcurrency = 4),
            o => o.IsTrustedSource = _ => true);
        var first = app.GetAsync("/limited", limitHeader: 1);
        await TaskTestExtensions.WaitUntil(() => app.Gate.Entered == 1);

        using var rejected = await app.GetAsync("/limited", limitHeader: 1).Bounded();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, rejected.StatusCode);

        // Requests without the header still get the policy's own limit.
        var other = app.GetAsync("/limited");
        await TaskTestExtensions.WaitUntil(() => app.Gate.Entered == 2);
        app.Gate.Open();
        (await first.Bounded()).Dispose();
        (await other.Bounded()).Dispose();
    }

    [Fact]
    public async Task LimitHeader_FromATrustedSource_CannotRaiseTheLimit()
    {
        await using var app = await TestApp.StartAsync(
            s => s.AddTaskLimiter("orders", o => o.MaxConcurrency = 1),
            o => o.IsTrustedSource = _ => true);
        var first = app.GetAsync("/limited", limitHeader: 1000);
        await TaskTestExtensions.WaitUntil(() => app.Gate.Entered == 1);
        using var rejected = await app.GetAsync("/limited", limitHeader: 1000).Bounded();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, rejected.StatusCode);
        Assert.Equal(1, app.Services.GetRequiredKeyedService<TaskLimiter>("orders").MaxConcurrency);
        app.Gate.Open();
        (await first.Bounded()).Dispose();
    }

    [Fact]
    public async Task LimitHeader_ManyDistinctValuesFromATrustedSource_KeepABoundedNumberOfLimiters()
    {
        using var meters = new TestMeters();
        await using var app = await TestApp.StartAsync(
            s => { s.AddSingleton<IMeterFactory>(meters.Factory); s.AddTaskLimiter("orders", o => o.MaxConcurrency = 10_000); },
            o => { o.IsTrustedSource = _ => true; o.MaxHeaderLimitsPerPolicy = 4; });
        app.Gate.Open();

        for (var limit = 1; limit <= 300; limit++)
        {
            using var response = await app.GetAsync("/limited", limitHeader: limit).Bounded();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.InRange(meters.LiveLimitersNamed("orders:header-"), 1, 4);
        }

        // Garbage and hostile values are ignored, never parsed into huge limits.
        foreach (var value in new[] { "-1", "0", "abc", "99999999999999999999", "1e9", " 5" })
        {
            var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/limited", UriKind.Relative));
            request.Headers.TryAddWithoutValidation("X-Concurrency-Limit", value);
            using var response = await app.Client.SendAsync(request).Bounded();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.InRange(meters.LiveLimitersNamed("orders:header-"), 1, 4);
    }

    [Fact]
    public async Task GlobalAndEndpointPolicies_QueuedOnTheEndpoint_HoldsNoGlobalSlot()
    {
        await using var app = await TestApp.StartAsync(
            s =>
            {
                s.AddTaskLimiter("global", o => { o.MaxConcurrency = 2; o.QueueLimit = 5; });
                s.AddTaskLimiter("orders", o => { o.MaxConcurrency = 1; o.QueueLimit = 5; });
            },
            o => o.GlobalPolicy = "global");
        var global = app.Services.GetRequiredKeyedService<TaskLimiter>("global");
        var orders = app.Services.GetRequiredKeyedService<TaskLimiter>("orders");

        var first = app.GetAsync("/limited");
        await TaskTestExtensions.WaitUntil(() => app.Gate.Entered == 1);
        var queued = app.GetAsync("/limited");
        await TaskTestExtensions.WaitUntil(() => orders.GetStatistics().Queued == 1);

        // The queued request waits on the narrower endpoint limiter holding nothing, so other traffic gets the
        // global slot it would otherwise park.
        Assert.Equal(1, global.GetStatistics().InFlight);
        var other = app.GetAsync("/open");
        await TaskTestExtensions.WaitUntil(() => app.Gate.Entered == 2);

        app.Gate.Open();
        Assert.Equal(HttpStatusCode.OK, (await first.Bounded()).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await queued.Bounded()).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await other.Bounded()).StatusCode);
        Assert.Equal(0, global.GetStatistics().InFlight);
        Assert.Equal(0, orders.GetStatistics().InFlight);
    }

    [Fact]
    public async Task LimitHeader_QueuedOnTheHeaderLimiter_HoldsNoPolicySlot()
    {
        using var meters = new TestMeters();
        await using var app = await TestApp.StartAsync(
            s => { s.AddSingleton<IMeterFactory>(meters.Factory); s.AddTaskLimiter("orders", o => { o.MaxConcurrency = 4; o.QueueLimit = 5; }); },
            o => o.IsTrustedSource = _ => true);
        var orders = app.Services.GetRequiredKeyedService<TaskLimiter>("orders");

        var first = app.GetAsync("/limited", limitHeader: 1);
        await TaskTestExtensions.WaitUntil(() => app.Gate.Entered == 1);
        var queued = app.GetAsync("/limited", limitHeader: 1);
        await TaskTestExtensions.WaitUntil(() => meters.QueuedIn("orders:header-1") == 1);

        // A mesh that lowers the limit must not park the policy's slots while its requests wait.
        Assert.Equal(1, orders.GetStatistics().InFlight);

        app.Gate.Open();
        Assert.Equal(HttpStatusCode.OK, (await first.Bounded()).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await queued.Bounded()).StatusCode);
        Assert.Equal(0, orders.GetStatistics().InFlight);
    }

    [Fact]
    public async Task RejectedAtTheGlobalStage_HasGivenBackTheEndpointSlotBeforeOnRejectedRuns()
    {
        TaskLimiter? orders = null;
        var seen = new List<(string Policy, string Limiter, LimiterRejectionReason Reason, int OrdersInFlight)>();
        await using var app = await TestApp.StartAsync(
            s => { s.AddTaskLimiter("global", o => o.MaxConcurrency = 1); s.AddTaskLimiter("orders", o => o.MaxConcurrency = 5); },
            o =>
            {
                o.GlobalPolicy = "global";
                o.OnRejected = ctx =>
                {
                    lock (seen)
                    {
                        seen.Add((ctx.PolicyName, ctx.LimiterName, ctx.Reason, orders!.GetStatistics().InFlight));
                    }

                    return ValueTask.CompletedTask;
                };
            });
        orders = app.Services.GetRequiredKeyedService<TaskLimiter>("orders");

        var first = app.GetAsync("/open");
        await TaskTestExtensions.WaitUntil(() => app.Gate.Entered == 1);
        using var rejected = await app.GetAsync("/limited").Bounded();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, rejected.StatusCode);
        Assert.Equal([("global", "global", LimiterRejectionReason.QueueFull, 0)], seen);
        Assert.Equal(1, orders.GetStatistics().TotalAdmitted); // It took the endpoint slot first, then gave it back.

        app.Gate.Open();
        (await first.Bounded()).Dispose();
    }

    [Fact]
    public async Task RejectedAtTheHeaderStage_NamesTheHeaderLimiterAndHoldsNothing()
    {
        var seen = new List<(string Policy, string Limiter, LimiterRejectionReason Reason)>();
        await using var app = await TestApp.StartAsync(
            s => s.AddTaskLimiter("orders", o => o.MaxConcurrency = 4),
            o =>
            {
                o.IsTrustedSource = _ => true;
                o.OnRejected = ctx =>
                {
                    lock (seen)
                    {
                        seen.Add((ctx.PolicyName, ctx.LimiterName, ctx.Reason));
                    }

                    return ValueTask.CompletedTask;
                };
            });
        var orders = app.Services.GetRequiredKeyedService<TaskLimiter>("orders");

        var first = app.GetAsync("/limited", limitHeader: 1);
        await TaskTestExtensions.WaitUntil(() => app.Gate.Entered == 1);
        using var rejected = await app.GetAsync("/limited", limitHeader: 1).Bounded();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, rejected.StatusCode);
        Assert.Equal([("orders", "orders:header-1", LimiterRejectionReason.QueueFull)], seen);

        // The header limiter is the first stage: the rejected request never took one of the policy's slots.
        Assert.Equal(1, orders.GetStatistics().TotalAdmitted);

        app.Gate.Open();
        (await first.Bounded()).Dispose();
    }
}
