using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Governance.AspNetCore.Tests;

/// <summary>The middleware on a real Kestrel socket under a bounded burst at ten times its capacity.</summary>
public sealed class KestrelBurstTests(ITestOutputHelper output)
{
    private const int Limit = 20;
    private const int QueueLimit = 20;
    private const int Requests = 2_000;
    private const int ClientConcurrency = (Limit + QueueLimit) * 10;

    [Fact]
    public async Task Burst_NeverExceedsTheLimit_AndEveryRequestIsAnswered()
    {
        var inFlight = 0;
        var maxInFlight = 0;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Services.AddTaskLimiter("orders", o =>
        {
            o.MaxConcurrency = Limit;
            o.QueueLimit = QueueLimit;
            o.QueueTimeout = TimeSpan.FromMilliseconds(250);
        });
        await using var app = builder.Build();
        app.UseRouting();
        app.UseTaskLimiter();
        app.MapGet("/orders", async () =>
        {
            var now = Interlocked.Increment(ref inFlight);
            lock (app)
            {
                maxInFlight = Math.Max(maxInFlight, now);
            }

            try
            {
                await Task.Delay(2);
                return Results.Ok();
            }
            finally
            {
                Interlocked.Decrement(ref inFlight);
            }
        }).RequireTaskLimit("orders");
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = ClientConcurrency })
        {
            BaseAddress = new Uri(address),
            Timeout = TimeSpan.FromSeconds(30),
        };
        var outcomes = new ConcurrentDictionary<string, int>();
        await Parallel.ForEachAsync(
            Enumerable.Range(0, Requests),
            new ParallelOptions { MaxDegreeOfParallelism = ClientConcurrency },
            async (_, ct) =>
            {
                using var response = await client.GetAsync(new Uri("/orders", UriKind.Relative), ct);
                var outcome = response.StatusCode switch
                {
                    HttpStatusCode.OK => "200",
                    HttpStatusCode.ServiceUnavailable when response.Headers.RetryAfter is not null => "503+Retry-After",
                    var other => ((int)other).ToString(System.Globalization.CultureInfo.InvariantCulture),
                };
                outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
            }).WaitAsync(TimeSpan.FromSeconds(120));

        await app.StopAsync();
        output.WriteLine($"max in flight {maxInFlight}; " + string.Join(", ", outcomes.Select(o => $"{o.Key}: {o.Value}")));
        Assert.InRange(maxInFlight, 1, Limit);
        Assert.Equal(Requests, outcomes.Values.Sum());
        Assert.DoesNotContain(outcomes.Keys, k => k is not ("200" or "503+Retry-After"));
        Assert.True(outcomes.GetValueOrDefault("200") > 0, "some requests must have been served");
    }
}
