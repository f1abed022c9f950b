using System.Diagnostics.Metrics;
using Governance;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Governance.Tests.Ticking;

public sealed class TickerStateMachineMetricsTests : IDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    // Each test gets its own meter through its own IMeterFactory, so tests running in parallel never see each other.
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeTimeProvider _time = new();

    private IMeterFactory MeterFactory => _services.GetRequiredService<IMeterFactory>();

    public void Dispose() => _services.Dispose();

    private TestMachine Create(string name, int eventCapacity = 16) => new(new TickerStateMachineOptions
    {
        Name = name,
        Period = Period,
        EventCapacity = eventCapacity,
        TimeProvider = _time,
        MeterFactory = MeterFactory,
    });

    [Fact]
    public async Task Instruments_CountTicksEventsFailuresRejectionsAndAbandonedEvents()
    {
        using var ticks = Collect("governance.ticker.ticks");
        using var coalesced = Collect("governance.ticker.coalesced_ticks");
        using var events = Collect("governance.ticker.events");
        using var pending = Collect("governance.ticker.pending_events");
        using var failures = Collect("governance.ticker.failures");
        using var rejected = Collect("governance.ticker.rejected_events");
        using var abandoned = Collect("governance.ticker.abandoned_events");
        await using var machine = Create("orders", eventCapacity: 3);
        var tickGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tickCount = 0;
        machine.Tick = _ => ++tickCount == 1 ? new ValueTask(tickGate.Task) : throw new InvalidOperationException("second tick fails");
        machine.Event = (e, ct) => e == 2 ? throw new InvalidOperationException("event 2 fails") : default;

        await machine.StartAsync();
        _time.Advance(Period);
        Assert.Equal("tick", await TestMachine.NextAsync(machine.Started));
        _time.Advance(Period); // pending
        _time.Advance(Period); // coalesced
        machine.Post(1);
        machine.Post(2);
        machine.Post(3);
        Assert.False(machine.Post(4)); // full

        pending.RecordObservableInstruments();
        Assert.Equal(3, Latest(pending, "orders"));

        tickGate.SetResult();
        Assert.Equal(["tick", "tick", "event:1", "event:2", "event:3"], await TestMachine.NextAsync(machine.Ended, 5));
        Assert.Equal(["tick", "event:1", "event:2", "event:3"], await TestMachine.NextAsync(machine.Started, 4));

        // Stop cut short while event 5 runs: 6 and 7 are abandoned.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        machine.Event = (e, _) => e == 5 ? new ValueTask(release.Task) : default;
        machine.Post(5);
        Assert.Equal("event:5", await TestMachine.NextAsync(machine.Started));
        machine.Post(6);
        machine.Post(7);
        await machine.StopAsync(new CancellationToken(canceled: true)).Bounded();
        release.SetResult();
        await machine.Completion.Bounded();
        Assert.False(machine.Post(8)); // stopped

        foreach (var collector in new[] { ticks, coalesced, events, pending, failures, rejected, abandoned })
        {
            collector.RecordObservableInstruments();
        }

        Assert.Equal(2, Latest(ticks, "orders"));
        Assert.Equal(1, Latest(coalesced, "orders"));
        Assert.Equal(4, Latest(events, "orders"));
        Assert.Equal(0, Latest(pending, "orders"));
        Assert.Equal(2, Latest(abandoned, "orders"));
        Assert.Equal(1, Latest(failures, "orders", GovernanceMeter.TickerHandlerTag, "tick"));
        Assert.Equal(1, Latest(failures, "orders", GovernanceMeter.TickerHandlerTag, "event"));
        Assert.Equal(1, Latest(rejected, "orders", GovernanceMeter.RejectionReasonTag, "queue_full"));
        Assert.Equal(1, Latest(rejected, "orders", GovernanceMeter.RejectionReasonTag, "stopped"));
    }

    [Fact]
    public async Task Instruments_AreTaggedPerMachine()
    {
        using var pending = Collect("governance.ticker.pending_events");
        await using var orders = Create("orders");
        await using var payments = Create("payments");
        orders.Post(1);
        orders.Post(2);
        payments.Post(1);

        pending.RecordObservableInstruments();
        Assert.Equal(2, Latest(pending, "orders"));
        Assert.Equal(1, Latest(pending, "payments"));
    }

    [Fact]
    public async Task DisposedMachine_LeavesTheInstruments()
    {
        using var events = Collect("governance.ticker.events");
        var machine = Create("short-lived");
        await machine.StartAsync();
        await machine.DisposeAsync();

        events.RecordObservableInstruments();
        Assert.DoesNotContain(events.GetMeasurementSnapshot(), m => (string?)m.Tags[GovernanceMeter.TickerNameTag] == "short-lived");
    }

    [Fact]
    public async Task ManyMachines_ShareOneSetOfInstrumentsPerMeter()
    {
        var published = new List<Instrument>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == GovernanceMeter.MeterName && instrument.Meter.Scope == MeterFactory)
                {
                    lock (published)
                    {
                        published.Add(instrument);
                    }
                }
            },
        };
        listener.Start();

        for (var i = 0; i < 20; i++)
        {
            await using var machine = Create($"dynamic-{i}");
        }

        lock (published)
        {
            Assert.Equal(published.Count, published.Select(i => i.Name).Distinct().Count());
            Assert.Contains(published, i => i.Name == "governance.ticker.events");
        }
    }

    private MetricCollector<long> Collect(string instrument) => new(MeterFactory, GovernanceMeter.MeterName, instrument);

    private static long Latest(MetricCollector<long> collector, string machineName, string? tag = null, string? tagValue = null) =>
        collector.GetMeasurementSnapshot().Last(m =>
            (string?)m.Tags[GovernanceMeter.TickerNameTag] == machineName && (tag is null || (string?)m.Tags[tag] == tagValue)).Value;
}
