using System.Diagnostics.Metrics;
using Governance;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Governance.AspNetCore.Tests;

/// <summary>A meter factory of its own, so a test sees exactly the limiters it created.</summary>
internal sealed class TestMeters : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    internal IMeterFactory Factory => _services.GetRequiredService<IMeterFactory>();

    /// <summary>How many live limiters whose name starts with <paramref name="prefix"/> publish on this factory's meter.</summary>
    internal int LiveLimitersNamed(string prefix)
    {
        using var collector = new MetricCollector<long>(Factory, GovernanceMeter.MeterName, "governance.limiter.limit");
        collector.RecordObservableInstruments();
        return collector.GetMeasurementSnapshot()
            .Select(m => (string?)m.Tags[GovernanceMeter.LimiterNameTag])
            .Count(name => name is not null && name.StartsWith(prefix, StringComparison.Ordinal));
    }

    /// <summary>How many callers wait now in the queue of the limiter named <paramref name="name"/> on this factory's meter.</summary>
    internal long QueuedIn(string name)
    {
        using var collector = new MetricCollector<long>(Factory, GovernanceMeter.MeterName, "governance.limiter.queued");
        collector.RecordObservableInstruments();
        return collector.GetMeasurementSnapshot()
            .Where(m => (string?)m.Tags[GovernanceMeter.LimiterNameTag] == name)
            .Sum(m => m.Value);
    }

    public void Dispose() => _services.Dispose();
}
