using System.Threading.Channels;

namespace LeakyOrders;

/// <summary>Collects audit entries "to be shipped to the audit store later".</summary>
public sealed class AuditTrail
{
    // LEAK (GOV3001 and GOV3002): written on every request, never read, and unbounded: it only grows.
    private readonly Channel<string> _entries = Channel.CreateUnbounded<string>();

    public void Record(string entry) => _entries.Writer.TryWrite($"{DateTimeOffset.UtcNow:O} {entry}");
}
