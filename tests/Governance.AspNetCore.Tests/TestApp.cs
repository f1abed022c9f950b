using Governance.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Governance.AspNetCore.Tests;

/// <summary>An in-process app whose endpoints block on a gate until the test opens it.</summary>
internal sealed class TestApp : IAsyncDisposable
{
    private TestApp(IHost host, Gate gate)
    {
        Host = host;
        Gate = gate;
        Client = host.GetTestClient();
    }

    internal IHost Host { get; }

    internal Gate Gate { get; }

    internal HttpClient Client { get; }

    internal IServiceProvider Services => Host.Services;

    internal static async Task<TestApp> StartAsync(Action<IServiceCollection> services, Action<TaskLimiterMiddlewareOptions>? middleware = null)
    {
        var gate = new Gate();
        var host = await new HostBuilder()
            .ConfigureWebHost(web => web
                .UseTestServer()
                .ConfigureServices(s =>
                {
                    s.AddSingleton(gate);
                    s.AddRouting();
                    s.AddControllers().AddApplicationPart(typeof(OrdersController).Assembly);
                    services(s);
                    s.Configure<TaskLimiterMiddlewareOptions>(o => middleware?.Invoke(o));
                })
                .Configure(app =>
                {
                    app.UseRouting();
                    app.UseTaskLimiter();
                    app.UseEndpoints(endpoints =>
                    {
                        endpoints.MapGet("/limited", (Gate g) => g.PassAsync()).RequireTaskLimit("orders");
                        endpoints.MapGet("/open", (Gate g) => g.PassAsync());
                        endpoints.MapControllers();
                    });
                }))
            .StartAsync();
        return new TestApp(host, gate);
    }

    internal Task<HttpResponseMessage> GetAsync(string path, int? limitHeader = null, CancellationToken cancellationToken = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        if (limitHeader is { } limit)
        {
            request.Headers.Add("X-Concurrency-Limit", limit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return Client.SendAsync(request, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        Gate.Open();
        Client.Dispose();
        await Host.StopAsync();
        Host.Dispose();
    }
}

/// <summary>Requests wait here until the test opens the gate; the gate counts who entered.</summary>
public sealed class Gate
{
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _entered;

    public int Entered => Volatile.Read(ref _entered);

    public void Open() => _open.TrySetResult();

    public async Task<IResult> PassAsync()
    {
        Interlocked.Increment(ref _entered);
        await _open.Task;
        return Results.Ok("done");
    }
}

/// <summary>A controller under a policy through the attribute.</summary>
[ApiController]
[Route("controller")]
[TaskLimit("orders")]
public sealed class OrdersController : ControllerBase
{
    [HttpGet]
    public async Task<IActionResult> Get([FromServices] Gate gate)
    {
        await gate.PassAsync();
        return Ok("done");
    }
}
