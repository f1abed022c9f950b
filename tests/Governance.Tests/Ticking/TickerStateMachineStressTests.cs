using Governance;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Governance.Tests.Ticking;

/// <summary>
/// Many concurrent posters (Post, PostAsync, PostAsync with a token that fires), a clock on its own thread, handlers
/// that yield and fail at random, and a stop that drains or is cut short. The outcome of each event is random, but the
/// invariants checked here must hold for every interleaving.
/// </summary>
public sealed class TickerStateMachineStressTests(ITestOutputHelper output)
{
    private const int Seed = 20261127;
    private const int Posters = 16;
    private const int EventsPerPoster = 1500;
    private const int Capacity = 32;
    private const int StopAfter = 2000;
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(100);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ConcurrentPosters_EveryAcceptedEventIsHandledOnceOrCounted(bool cutStopShort)
    {
        var time = new FakeTimeProvider();
        var machine = new TestMachine(new TickerStateMachineOptions
        {
            Name = "stress",
            Period = Period,
            EventCapacity = Capacity,
            TimeProvider = time,
        });

        var handled = new int[Posters * EventsPerPoster];
        var lastHandledByPoster = Enumerable.Repeat(-1, Posters).ToArray();
        var outOfOrder = 0;
        var expectedEventFailures = 0;
        var expectedTickFailures = 0;
        var handlerRandom = new Random(Seed);
        var handlerRuns = 0;
        var stopGateReached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stopGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Handlers run on the loop only, so they share handlerRandom and the bookkeeping without locks: if two ever ran
        // at once, MaxInFlight would say so.
        machine.Event = async (id, _) =>
        {
            Interlocked.Increment(ref handled[id]);
            var poster = id / EventsPerPoster;
            if (id <= lastHandledByPoster[poster])
            {
                outOfOrder++;
            }

            lastHandledByPoster[poster] = id;
            if (cutStopShort && ++handlerRuns == StopAfter)
            {
                // Hold the loop while the test fills the queue and cuts the stop short.
                stopGateReached.SetResult();
                await stopGate.Task;
            }

            if (handlerRandom.Next(3) == 0)
            {
                await Task.Yield();
            }

            if (handlerRandom.Next(10) == 0)
            {
                expectedEventFailures++;
                throw new InvalidOperationException($"event {id} failed");
            }
        };
        machine.Tick = async _ =>
        {
            await Task.Yield();
            if (handlerRandom.Next(4) == 0)
            {
                expectedTickFailures++;
                throw new InvalidOperationException("tick failed");
            }
        };

        var accepted = new int[handled.Length];
        long postRefused = 0, postAsyncRefused = 0, canceled = 0;
        var unexpected = new List<Exception>();
        using var done = new CancellationTokenSource();

        await machine.StartAsync();

        var clock = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                time.Advance(Period);
                await Task.Delay(1);
            }
        });

        async Task Poster(int poster)
        {
            var random = new Random(Seed + poster);
            for (var i = 0; i < EventsPerPoster; i++)
            {
                var id = poster * EventsPerPoster + i;
                try
                {
                    switch (random.Next(3))
                    {
                        case 0:
                            if (machine.Post(id))
                            {
                                accepted[id] = 1;
                            }
                            else
                            {
                                Interlocked.Increment(ref postRefused);
                            }

                            break;
                        case 1:
                            await machine.PostAsync(id);
                            accepted[id] = 1;
                            break;
                        default:
                            using (var cts = new CancellationTokenSource())
                            {
                                cts.CancelAfter(random.Next(0, 3));
                                await machine.PostAsync(id, cts.Token);
                            }

                            accepted[id] = 1;
                            break;
                    }
                }
                catch (OperationCanceledException)
                {
                    Interlocked.Increment(ref canceled);
                }
                catch (InvalidOperationException) when (machine.Completion.IsCompleted || machine.GetStatistics().RejectedStopped > 0)
                {
                    Interlocked.Increment(ref postAsyncRefused);
                }
                catch (Exception ex)
                {
                    lock (unexpected)
                    {
                        unexpected.Add(ex);
                    }
                }
            }
        }

        var posters = Enumerable.Range(0, Posters).Select(p => Task.Run(() => Poster(p))).ToArray();
        var all = Task.WhenAll(posters);
        if (cutStopShort)
        {
            // Stop while the posters are still at it, with a full queue, and cut the drain short: the queue is
            // abandoned, and the posters are refused from then on. The posters cannot all finish while the loop is held:
            // each blocks at its next PostAsync once the queue is full.
            await stopGateReached.Task.Bounded();
            var deadline = DateTime.UtcNow + TaskTestExtensions.Limit;
            while (machine.GetStatistics().PendingEvents < Capacity)
            {
                Assert.True(DateTime.UtcNow < deadline, "the queue never filled");
                await Task.Delay(1);
            }

            using var stopToken = new CancellationTokenSource();
            var stop = machine.StopAsync(stopToken.Token);
            await stopToken.CancelAsync();
            await stop.Bounded();
            stopGate.SetResult();
        }

        if (await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(60))) != all)
        {
            var s = machine.GetStatistics();
            Assert.Fail($"{posters.Count(p => !p.IsCompleted)} posters hung; pending {s.PendingEvents}, handled {s.EventsHandled}, " +
                $"rejected {s.RejectedFull}/{s.RejectedStopped}; unexpected: {string.Join(" | ", unexpected)}");
        }

        await machine.StopAsync().Bounded();
        await machine.Completion.Bounded();
        await done.CancelAsync();
        await clock.Bounded();

        var statistics = machine.GetStatistics();
        output.WriteLine($"cutStopShort={cutStopShort} accepted={accepted.Sum()} handled={statistics.EventsHandled} " +
            $"abandoned={statistics.EventsAbandoned} refusedFull={statistics.RejectedFull} refusedStopped={statistics.RejectedStopped} " +
            $"canceled={canceled} ticks={statistics.TicksHandled} coalesced={statistics.TicksCoalesced} " +
            $"failures={statistics.EventFailures}/{statistics.TickFailures}");

        Assert.Empty(unexpected);
        Assert.Equal(1, machine.MaxInFlight);
        Assert.Equal(0, outOfOrder);
        Assert.True(statistics.EventsHandled > 0, "some events must have been handled");
        Assert.True(statistics.TicksHandled > 0, "some ticks must have run");

        // Every event was accepted, refused or canceled — and nothing else.
        Assert.Equal(Posters * EventsPerPoster, accepted.Sum() + postRefused + postAsyncRefused + canceled);
        Assert.Equal(postRefused + postAsyncRefused, statistics.RejectedFull + statistics.RejectedStopped);

        // Every accepted event was handled exactly once or counted as abandoned; nothing unaccepted was handled.
        for (var id = 0; id < handled.Length; id++)
        {
            Assert.True(handled[id] <= accepted[id], $"event {id} handled {handled[id]} times, accepted {accepted[id]} times");
        }

        Assert.Equal(handled.Sum(), statistics.EventsHandled);
        Assert.Equal(accepted.Sum() - handled.Sum(), statistics.EventsAbandoned);
        Assert.Equal(0, statistics.PendingEvents);
        if (cutStopShort)
        {
            Assert.Equal(Capacity, statistics.EventsAbandoned);
            Assert.True(statistics.RejectedStopped > 0, "posters must have been refused after the stop");
        }
        else
        {
            Assert.Equal(0, statistics.EventsAbandoned);
            Assert.Equal(0, statistics.RejectedStopped);
        }

        // Every failure was counted and reported, and none stopped the loop.
        Assert.Equal(expectedEventFailures, statistics.EventFailures);
        Assert.Equal(expectedTickFailures, statistics.TickFailures);
        Assert.Equal(expectedEventFailures + expectedTickFailures, machine.FailuresSeen.Count);
        Assert.True(machine.Completion.IsCompletedSuccessfully);

        await machine.DisposeAsync();
    }
}
