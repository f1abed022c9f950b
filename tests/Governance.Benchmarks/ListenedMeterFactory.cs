using System.Diagnostics.Metrics;

namespace Governance.Benchmarks;

/// <summary>
/// A meter factory whose meters are listened to, with every measurement delivered to a no-op callback: the cost of
/// metrics when somebody collects them. Scoped to this factory so that the other benchmarks run with no listener.
/// </summary>
internal sealed class ListenedMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];
    private readonly MeterListener _listener = new();

    public ListenedMeterFactory()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == this)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>(static (_, _, _, _) => { });
        _listener.SetMeasurementEventCallback<double>(static (_, _, _, _) => { });
        _listener.Start();
    }

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
        _meters.Add(meter);
        _listener.RecordObservableInstruments();
        return meter;
    }

    public void Dispose()
    {
        _listener.Dispose();
        _meters.ForEach(m => m.Dispose());
    }
}
