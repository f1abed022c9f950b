using Governance;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Governance.Tests.Ticking;

public sealed class TickerStateMachineTests
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    private readonly FakeTimeProvider _time = new();

    private TestMachine Create(int eventCapacity = 16, bool stopOnError = false, ILogger? logger = null) =>
        new(new TickerStateMachineOptions
        {
            Name = "test",
            Period = Period,
            EventCapacity = eventCapacity,
            TimeProvider = _time,
            StopOnError = stopOnError,
            Logger = logger,
        });

    [Fact]
    public async Task Ticks_EachPeriod_RunTheTickHandlerOnce()
    {
        await using var machine = Create();
        await machine.StartAsync();

        for (var i = 1; i <= 3; i++)
        {
            _time.Advance(Period);
            Assert.Equal("tick", await TestMachine.NextAsync(machine.Ended));
            Assert.Equal(i, machine.GetStatistics().TicksHandled);
        }

        await machine.StopAsync().Bounded();
        Assert.Equal(3, machine.GetStatistics().TicksHandled);
        Assert.Equal(0, machine.GetStatistics().TicksCoalesced);
    }

    [Fact]
    public async Task Ticks_WithTheSystemClock_Fire()
    {
        // The one test on real time: the default TimeProvider's timer must drive the loop too. It waits for ticks, never
        // for their timing.
        await using var machine = new TestMachine(new TickerStateMachineOptions { Period = TimeSpan.FromMilliseconds(10) });
        await machine.StartAsync();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("tick", await TestMachine.NextAsync(machine.Ended));
        }
    }

    [Fact]
    public async Task Ticks_BeforeTheFirstPeriod_DoNotRun()
    {
        await using var machine = Create();
        await machine.StartAsync();
        _time.Advance(Period - TimeSpan.FromTicks(1));

        // The loop handles in order, so once this event is handled any tick due before it would have run.
        Assert.True(machine.Post(1));
        Assert.Equal("event:1", await TestMachine.NextAsync(machine.Ended));
        Assert.Equal(0, machine.GetStatistics().TicksHandled);

        _time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal("tick", await TestMachine.NextAsync(machine.Ended));
    }

    [Fact]
    public async Task SlowTick_FiringsMeanwhile_CoalesceIntoOnePendingTick()
    {
        await using var machine = Create();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ticks = 0;
        machine.Tick = _ => ++ticks == 1 ? new ValueTask(gate.Task) : default;
        await machine.StartAsync();

        _time.Advance(Period);
        Assert.Equal("tick", await TestMachine.NextAsync(machine.Started));

        // Five more periods pass while the first tick runs: one becomes the pending tick, four merge into it.
        for (var i = 0; i < 5; i++)
        {
            _time.Advance(Period);
        }

        Assert.Equal(4, machine.GetStatistics().TicksCoalesced);
        gate.SetResult();
        Assert.Equal("tick", await TestMachine.NextAsync(machine.Ended));
        Assert.Equal("tick", await TestMachine.NextAsync(machine.Started));
        Assert.Equal("tick", await TestMachine.NextAsync(machine.Ended));

        await machine.StopAsync().Bounded();
        var statistics = machine.GetStatistics();
        Assert.Equal(2, statistics.TicksHandled);
        Assert.Equal(4, statistics.TicksCoalesced);
        Assert.Equal(1, machine.MaxInFlight);
    }

    [Fact]
    public async Task TicksAndEvents_NeverRunConcurrently()
    {
        await using var machine = Create(eventCapacity: 1000);
        machine.Tick = async _ => await Task.Yield();
        machine.Event = async (_, _) => await Task.Yield();
        await machine.StartAsync();

        // Posters on two threads while time advances on a third: ticks and events contend for the loop.
        var posters = Enumerable.Range(0, 2).Select(p => Task.Run(async () =>
        {
            for (var i = 0; i < 300; i++)
            {
                await machine.PostAsync(p * 1000 + i);
            }
        })).ToArray();
        var clock = Task.Run(() =>
        {
            for (var i = 0; i < 100; i++)
            {
                _time.Advance(Period);
            }
        });
        await Task.WhenAll(posters.Append(clock)).Bounded();

        // A pending tick always runs before the loop goes idle, so every firing ends up run or merged; wait for the
        // last one rather than racing the stop (which skips a pending tick).
        using (var timeout = new CancellationTokenSource(TaskTestExtensions.Limit))
        {
            while (machine.GetStatistics() is var s && s.TicksHandled + s.TicksCoalesced < 100)
            {
                await Task.Delay(1, timeout.Token);
            }
        }

        await machine.StopAsync().Bounded();

        var statistics = machine.GetStatistics();
        Assert.Equal(600, statistics.EventsHandled);
        Assert.InRange(statistics.TicksHandled, 1, 100);
        Assert.Equal(100, statistics.TicksHandled + statistics.TicksCoalesced);
        Assert.Equal(1, machine.MaxInFlight);
    }

    [Fact]
    public async Task EventFlood_PendingTick_RunsBeforeTheNextEvent()
    {
        await using var machine = Create(eventCapacity: 100);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        machine.Event = (e, _) => e == 0 ? new ValueTask(gate.Task) : default;
        for (var i = 0; i < 100; i++)
        {
            Assert.True(machine.Post(i));
        }

        await machine.StartAsync();
        Assert.Equal("event:0", await TestMachine.NextAsync(machine.Started));
        Assert.True(machine.Post(100)); // the handler took event 0, so there was room for one more
        Assert.False(machine.Post(101));
        _time.Advance(Period);
        gate.SetResult();

        Assert.Equal("event:0", await TestMachine.NextAsync(machine.Ended));
        Assert.Equal("tick", await TestMachine.NextAsync(machine.Ended));
        Assert.Equal("event:1", await TestMachine.NextAsync(machine.Ended));
    }

    [Fact]
    public async Task EventFlood_TickEveryOtherEvent_IsNeverStarved()
    {
        await using var machine = Create(eventCapacity: 100);
        for (var i = 0; i < 100; i++)
        {
            Assert.True(machine.Post(i));
        }

        // Each event handler lets one period pass: the next tick is due before the next event, every time.
        machine.Event = (_, _) =>
        {
            _time.Advance(Period);
            return default;
        };
        await machine.StartAsync();

        var order = new List<string>();
        for (var i = 0; i < 199; i++)
        {
            order.Add(await TestMachine.NextAsync(machine.Ended));
        }

        for (var i = 0; i < order.Count; i++)
        {
            Assert.Equal(i % 2 == 0 ? $"event:{i / 2}" : "tick", order[i]);
        }
    }

    [Fact]
    public async Task EventHandlerFailure_ByDefault_IsReportedAndTheLoopGoesOn()
    {
        var logger = new FakeLogger();
        await using var machine = Create(logger: logger);
        var failure = new InvalidOperationException("event 1 failed");
        machine.Event = (e, _) => e == 1 ? throw failure : default;
        await machine.StartAsync();
        machine.Post(1);
        machine.Post(2);
        Assert.Equal("event:1", await TestMachine.NextAsync(machine.Ended));
        Assert.Equal("event:2", await TestMachine.NextAsync(machine.Ended));
        await machine.StopAsync().Bounded();

        var statistics = machine.GetStatistics();
        Assert.Equal(2, statistics.EventsHandled);
        Assert.Equal(1, statistics.EventFailures);
        Assert.Equal(0, statistics.TickFailures);
        Assert.True(machine.Completion.IsCompletedSuccessfully);
        var seen = Assert.Single(machine.FailuresSeen);
        Assert.Equal(1, seen.Event);
        Assert.Same(failure, seen.Exception);
        var logged = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal(LogLevel.Error, logged.Level);
        Assert.Same(failure, logged.Exception);
        Assert.Contains("'test'", logged.Message, StringComparison.Ordinal);
        Assert.Contains("event handler failed", logged.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TickHandlerFailure_ByDefault_IsReportedAndTheNextTickRuns()
    {
        await using var machine = Create();
        var ticks = 0;
        machine.Tick = _ => ++ticks == 1 ? throw new InvalidOperationException("tick failed") : default;
        await machine.StartAsync();
        _time.Advance(Period);
        Assert.Equal("tick", await TestMachine.NextAsync(machine.Ended));
        _time.Advance(Period);
        Assert.Equal("tick", await TestMachine.NextAsync(machine.Ended));
        await machine.StopAsync().Bounded();

        Assert.Equal(2, machine.GetStatistics().TicksHandled);
        Assert.Equal(1, machine.GetStatistics().TickFailures);
        var seen = Assert.Single(machine.FailuresSeen);
        Assert.Null(seen.Event);
        Assert.IsType<InvalidOperationException>(seen.Exception);
    }

    [Fact]
    public async Task HandlerFailure_StopOnError_StopsAbandonsTheQueueAndSurfacesTheFailure()
    {
        var logger = new FakeLogger();
        await using var machine = Create(stopOnError: true, logger: logger);
        var failure = new InvalidOperationException("event 1 failed");
        machine.Event = (e, _) => e == 1 ? throw failure : default;
        machine.Post(1);
        machine.Post(2);
        machine.Post(3);
        await machine.StartAsync();

        var completed = await Assert.ThrowsAsync<InvalidOperationException>(() => machine.Completion.Bounded());
        Assert.Same(failure, completed);
        Assert.Same(failure, await Assert.ThrowsAsync<InvalidOperationException>(() => machine.StopAsync()));
        Assert.False(machine.Post(4));

        var statistics = machine.GetStatistics();
        Assert.Equal(1, statistics.EventsHandled);
        Assert.Equal(1, statistics.EventFailures);
        Assert.Equal(2, statistics.EventsAbandoned);
        Assert.Equal(1, statistics.RejectedStopped);
        Assert.Equal(0, statistics.PendingEvents);
        Assert.Single(machine.FailuresSeen);
        Assert.Contains(logger.Collector.GetSnapshot(), r => r.Message.Contains("StopOnError", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TickHandlerFailure_StopOnError_StopsTheMachine()
    {
        await using var machine = Create(stopOnError: true);
        machine.Tick = _ => throw new TimeoutException("tick failed");
        await machine.StartAsync();
        _time.Advance(Period);

        await Assert.ThrowsAsync<TimeoutException>(() => machine.Completion.Bounded());
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await machine.PostAsync(1));
    }

    [Fact]
    public async Task ErrorHookThrows_IsLoggedAndTheLoopGoesOn()
    {
        var logger = new FakeLogger();
        await using var machine = new ThrowingHookMachine(new TickerStateMachineOptions { Period = Period, TimeProvider = _time, Logger = logger });
        await machine.StartAsync();
        machine.Post(1);
        machine.Post(2);
        await machine.StopAsync().Bounded();

        Assert.Equal(2, machine.GetStatistics().EventFailures);
        Assert.True(machine.Completion.IsCompletedSuccessfully);
        Assert.Equal(2, logger.Collector.GetSnapshot().Count(r => r.Message.Contains("OnEventFailed threw", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task SetPeriod_WhileRunning_TheNextTickComesOneNewPeriodLater()
    {
        await using var machine = Create();
        await machine.StartAsync();
        _time.Advance(Period);
        Assert.Equal("tick", await TestMachine.NextAsync(machine.Ended));

        machine.SetPeriod(TimeSpan.FromSeconds(5));
        Assert.Equal(TimeSpan.FromSeconds(5), machine.Period);
        machine.WaitUntilAsleep();
        _time.Advance(TimeSpan.FromSeconds(4));

        // The fake clock fires timers inside Advance, and a firing rings the loop awake: still asleep means no tick.
        Assert.True(machine.IsLoopSleeping);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("tick", await TestMachine.NextAsync(machine.Ended));
        Assert.Equal(2, machine.GetStatistics().TicksHandled);
    }

    [Fact]
    public async Task SetPeriod_BeforeStart_IsThePeriodTheTimerStartsWith()
    {
        await using var machine = Create();
        machine.SetPeriod(TimeSpan.FromSeconds(3));
        await machine.StartAsync();
        machine.WaitUntilAsleep();
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(machine.IsLoopSleeping);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("tick", await TestMachine.NextAsync(machine.Ended));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void SetPeriod_NotPositive_ThrowsAndKeepsThePeriod(long ticks)
    {
        var machine = Create();
        Assert.Throws<ArgumentOutOfRangeException>(() => machine.SetPeriod(TimeSpan.FromTicks(ticks)));
        Assert.Equal(Period, machine.Period);
    }

    [Fact]
    public async Task PostAndPostAsync_WhileTheLoopIdles_WakeIt()
    {
        await using var machine = Create();
        await machine.StartAsync();

        // Each round waits until the loop is asleep on an empty queue before the next event or tick arrives, so every
        // arrival must ring the doorbell; a loop that never slept would fail here instead of passing by luck.
        for (var i = 0; i < 20; i++)
        {
            machine.WaitUntilAsleep();
            Assert.True(machine.Post(i));
            Assert.Equal($"event:{i}", await TestMachine.NextAsync(machine.Ended));
            machine.WaitUntilAsleep();
            await machine.PostAsync(-i);
            Assert.Equal($"event:{-i}", await TestMachine.NextAsync(machine.Ended));
            machine.WaitUntilAsleep();
            _time.Advance(Period);
            Assert.Equal("tick", await TestMachine.NextAsync(machine.Ended));
        }
    }

    [Fact]
    public async Task Post_QueueFull_ReturnsFalseAndCountsTheRejection()
    {
        await using var machine = Create(eventCapacity: 2);
        Assert.True(machine.Post(1));
        Assert.True(machine.Post(2));
        Assert.False(machine.Post(3));

        var statistics = machine.GetStatistics();
        Assert.Equal(2, statistics.PendingEvents);
        Assert.Equal(1, statistics.RejectedFull);
        Assert.Equal(0, statistics.RejectedStopped);

        await machine.StartAsync();
        await machine.StopAsync().Bounded();
        Assert.Equal(2, machine.GetStatistics().EventsHandled);
    }

    [Fact]
    public async Task PostAsync_QueueFull_WaitsForRoomThenQueuesInOrder()
    {
        await using var machine = Create(eventCapacity: 1);
        var first = machine.PostAsync(1);
        Assert.True(first.IsCompletedSuccessfully);
        var second = machine.PostAsync(2).AsTask();
        var third = machine.PostAsync(3).AsTask();
        Assert.False(second.IsCompleted);
        Assert.False(third.IsCompleted);

        await machine.StartAsync();
        await Task.WhenAll(second, third).Bounded();
        Assert.Equal("event:1", await TestMachine.NextAsync(machine.Ended));
        Assert.Equal("event:2", await TestMachine.NextAsync(machine.Ended));
        Assert.Equal("event:3", await TestMachine.NextAsync(machine.Ended));
        Assert.Equal(0, machine.GetStatistics().RejectedFull);
    }

    [Fact]
    public async Task PostAsync_CanceledWhileWaiting_ThrowsAndDoesNotQueue()
    {
        await using var machine = Create(eventCapacity: 1);
        machine.Post(1);
        using var cts = new CancellationTokenSource();
        var waiting = machine.PostAsync(2, cts.Token).AsTask();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.Bounded());
        await machine.StartAsync();
        await machine.StopAsync().Bounded();
        Assert.Equal(1, machine.GetStatistics().EventsHandled);
    }

    [Fact]
    public async Task PostAsync_TokenAlreadyCanceled_ThrowsWithoutQueueing()
    {
        await using var machine = Create();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await machine.PostAsync(1, new CancellationToken(canceled: true)));
        Assert.Equal(0, machine.GetStatistics().PendingEvents);
    }

    [Fact]
    public async Task Post_BeforeStart_IsQueuedAndHandledAfterStart()
    {
        await using var machine = Create();
        Assert.True(machine.Post(1));
        await machine.PostAsync(2);
        Assert.Equal(2, machine.GetStatistics().PendingEvents);
        Assert.False(machine.Completion.IsCompleted);

        await machine.StartAsync();
        Assert.Equal("event:1", await TestMachine.NextAsync(machine.Ended));
        Assert.Equal("event:2", await TestMachine.NextAsync(machine.Ended));
    }

    [Fact]
    public async Task StopAsync_PendingEvents_AreDrainedBeforeItCompletes()
    {
        await using var machine = Create();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        machine.Event = (e, _) => e == 1 ? new ValueTask(gate.Task) : default;
        for (var i = 1; i <= 5; i++)
        {
            machine.Post(i);
        }

        await machine.StartAsync();
        Assert.Equal("event:1", await TestMachine.NextAsync(machine.Started));
        var stop = machine.StopAsync();
        Assert.False(machine.Post(6));
        _time.Advance(Period); // ticks are not run once stopping
        Assert.False(stop.IsCompleted);

        gate.SetResult();
        await stop.Bounded();
        var statistics = machine.GetStatistics();
        Assert.Equal(5, statistics.EventsHandled);
        Assert.Equal(0, statistics.EventsAbandoned);
        Assert.Equal(0, statistics.TicksHandled);
        Assert.Equal(0, statistics.TicksCoalesced);
        Assert.Equal(1, statistics.RejectedStopped);
        Assert.True(machine.Completion.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task StopAsync_TokenFires_CancelsTheRunningHandlerAndAbandonsTheQueue()
    {
        await using var machine = Create();
        var handlerCanceled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        machine.Event = async (e, ct) =>
        {
            if (e == 1)
            {
                // Sees the cancellation, and returns only when the test says so: StopAsync must not wait for it.
                await using (ct.Register(() => handlerCanceled.TrySetResult()))
                {
                    await release.Task;
                }

                ct.ThrowIfCancellationRequested();
            }
        };
        for (var i = 1; i <= 5; i++)
        {
            machine.Post(i);
        }

        await machine.StartAsync();
        Assert.Equal("event:1", await TestMachine.NextAsync(machine.Started));
        using var cts = new CancellationTokenSource();
        var stop = machine.StopAsync(cts.Token);
        Assert.False(stop.IsCompleted);
        await cts.CancelAsync();

        await stop.Bounded();
        await handlerCanceled.Task.Bounded();
        Assert.False(machine.Completion.IsCompleted);

        release.SetResult();
        await machine.Completion.Bounded();
        var statistics = machine.GetStatistics();
        Assert.Equal(1, statistics.EventsHandled);
        Assert.Equal(4, statistics.EventsAbandoned);
        Assert.Equal(0, statistics.EventFailures); // honouring the abort is not a failure
        Assert.Equal(0, statistics.PendingEvents);
    }

    [Fact]
    public async Task StopAsync_TokenAlreadyCanceled_AbandonsWithoutWaiting()
    {
        await using var machine = Create();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        machine.Event = (e, _) => e == 1 ? new ValueTask(gate.Task) : default;
        machine.Post(1);
        machine.Post(2);
        await machine.StartAsync();
        Assert.Equal("event:1", await TestMachine.NextAsync(machine.Started));

        await machine.StopAsync(new CancellationToken(canceled: true)).Bounded();
        gate.SetResult();
        await machine.Completion.Bounded();
        Assert.Equal(1, machine.GetStatistics().EventsHandled);
        Assert.Equal(1, machine.GetStatistics().EventsAbandoned);
    }

    [Fact]
    public async Task StopAsync_NeverStarted_AbandonsQueuedEventsAndCompletes()
    {
        await using var machine = Create();
        machine.Post(1);
        machine.Post(2);
        await machine.StopAsync().Bounded();

        Assert.True(machine.Completion.IsCompletedSuccessfully);
        Assert.Equal(2, machine.GetStatistics().EventsAbandoned);
        Assert.Equal(0, machine.GetStatistics().EventsHandled);
    }

    [Fact]
    public async Task StopAsync_Twice_WaitsForTheSameLoop()
    {
        await using var machine = Create();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        machine.Event = async (_, _) => await gate.Task;
        await machine.StartAsync();
        machine.Post(1);
        machine.Post(2);
        Assert.Equal("event:1", await TestMachine.NextAsync(machine.Started));

        // The loop is held by the first event: neither stop may complete before it ends.
        var first = machine.StopAsync();
        var second = machine.StopAsync();
        Assert.False(first.IsCompleted);
        Assert.False(second.IsCompleted);
        Assert.False(machine.Completion.IsCompleted);

        gate.SetResult();
        await Task.WhenAll(first, second).Bounded();

        // Both waited for the one loop, which drained the queue before ending.
        Assert.True(machine.Completion.IsCompletedSuccessfully);
        Assert.Equal(2, machine.GetStatistics().EventsHandled);
        Assert.Equal(0, machine.GetStatistics().EventsAbandoned);
        Assert.True(machine.StopAsync().IsCompletedSuccessfully);
    }

    [Fact]
    public async Task PostAfterStop_IsRejectedAndCounted()
    {
        await using var machine = Create();
        await machine.StartAsync();
        await machine.StopAsync().Bounded();

        Assert.False(machine.Post(1));
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(async () => await machine.PostAsync(2));
        Assert.Contains("'test'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("stopped", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, machine.GetStatistics().RejectedStopped);
        Assert.Equal(0, machine.GetStatistics().RejectedFull);
    }

    [Fact]
    public async Task PostAsync_WaitingForRoomWhenStopped_Throws()
    {
        await using var machine = Create(eventCapacity: 1);
        machine.Post(1);
        var waiting = machine.PostAsync(2).AsTask();
        Assert.False(waiting.IsCompleted);

        await machine.StopAsync().Bounded();
        await Assert.ThrowsAsync<InvalidOperationException>(() => waiting.Bounded());
        Assert.Equal(1, machine.GetStatistics().RejectedStopped);
        Assert.Equal(1, machine.GetStatistics().EventsAbandoned);
    }

    [Fact]
    public async Task StartAsync_Twice_Throws()
    {
        await using var machine = Create();
        await machine.StartAsync();
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => machine.StartAsync());
        Assert.Contains("already started", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_AfterStop_Throws()
    {
        await using var machine = Create();
        await machine.StartAsync();
        await machine.StopAsync().Bounded();
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => machine.StartAsync());
        Assert.Contains("cannot be restarted", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_CanceledToken_DoesNotStart()
    {
        await using var machine = Create();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => machine.StartAsync(new CancellationToken(canceled: true)));
        await machine.StartAsync();
        _time.Advance(Period);
        Assert.Equal("tick", await TestMachine.NextAsync(machine.Ended));
    }

    [Fact]
    public async Task DisposeAsync_StopsAndDrains()
    {
        var machine = Create();
        machine.Post(1);
        machine.Post(2);
        await machine.StartAsync();
        await machine.DisposeAsync().AsTask().Bounded();

        Assert.True(machine.Completion.IsCompletedSuccessfully);
        Assert.Equal(2, machine.GetStatistics().EventsHandled);
        Assert.False(machine.Post(3));
    }

    [Fact]
    public async Task DisposeAsync_AfterStopOnError_DoesNotThrow()
    {
        var machine = Create(stopOnError: true);
        machine.Event = (_, _) => throw new InvalidOperationException("failed");
        machine.Post(1);
        await machine.StartAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => machine.Completion.Bounded());
        await machine.DisposeAsync().AsTask().Bounded();
    }

    [Fact]
    public async Task Handlers_RunWithoutTheStartersExecutionContext()
    {
        var ambient = new AsyncLocal<string>();
        await using var machine = Create();
        string? seen = "not run";
        machine.Event = (_, _) =>
        {
            seen = ambient.Value;
            return default;
        };
        ambient.Value = "request-42";
        await machine.StartAsync();
        machine.Post(1);
        await TestMachine.NextAsync(machine.Ended);
        Assert.Null(seen);
    }

    [Fact]
    public async Task StartAsync_FlowAlreadySuppressed_Starts()
    {
        await using var machine = Create();
        using (ExecutionContext.SuppressFlow())
        {
            _ = machine.StartAsync();
        }

        Assert.True(machine.Post(1));
        Assert.Equal("event:1", await TestMachine.NextAsync(machine.Ended));
    }

    private sealed class ThrowingHookMachine(TickerStateMachineOptions options) : TickerStateMachine<int>(options)
    {
        protected override ValueTask OnTickAsync(CancellationToken cancellationToken) => default;

        protected override ValueTask OnEventAsync(int item, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("handler failed");

        protected override void OnEventFailed(int item, Exception exception) =>
            throw new InvalidOperationException("hook failed");
    }
}
