namespace LeakyOrders;

/// <summary>Polls the carrier for shipment updates while the service runs.</summary>
public sealed class ShipmentTracker(ILogger<ShipmentTracker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            logger.LogDebug("polling the carrier for shipment updates");
            Track();

            // LEAK (GOV1004): polling with Task.Delay and no token: stopping the service waits out the delay.
            await Task.Delay(TimeSpan.FromSeconds(30));
        }
    }

    private void Track() => logger.LogInformation("shipments up to date");
}
