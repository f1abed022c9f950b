using Governance;

namespace Governance.Tests.Groups;

public sealed class TaskGroupTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Constructor_MaxConcurrencyNotPositive_ThrowsNamingIt(int maxConcurrency)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new TaskGroup(maxConcurrency));
        Assert.Contains("MaxConcurrency", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GoAsync_ForeachShape_RunsEveryItemAndWaitAsyncWaitsForAll()
    {
        var processed = new List<int>();
        await using (var group = new TaskGroup(maxConcurrency: 3))
        {
            foreach (var order in Enumerable.Range(0, 50))
            {
                await group.GoAsync(async ct =>
                {
                    await Task.Yield();
                    lock (processed)
                    {
                        processed.Add(order);
                    }
                });
            }

            await group.WaitAsync().Bounded();
        }

        Assert.Equal(Enumerable.Range(0, 50), processed.Order());
    }

    [Fact]
    public async Task GoAsync_AllSlotsBusy_WaitsForOne()
    {
        await using var group = new TaskGroup(maxConcurrency: 2);
        var gates = Enumerable.Range(0, 3).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        Assert.True(await group.GoAsync(_ => gates[0].Task));
        Assert.True(await group.GoAsync(_ => gates[1].Task));

        var third = group.GoAsync(_ => gates[2].Task);
        Assert.False(third.IsCompleted);
        Assert.False(group.TryGo(_ => Task.CompletedTask));

        gates[0].SetResult();
        Assert.True(await third.AsTask().Bounded());
        gates[1].SetResult();
        gates[2].SetResult();
        await group.WaitAsync().Bounded();
        Assert.Equal(0, group.Running);
    }

    [Fact]
    public async Task Running_NeverExceedsTheLimit()
    {
        var inFlight = 0;
        var max = 0;
        await using var group = new TaskGroup(maxConcurrency: 4);
        for (var i = 0; i < 200; i++)
        {
            await group.GoAsync(async _ =>
            {
                var now = Interlocked.Increment(ref inFlight);
                lock (group)
                {
                    max = Math.Max(max, now);
                }

                await Task.Yield();
                Interlocked.Decrement(ref inFlight);
            });
        }

        await group.WaitAsync().Bounded();
        Assert.InRange(max, 1, 4);
    }

    [Fact]
    public async Task WaitAsync_FirstFailure_CancelsTheRestAndIsRethrown()
    {
        await using var group = new TaskGroup(maxConcurrency: 4);
        var observedCancellation = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await group.GoAsync(async ct =>
        {
            await Task.Delay(Timeout.Infinite, ct).ContinueWith(_ => { }, TaskScheduler.Default);
            observedCancellation.SetResult();
            ct.ThrowIfCancellationRequested();
        });
        await group.GoAsync(_ => Task.FromException(new InvalidOperationException("first")));

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => group.WaitAsync().Bounded());
        Assert.Equal("first", ex.Message);
        await observedCancellation.Task.Bounded();
        Assert.True(group.CancellationToken.IsCancellationRequested);

        // Canceled work is not a failure: only the real one is listed.
        Assert.Single(group.Errors);
    }

    [Fact]
    public async Task Errors_KeepsEveryFailureInOrder_AndWaitAsyncThrowsTheFirst()
    {
        await using var group = new TaskGroup(maxConcurrency: 3);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var bothStarted = new CountdownEvent(2);
        await group.GoAsync(async _ => { bothStarted.Signal(); await release.Task; throw new InvalidOperationException("second"); });
        await group.GoAsync(async _ => { bothStarted.Signal(); await release.Task; throw new ArgumentException("third"); });
        Assert.True(bothStarted.Wait(TaskTestExtensions.Limit));
        await group.GoAsync(_ => throw new FormatException("first"));
        await WaitUntil(() => group.Errors.Count == 1);
        release.SetResult();

        var ex = await Assert.ThrowsAsync<FormatException>(() => group.WaitAsync().Bounded());
        Assert.Equal("first", ex.Message);
        Assert.Equal(3, group.Errors.Count);
        Assert.IsType<FormatException>(group.Errors[0]);
        Assert.Equal(["first", "second", "third"], group.Errors.Select(e => e.Message).Order());
    }

    [Fact]
    public async Task GoAsync_AfterAFailure_StartsNothingAndReturnsFalse()
    {
        await using var group = new TaskGroup(maxConcurrency: 2);
        await group.GoAsync(_ => throw new InvalidOperationException("boom"));
        await WaitUntil(() => group.CancellationToken.IsCancellationRequested);

        var ran = false;
        Assert.False(await group.GoAsync(_ => { ran = true; return Task.CompletedTask; }));
        Assert.False(group.TryGo(_ => { ran = true; return Task.CompletedTask; }));
        await Assert.ThrowsAsync<InvalidOperationException>(() => group.WaitAsync().Bounded());
        Assert.False(ran);
    }

    [Fact]
    public async Task GoAsync_WaitingProducerWhenTheGroupFails_StopsWaitingAndReturnsFalse()
    {
        await using var group = new TaskGroup(maxConcurrency: 1);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await group.GoAsync(async _ => { await gate.Task; throw new InvalidOperationException("boom"); });
        var waiting = group.GoAsync(_ => Task.CompletedTask);
        Assert.False(waiting.IsCompleted);

        gate.SetResult();
        Assert.False(await waiting.AsTask().Bounded());
        await Assert.ThrowsAsync<InvalidOperationException>(() => group.WaitAsync().Bounded());
    }

    [Fact]
    public async Task GoAsync_CallerTokenFiresWhileWaiting_ThrowsOperationCanceled()
    {
        await using var group = new TaskGroup(maxConcurrency: 1);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await group.GoAsync(_ => gate.Task);
        using var cts = new CancellationTokenSource();
        var waiting = group.GoAsync(_ => Task.CompletedTask, cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.AsTask().Bounded());
        Assert.False(group.CancellationToken.IsCancellationRequested);
        gate.SetResult();
        await group.WaitAsync().Bounded();
    }

    [Fact]
    public async Task WaitAsync_ParentTokenCanceledWork_ThrowsOperationCanceled()
    {
        using var parent = new CancellationTokenSource();
        await using var group = new TaskGroup(maxConcurrency: 2, parent.Token);
        await group.GoAsync(ct => Task.Delay(Timeout.Infinite, ct));
        await parent.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => group.WaitAsync().Bounded());
        Assert.Empty(group.Errors);
    }

    [Fact]
    public async Task WaitAsync_NoWork_CompletesAtOnce()
    {
        await using var group = new TaskGroup(maxConcurrency: 2);
        var wait = group.WaitAsync();
        Assert.True(wait.IsCompletedSuccessfully);
        await wait;
    }

    [Fact]
    public async Task GoAsync_FromInsideRunningWork_IsWaitedForToo()
    {
        var innerRan = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var group = new TaskGroup(maxConcurrency: 2);
        await group.GoAsync(async ct =>
        {
            await group.GoAsync(async _ => { await Task.Yield(); innerRan.SetResult(); }, ct);
        });
        await group.WaitAsync().Bounded();
        Assert.True(innerRan.Task.IsCompleted);
    }

    [Fact]
    public async Task Work_StartsOnThePoolAfterGoAsyncReturns_WithTheProducersExecutionContext()
    {
        var local = new AsyncLocal<string> { Value = "flowed" };
        string? seen = null;
        var onPool = false;
        var startedAfterGoAsyncReturned = false;
        using var returned = new ManualResetEventSlim();
        await using var group = new TaskGroup(maxConcurrency: 1);
        await group.GoAsync(_ =>
        {
            seen = local.Value;
            onPool = Thread.CurrentThread.IsThreadPoolThread;

            // Had the work run inline, GoAsync could not have returned yet and this wait would time out.
            startedAfterGoAsyncReturned = returned.Wait(TaskTestExtensions.Limit, CancellationToken.None);
            return Task.CompletedTask;
        });
        returned.Set();
        await group.WaitAsync().Bounded();
        Assert.Equal("flowed", seen);
        Assert.True(onPool);
        Assert.True(startedAfterGoAsyncReturned);
    }

    [Fact]
    public async Task DisposeAsync_WithWorkRunning_CancelsItAndWaitsForIt()
    {
        var finished = false;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var group = new TaskGroup(maxConcurrency: 2);
        await group.GoAsync(async ct =>
        {
            started.SetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            finally
            {
                finished = true;
            }
        });
        await started.Task.Bounded();

        await group.DisposeAsync().AsTask().Bounded();
        Assert.True(finished);
        Assert.Equal(0, group.Running);
        Assert.False(await group.GoAsync(_ => Task.CompletedTask));
        await group.DisposeAsync(); // idempotent
    }

    [Fact]
    public async Task DisposeAsync_NoWorkRunning_StillCancelsTheGroupsToken()
    {
        var group = new TaskGroup(maxConcurrency: 2);
        var canceledByDisposal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = group.CancellationToken.Register(() => canceledByDisposal.TrySetResult());
        Assert.True(await group.GoAsync(_ => Task.CompletedTask));
        await group.WaitAsync().Bounded();
        Assert.Equal(0, group.Running);

        await group.DisposeAsync().AsTask().Bounded();

        // Whoever holds the token (a registration, a linked source, a loop polling it) learns the group is over.
        Assert.True(group.CancellationToken.IsCancellationRequested);
        await canceledByDisposal.Task.Bounded();
    }

    [Fact]
    public async Task DisposeAsync_NeverUsed_CancelsTheGroupsToken()
    {
        var group = new TaskGroup(maxConcurrency: 1);
        await group.DisposeAsync().AsTask().Bounded();
        Assert.True(group.CancellationToken.IsCancellationRequested);
    }

    [Fact]
    public async Task GoAsync_WorkReturnsNullTask_IsAFailureOfTheGroup()
    {
        // Before the fix the null reached the thread pool as a NullReferenceException and took the process down.
        await using var group = new TaskGroup(maxConcurrency: 1);
        Assert.True(await group.GoAsync(_ => null!));
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => group.WaitAsync().Bounded());
        Assert.Contains("null", ex.Message, StringComparison.Ordinal);
        Assert.True(group.CancellationToken.IsCancellationRequested);
        Assert.Same(ex, Assert.Single(group.Errors));
        Assert.Equal(0, group.Running);
    }

    [Fact]
    public async Task GoAsync_WaitingProducersCanceledOne_IsSkippedAndTheNextInLineGetsTheSlot()
    {
        await using var group = new TaskGroup(maxConcurrency: 1);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Assert.True(await group.GoAsync(_ => gate.Task));

        using var cts = new CancellationTokenSource();
        var order = new List<string>();
        var canceled = group.GoAsync(_ => { order.Add("canceled"); return Task.CompletedTask; }, cts.Token);
        var second = group.GoAsync(_ => { lock (order) { order.Add("second"); } return Task.CompletedTask; });
        var third = group.GoAsync(_ => { lock (order) { order.Add("third"); } return Task.CompletedTask; });
        Assert.False(group.TryGo(_ => Task.CompletedTask)); // producers are waiting: nobody overtakes them

        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => canceled.AsTask().Bounded());
        Assert.False(second.IsCompleted);

        gate.SetResult();
        Assert.True(await second.Bounded());
        Assert.True(await third.Bounded());
        await group.WaitAsync().Bounded();
        Assert.Equal(["second", "third"], order);
        Assert.Equal(0, group.Running);
    }

    [Fact]
    public async Task GoAsync_SynchronousThrow_IsAFailureNotAnEscape()
    {
        await using var group = new TaskGroup(maxConcurrency: 1);
        Assert.True(await group.GoAsync(_ => throw new InvalidOperationException("sync")));
        await Assert.ThrowsAsync<InvalidOperationException>(() => group.WaitAsync().Bounded());
    }

    [Fact]
    public async Task Stress_ManyProducersRandomFailures_EveryStartedUnitEndsExactlyOnce()
    {
        for (var round = 0; round < 20; round++)
        {
            var random = new Random(1127 + round);
            var failAt = random.Next(0, 400);
            var started = 0;
            var ended = 0;
            var accepted = 0;
            var inFlight = 0;
            var maxInFlight = 0;
            await using var group = new TaskGroup(maxConcurrency: 1 + random.Next(8));
            var producers = Enumerable.Range(0, 4).Select(p => Task.Run(async () =>
            {
                for (var i = 0; i < 100; i++)
                {
                    var id = (p * 100) + i;
                    if (await group.GoAsync(async ct =>
                    {
                        Interlocked.Increment(ref started);
                        var now = Interlocked.Increment(ref inFlight);
                        InterlockedMax(ref maxInFlight, now);
                        try
                        {
                            await Task.Yield();
                            if (id == failAt)
                            {
                                throw new InvalidOperationException("fail " + id);
                            }
                        }
                        finally
                        {
                            Interlocked.Decrement(ref inFlight);
                            Interlocked.Increment(ref ended);
                        }
                    }))
                    {
                        Interlocked.Increment(ref accepted);
                    }
                }
            })).ToArray();
            await Task.WhenAll(producers).Bounded();
            var ex = await Record.ExceptionAsync(() => group.WaitAsync().Bounded());

            Assert.Equal(accepted, started);
            Assert.Equal(started, ended);
            Assert.Equal(0, group.Running);
            Assert.InRange(maxInFlight, 0, 8);
            if (ex is not null)
            {
                Assert.IsType<InvalidOperationException>(ex);
                Assert.Single(group.Errors);
            }
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TaskTestExtensions.Limit);
        while (!condition())
        {
            await Task.Delay(1, timeout.Token);
        }
    }
}
