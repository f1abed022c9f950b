namespace LeakyOrders;

/// <summary>Starts the background work when the service starts — and never stops it.</summary>
public sealed class StartPollers(PaymentReconciler payments, InventoryRefresher inventory, NotificationFeed feed) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        inventory.Start();
        _ = payments.ReconcileForeverAsync();
        _ = feed.PumpAsync();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
