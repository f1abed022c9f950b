using System.Threading.Channels;

namespace LeakyOrders;

/// <summary>Fans order events out to subscribers.</summary>
public sealed class NotificationFeed(ILogger<NotificationFeed> logger)
{
    private readonly Channel<string> _events = Channel.CreateBounded<string>(1000);

    public bool Publish(string orderEvent) => _events.Writer.TryWrite(orderEvent);

    // LEAK (GOV3003): the writer is never completed, so this loop can only end by cancellation — and it takes none.
    public async Task PumpAsync()
    {
        await foreach (var orderEvent in _events.Reader.ReadAllAsync())
        {
            logger.LogInformation("notify {Event}", orderEvent);
        }
    }
}
