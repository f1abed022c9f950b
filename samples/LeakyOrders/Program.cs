using LeakyOrders;

// Order fulfilment and payment reconciliation, written the way task-heavy services often are — and leaking work in
// every way Governance knows. README.md lists each leak; `governance scan samples/LeakyOrders` finds them.
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddSingleton<OrderFulfilment>();
builder.Services.AddSingleton<PaymentReconciler>();
builder.Services.AddSingleton<InventoryRefresher>();
builder.Services.AddSingleton<AuditTrail>();
builder.Services.AddSingleton<NotificationFeed>();
builder.Services.AddHostedService<StartPollers>();
builder.Services.AddHostedService<ShipmentTracker>();

var app = builder.Build();

app.MapPost("/orders/batch", async (Order[] orders, OrderFulfilment fulfilment, AuditTrail audit) =>
{
    audit.Record($"batch of {orders.Length}");
    fulfilment.FulfilInBackground(orders);
    await fulfilment.ReserveStockAsync(orders);
    return Results.Accepted();
});

app.MapGet("/payments/{id}", async (string id, PaymentReconciler payments, CancellationToken requestAborted) =>
    Results.Ok(await payments.GetStatusAsync(id, requestAborted)));

app.Run();
