// The governed twin of samples/LeakyOrders: the same service with its work bounded, timed and observable.
// README.md shows the part between the snippet markers; a test keeps the two equal. Run: dotnet run --project samples/GovernedOrders
using System.Net;
using Governance;
using Governance.AspNetCore;

var builder = WebApplication.CreateBuilder(args);

// begin-snippet: aspnetcore
// Named limiters are the policies: validated at start-up, resized live when configuration reloads.
builder.Services.AddTaskLimiter("global", o => { o.MaxConcurrency = 200; o.QueueLimit = 400; o.QueueTimeout = TimeSpan.FromSeconds(1); });
builder.Services.AddTaskLimiter("orders", o => { o.MaxConcurrency = 50; o.QueueLimit = 100; o.QueueTimeout = TimeSpan.FromMilliseconds(500); });

builder.Services.Configure<TaskLimiterMiddlewareOptions>(o =>
{
    o.GlobalPolicy = "global";                       // every request holds a "global" slot
    o.RetryAfter = TimeSpan.FromSeconds(2);          // 503 + Retry-After: 2 when no slot frees in time
    o.LimitHeaderName = "X-Goroutine-Limit";         // the mesh lowers limits when a downstream degrades...
    o.IsTrustedSource = ctx =>                       // ...but only the sidecar is trusted, and it can only lower
        ctx.Connection.RemoteIpAddress is { } ip && IPAddress.IsLoopback(ip);
});

// Outbound: at most 20 concurrent calls to the payment provider, each bounded to 5 s.
builder.Services.AddHttpClient("payments", c => c.BaseAddress = new Uri("http://payments.invalid/"))
    .AddTaskLimiter(o => { o.MaxConcurrency = 20; o.QueueLimit = 50; o.QueueTimeout = TimeSpan.FromSeconds(1); },
        perCallTimeout: TimeSpan.FromSeconds(5));

// The article's SLOs as health: in flight per instance, queue length, rejection rate, work started per minute.
builder.Services.AddHealthChecks().AddGovernanceHealthChecks(o =>
{
    o.InFlightDegraded = 150;
    o.InFlightUnhealthy = 190;
    o.QueuedUnhealthy = 300;
    o.RejectionRateDegraded = 0.01;
    o.StartedPerMinuteDegraded = 60_000;
});

var app = builder.Build();
app.UseRouting();
app.UseTaskLimiter();
app.MapPost("/orders/batch", (Order[] orders) => Results.Accepted()).RequireTaskLimit("orders");
app.MapHealthChecks("/healthz");
// end-snippet

app.MapGet("/payments/{id}", async (string id, IHttpClientFactory clients, CancellationToken requestAborted) =>
{
    try
    {
        return Results.Ok(await clients.CreateClient("payments").GetStringAsync($"status/{id}", requestAborted));
    }
    catch (HttpRequestException)
    {
        return Results.Ok("unknown");
    }
    catch (LimiterRejectedException)
    {
        return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
    }
});

app.Run();

/// <summary>An order line as the batch endpoint receives it.</summary>
internal sealed record Order(string Id, string Sku, int Quantity);
