namespace LeakyOrders;

/// <summary>Fulfils orders — one task per order, as the article's batch processor did.</summary>
public sealed class OrderFulfilment(ILogger<OrderFulfilment> logger)
{
    // LEAK (GOV1001): a task per order, never awaited and never bounded. A 50,000-line batch starts 50,000 tasks.
    public void FulfilInBackground(IEnumerable<Order> orders)
    {
        foreach (var order in orders)
        {
            _ = Task.Run(() => ShipAsync(order));
        }
    }

    // LEAK (GOV1002): awaited together, but all started at once — fine for ten orders, an outage for fifty thousand.
    public async Task ReserveStockAsync(IReadOnlyCollection<Order> orders)
    {
        await Task.WhenAll(orders.Select(order => ReserveAsync(order)));
    }

    private async Task ShipAsync(Order order)
    {
        await Task.Delay(TimeSpan.FromSeconds(3)); // the carrier's booking call answers in about three seconds
        logger.LogInformation("shipped {OrderId}", order.Id);
    }

    private static Task ReserveAsync(Order order) => Task.Delay(10);
}
