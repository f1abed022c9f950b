// The governed twin of samples/LeakyOrders: the same service with its work bounded, timed and observable.
// README.md shows the part between the snippet markers; a test keeps the two equal. Run: dotnet run --project samples/GovernedOrders
using System.Net;
using Governance;
using Governance.AspNetCore;
using OpenTelemetry.Metrics;

var builder = WebApplication.CreateBuilder(args);

// Diagnosis in process: the thread pool's dispatch delay, measured every second, and every Governance instrument
// (live and started units, dispatch delay, limiters) exported for Prometheus at /metrics, as an autoscaler scrapes it.
builder.Services.AddThreadPoolDispatchProbe();
builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(GovernanceMeter.MeterName).AddPrometheusExporter());
builder.Services.AddSingleton<Confirmations>();

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
    o.LiveUnitsDegraded = 500;                                   // per instance: under 500 live governed units,
    o.UnitsStartedPerMinuteDegraded = 1_000;                     // under 1,000 started per minute,
    o.DispatchDelayP99Degraded = TimeSpan.FromMilliseconds(1.5); // and the thread pool's dispatch P99 under 1.5 ms
});

var app = builder.Build();
app.UseRouting();
app.UseTaskLimiter();
app.MapPost("/orders/batch", (Order[] orders) => Results.Accepted()).RequireTaskLimit("orders");
app.MapHealthChecks("/healthz");
// end-snippet

// The task census, grouped by creation site (?debug=1), unit by unit (?debug=2) or as JSON (?format=json): loopback
// callers only, every other caller gets 404. /metrics is for the scraper, from wherever it runs.
app.MapTaskDiagnostics("/debug/tasks");
app.MapPrometheusScrapingEndpoint();

// Each accepted order's confirmation mail goes out in the background (see Confirmations). The endpoint labels the work
// it starts, as pprof.Do does: a label low in cardinality, the endpoint, never the order id.
app.MapPost("/orders/{id}/confirm", (string id, Confirmations confirmations) =>
{
    using (TaskCensus.WithLabels("endpoint", "confirm"))
    {
        confirmations.Send(id);
    }

    return Results.Accepted();
}).RequireTaskLimit("orders");

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

/// <summary>
/// Sends order confirmations without making the caller wait: fire-and-forget work that stays visible, because it is
/// started with Governed.Run rather than <c>_ = Task.Run(...)</c>: /debug/tasks lists each mail, with where it was
/// started and its labels, until it is sent.
/// </summary>
internal sealed class Confirmations(IHostApplicationLifetime lifetime)
{
    public void Send(string orderId) => _ = Governed.Run(ct => SendMailAsync(orderId, ct), lifetime.ApplicationStopping);

    // Stands in for the mail provider's API: a call that takes a moment and stops when the application does.
    private static async Task SendMailAsync(string orderId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(orderId);
        await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
    }
}
