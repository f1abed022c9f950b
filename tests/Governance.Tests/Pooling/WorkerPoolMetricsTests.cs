using System.Diagnostics.Metrics;
using Governance;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Governance.Tests.Pooling;

public sealed class WorkerPoolMetricsTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    private IMeterFactory MeterFactory => _services.GetRequiredService<IMeterFactory>();

    public void Dispose() => _services.Dispose();

    [Fact]
    public async Task Gauges_ReportQueueBusyWorkersAndTotals()
    {
        using var queued = new MetricCollector<long>(MeterFactory, GovernanceMeter.MeterName, "governance.pool.queued");
        using var busy = new MetricCollector<long>(MeterFactory, GovernanceMeter.MeterName, "governance.pool.busy_workers");
        using var processed = new MetricCollector<long>(MeterFactory, GovernanceMeter.MeterName, "governance.pool.processed");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var pool = new WorkerPool<int>(async (item, _) =>
        {
            if (item == 0)
            {
                started.SetResult();
                await gate.Task;
            }
        }, new WorkerPoolOptions { Name = "mailer", Workers = 1, Capacity = 10, MeterFactory = MeterFactory });
        await pool.EnqueueAsync(0);
        await started.Task.Bounded();
        await pool.EnqueueAsync(1);
        await pool.EnqueueAsync(2);

        queued.RecordObservableInstruments();
        busy.RecordObservableInstruments();
        Assert.Equal(2, queued.LastMeasurement!.Value);
        Assert.Equal("mailer", queued.LastMeasurement.Tags[GovernanceMeter.PoolNameTag]);
        Assert.Equal(1, busy.LastMeasurement!.Value);

        gate.SetResult();
        await pool.CompleteAsync().Bounded();
        processed.RecordObservableInstruments();
        Assert.Equal(3, processed.LastMeasurement!.Value);
    }

    [Fact]
    public async Task QueueWait_ListenedWhenThePoolIsCreated_RecordsTheTimeItemsWaited()
    {
        var time = new FakeTimeProvider();
        using var queueWait = new MetricCollector<double>(MeterFactory, GovernanceMeter.MeterName, "governance.pool.queue_wait");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var pool = new WorkerPool<int>(async (item, _) =>
        {
            if (item == 0)
            {
                started.SetResult();
                await gate.Task;
            }
        }, new WorkerPoolOptions { Name = "mailer", Workers = 1, Capacity = 10, MeterFactory = MeterFactory, TimeProvider = time });
        await pool.EnqueueAsync(0);
        await started.Task.Bounded();
        await pool.EnqueueAsync(1);
        time.Advance(TimeSpan.FromMilliseconds(300));
        gate.SetResult();
        await pool.CompleteAsync().Bounded();

        var waits = queueWait.GetMeasurementSnapshot().Select(m => m.Value).Order().ToArray();
        Assert.Equal(2, waits.Length);
        Assert.Equal(0, waits[0], precision: 6);
        Assert.Equal(0.3, waits[1], precision: 6);
    }
}
