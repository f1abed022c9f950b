namespace LeakyOrders;

/// <summary>Refreshes the stock cache on a timer.</summary>
public sealed class InventoryRefresher(ILogger<InventoryRefresher> logger)
{
    // LEAK (GOV2001): a timer in a field that nothing ever disposes or stops.
    private System.Threading.Timer? _refresh;

    public void Start()
    {
        _refresh = new System.Threading.Timer(_ => logger.LogDebug("stock refreshed"), null, TimeSpan.Zero, TimeSpan.FromSeconds(10));

        // LEAK (GOV2002): a timer nobody references — it can never be stopped, and the GC may silently collect it.
        new System.Threading.Timer(_ => logger.LogDebug("warehouse heartbeat"), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
    }
}
