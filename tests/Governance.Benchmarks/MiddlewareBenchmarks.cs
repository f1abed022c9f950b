using System.Threading.RateLimiting;
using BenchmarkDotNet.Attributes;
using Governance.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Governance.Benchmarks;

/// <summary>
/// Per-request overhead of limiting an endpoint with a concurrency policy: the Governance middleware against ASP.NET
/// Core's rate-limiting middleware with a ConcurrencyLimiter policy. The pipeline is invoked directly (no server, no
/// sockets) with an endpoint carrying the policy's metadata, so only the middleware's own cost differs.
/// </summary>
[MemoryDiagnoser]
public class MiddlewareBenchmarks
{
    private RequestDelegate _bare = null!;
    private RequestDelegate _taskLimiter = null!;
    private RequestDelegate _rateLimiting = null!;
    private Endpoint _taskLimitEndpoint = null!;
    private Endpoint _rateLimitEndpoint = null!;

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddTaskLimiter("orders", o => o.MaxConcurrency = 100);
        services.AddRateLimiter(o => o.AddConcurrencyLimiter("orders", c => { c.PermitLimit = 100; c.QueueLimit = 0; }));
        var provider = services.BuildServiceProvider();

        _bare = Build(provider, _ => { });
        _taskLimiter = Build(provider, app => app.UseTaskLimiter());
        _rateLimiting = Build(provider, app => app.UseRateLimiter());
        _taskLimitEndpoint = new Endpoint(_ => Task.CompletedTask, new EndpointMetadataCollection(new TaskLimitAttribute("orders")), "orders");
        _rateLimitEndpoint = new Endpoint(_ => Task.CompletedTask, new EndpointMetadataCollection(new EnableRateLimitingAttribute("orders")), "orders");
    }

    [Benchmark(Baseline = true)]
    public Task NoLimiting() => _bare(Context(_taskLimitEndpoint));

    [Benchmark]
    public Task GovernanceTaskLimiterMiddleware() => _taskLimiter(Context(_taskLimitEndpoint));

    [Benchmark]
    public Task AspNetCoreRateLimiterMiddleware_ConcurrencyLimiter() => _rateLimiting(Context(_rateLimitEndpoint));

    private static RequestDelegate Build(IServiceProvider provider, Action<IApplicationBuilder> configure)
    {
        var app = new ApplicationBuilder(provider);
        configure(app);
        app.Run(static _ => Task.CompletedTask);
        return app.Build();
    }

    private static DefaultHttpContext Context(Endpoint endpoint)
    {
        var context = new DefaultHttpContext();
        context.SetEndpoint(endpoint);
        return context;
    }
}
