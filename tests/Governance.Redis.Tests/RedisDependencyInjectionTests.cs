using System.Net;
using Governance.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Governance.Redis.Tests;

/// <summary><c>AddTaskLimiter(...).UseRedis(...)</c>: options from code and configuration, validation at start-up, and the HttpClient handler unchanged.</summary>
public sealed class RedisDependencyInjectionTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    [Fact]
    public async Task UseRedis_GivesTheNamedLimiterARedisBudget()
    {
        var services = new ServiceCollection();
        services.AddTaskLimiter("payments", o => o.MaxConcurrency = 4)
            .UseRedis(o =>
            {
                o.Configuration = redis.Server.Configuration;
                o.Key = Cluster.NewKey();
                o.ClusterLimit = 2;
            });
        await using var provider = services.BuildServiceProvider(validateScopes: true);

        var limiter = provider.GetRequiredKeyedService<TaskLimiter>("payments");
        var budget = Assert.IsType<RedisTaskLimiterBudget>(limiter.Budget);
        Assert.Equal(2, budget.ClusterLimit);
        Assert.Equal("payments", budget.LimiterName);
        using (await limiter.AcquireAsync().AsTask().WaitAsync(Cluster.Bound))
        {
            Assert.Equal(1, await budget.GetClusterInUseAsync());
        }
    }

    [Fact]
    public async Task UseRedis_BindsFromConfiguration()
    {
        var key = Cluster.NewKey();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Limiters:payments:MaxConcurrency"] = "5",
            ["Limiters:payments:Redis:Configuration"] = redis.Server.Configuration,
            ["Limiters:payments:Redis:Key"] = key,
            ["Limiters:payments:Redis:ClusterLimit"] = "3",
            ["Limiters:payments:Redis:LeaseExpiry"] = "00:00:10",
            ["Limiters:payments:Redis:FailureMode"] = "Open",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddTaskLimiter("payments").BindConfiguration("Limiters:payments")
            .UseRedis().BindConfiguration("Limiters:payments:Redis");
        await using var provider = services.BuildServiceProvider(validateScopes: true);

        var limiter = provider.GetRequiredKeyedService<TaskLimiter>("payments");
        var budget = Assert.IsType<RedisTaskLimiterBudget>(limiter.Budget);
        Assert.Equal(5, limiter.MaxConcurrency);
        Assert.Equal(3, budget.ClusterLimit);
        Assert.Equal(key, budget.Key);
        Assert.Equal(RedisFailureMode.Open, budget.FailureMode);
    }

    [Fact]
    public async Task UseRedis_InvalidOptions_FailAtStartUp_NamingTheOption()
    {
        var services = new ServiceCollection();
        services.AddTaskLimiter("payments", o => o.MaxConcurrency = 4).UseRedis(o => o.Configuration = redis.Server.Configuration);
        await using var provider = services.BuildServiceProvider(validateScopes: true);

        var thrown = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptionsMonitor<RedisTaskLimiterOptions>>().Get("payments"));
        Assert.Contains("RedisTaskLimiterOptions.ClusterLimit", thrown.Message, StringComparison.Ordinal);
        Assert.Contains("'payments'", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HttpClientHandler_WithAClusterLimiter_HoldsAClusterPermitPerCall()
    {
        var key = Cluster.NewKey();
        var inCall = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finish = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var services = new ServiceCollection();
        services.AddHttpClient("payments")
            .AddTaskLimiter(o =>
            {
                o.MaxConcurrency = 4;
                o.Budget = new RedisTaskLimiterBudget("payments-http", Cluster.Options(redis.Server, key, 1));
            })
            .ConfigurePrimaryHttpMessageHandler(() => new GatedHandler(inCall, finish));
        await using var provider = services.BuildServiceProvider(validateScopes: true);
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("payments");
        await using var probe = new RedisTaskLimiterBudget("probe", Cluster.Options(redis.Server, key, 1));

        var call = client.GetAsync(new Uri("http://payments.invalid/charge"));
        await inCall.Task.WaitAsync(Cluster.Bound);
        Assert.Equal(1, await probe.GetClusterInUseAsync()); // The call holds the cluster's only permit.

        finish.SetResult();
        using var response = await call.WaitAsync(Cluster.Bound);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Cluster.EventuallyAsync(async () => await probe.GetClusterInUseAsync() == 0, "the call's permit is given back");
    }

    [Fact]
    public async Task Middleware_WithAClusterLimiter_AnswersFromTheClusterBudget()
    {
        var key = Cluster.NewKey();
        using var host = await new HostBuilder()
            .ConfigureWebHost(web => web
                .UseTestServer()
                .ConfigureServices(s =>
                {
                    s.AddRouting();
                    s.AddTaskLimiter("api", o =>
                    {
                        o.MaxConcurrency = 5;
                        o.QueueLimit = 5;
                        o.QueueTimeout = TimeSpan.FromMilliseconds(300);
                    }).UseRedis(o =>
                    {
                        o.Configuration = redis.Server.Configuration;
                        o.Key = key;
                        o.ClusterLimit = 1;
                    });
                })
                .Configure(app =>
                {
                    app.UseRouting();
                    app.UseTaskLimiter();
                    app.UseEndpoints(endpoints => endpoints.MapGet("/pay", () => "paid").RequireTaskLimit("api"));
                }))
            .StartAsync();
        var client = host.GetTestClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/pay", UriKind.Relative)).WaitAsync(Cluster.Bound)).StatusCode);

        // Another instance holds the cluster's only permit: this one's local limit has room, yet the request is turned
        // away when its queue timeout passes.
        var other = new RedisTaskLimiterBudget("other", Cluster.Options(redis.Server, key, 1));
        await using (other)
        {
            using var otherLimiter = new TaskLimiter(new TaskLimiterOptions { Name = "other", MaxConcurrency = 1, Budget = other });
            using (await otherLimiter.AcquireAsync().AsTask().WaitAsync(Cluster.Bound))
            {
                var rejected = await client.GetAsync(new Uri("/pay", UriKind.Relative)).WaitAsync(Cluster.Bound);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, rejected.StatusCode);
            }
        }

        await Cluster.EventuallyAsync(
            async () => (await client.GetAsync(new Uri("/pay", UriKind.Relative))).StatusCode == HttpStatusCode.OK,
            "the request is admitted once the other instance gave its permit back");
        await host.StopAsync();
    }

    private sealed class GatedHandler(TaskCompletionSource inCall, TaskCompletionSource finish) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            inCall.TrySetResult();
            await finish.Task.WaitAsync(cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK);
        }
    }
}
