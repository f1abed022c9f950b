using Microsoft.Extensions.Time.Testing;

namespace Governance.Testing.Tests;

/// <summary>
/// Every kind of governed work a test can leak, caught and reported; work that ends while the check waits, passed; the
/// ignore rules; the vacuous check; and two checks open at once in two flows. Leaked work is held by explicit gates,
/// so a failing check fails for certain: its short retry bound only caps the time it spends. Ages come from a
/// <see cref="FakeTimeProvider"/> where they are asserted.
/// </summary>
public sealed class LeakCheckTests
{
    private static readonly string ThisFile = TestSupport.ThisFile();

    [Fact]
    public async Task GovernedRun_StillRunning_FailsAfterTheRetryBound_WithItsSiteOwnerStateCountAndAge()
    {
        var gate = TestSupport.Gate();
        var started = TestSupport.Gate();
        await using var check = LeakCheck.Begin(new LeakCheckOptions { RetryTimeout = TimeSpan.FromMilliseconds(100) });
        var run = Governed.Run(async _ => { started.SetResult(); await gate.Task; }); // leaked run
        await started.Task.Bounded();

        var ex = await Assert.ThrowsAsync<LeakCheckException>(() => check.VerifyNoneAsync());

        var group = Assert.Single(ex.Result.Units);
        Assert.Empty(ex.Result.Timers);
        var line = TestSupport.LineOf("var run = Governed.Run(async _ => { started.SetResult(); await gate.Task; }); // leaked run");
        Assert.Equal(new CreationSite(nameof(GovernedRun_StillRunning_FailsAfterTheRetryBound_WithItsSiteOwnerStateCountAndAge), ThisFile, line), group.Site);
        Assert.Equal(GovernedOwnerKind.Governed, group.OwnerKind);
        Assert.Equal("Governed.Run", group.OwnerName);
        Assert.Equal(GovernedUnitState.Running, group.State);
        Assert.Equal(1, group.Count);
        Assert.True(group.OldestAge >= TimeSpan.Zero);
        Assert.True(ex.Result.Attempts > 1, $"looked {ex.Result.Attempts} times");
        Assert.True(ex.Result.Elapsed >= TimeSpan.FromMilliseconds(100), $"gave up after {ex.Result.Elapsed}");
        Assert.Same(ex.Result.Message, ex.Result.ToString());
        Assert.Equal(ex.Result.Message, ex.Message);
        Assert.StartsWith("governance leak check: 1 unit started in this check still alive after ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(
            $"\n  1 @ {group.Site}: governed \"Governed.Run\", running, oldest ",
            ex.Message,
            StringComparison.Ordinal);

        gate.SetResult();
        await run.Bounded();
        var passed = await check.VerifyNoneAsync();
        Assert.False(passed.HasLeaks);
        Assert.Equal(1, passed.Attempts);
    }

    [Fact]
    public async Task DefaultOptions_KeepLookingForOneSecond_BackingOffUpTo100Milliseconds()
    {
        var gate = TestSupport.Gate();
        await using var check = LeakCheck.Begin();
        var run = Governed.Run(_ => gate.Task);

        var ex = await Assert.ThrowsAsync<LeakCheckException>(() => check.VerifyNoneAsync());
        Assert.True(ex.Result.Elapsed >= TimeSpan.FromSeconds(1), $"gave up after {ex.Result.Elapsed}");
        // 1 + 2 + 4 + ... + 64 ms, then 100 ms between looks: 17 looks when timers are punctual, fewer on a loaded machine.
        Assert.InRange(ex.Result.Attempts, 2, 20);

        gate.SetResult();
        await run.Bounded();
    }

    [Fact]
    public async Task RetryTimeoutZero_LooksOnce()
    {
        var gate = TestSupport.Gate();
        await using var check = LeakCheck.Begin(new LeakCheckOptions { RetryTimeout = TimeSpan.Zero });
        var run = Governed.Run(_ => gate.Task);

        var ex = await Assert.ThrowsAsync<LeakCheckException>(() => check.VerifyNoneAsync());
        Assert.Equal(1, ex.Result.Attempts);
        Assert.Contains("still alive after 1 look:", ex.Message, StringComparison.Ordinal);

        gate.SetResult();
        await run.Bounded();
    }

    [Fact]
    public async Task TaskGroup_UnitsLeftRunning_AreOneGroupPerSite_WithTheOldestAgeByTheGroupsClock()
    {
        var time = new FakeTimeProvider();
        var gate = TestSupport.Gate();
        using var started = new CountdownEvent(2);
        await using var group = new TaskGroup(new TaskGroupOptions { MaxConcurrency = 4, Name = "leak-group", TimeProvider = time });
        await using var check = LeakCheck.Begin(Short());
        for (var i = 0; i < 2; i++)
        {
            await group.GoAsync(async _ => { started.Signal(); await gate.Task; }); // two units, one site
        }

        Assert.True(started.Wait(TestSupport.Limit));
        time.Advance(TimeSpan.FromSeconds(3));

        var ex = await Assert.ThrowsAsync<LeakCheckException>(() => check.VerifyNoneAsync());
        var leaked = Assert.Single(ex.Result.Units);
        Assert.Equal(TestSupport.LineOf("await group.GoAsync(async _ => { started.Signal(); await gate.Task; }); // two units, one site"), leaked.Site.Line);
        Assert.Equal(GovernedOwnerKind.TaskGroup, leaked.OwnerKind);
        Assert.Equal("leak-group", leaked.OwnerName);
        Assert.Equal(GovernedUnitState.Running, leaked.State);
        Assert.Equal(2, leaked.Count);
        Assert.Equal(TimeSpan.FromSeconds(3), leaked.OldestAge);
        Assert.Contains($"2 @ {leaked.Site}: taskgroup \"leak-group\", running, oldest 3.0s", ex.Message, StringComparison.Ordinal);
        Assert.StartsWith("governance leak check: 2 units started in this check still alive", ex.Message, StringComparison.Ordinal);

        gate.SetResult();
        await group.WaitAsync().Bounded();
        var passed = await check.VerifyNoneAsync();
        Assert.Equal(2, passed.UnitsStarted);
    }

    [Fact]
    public async Task WorkerPool_NotDisposed_IsALeakOfItsWorkers_UntilDisposed()
    {
        await using var check = LeakCheck.Begin(Short());
        var pool = new WorkerPool<int>((_, _) => Task.CompletedTask, new WorkerPoolOptions { Workers = 2, Capacity = 4, Name = "leak-pool" });

        var ex = await Assert.ThrowsAsync<LeakCheckException>(() => check.VerifyNoneAsync());
        var leaked = Assert.Single(ex.Result.Units);
        Assert.Equal(GovernedOwnerKind.WorkerPool, leaked.OwnerKind);
        Assert.Equal("leak-pool", leaked.OwnerName);
        Assert.Equal(GovernedUnitState.Waiting, leaked.State); // idle workers, waiting for items
        Assert.Equal(2, leaked.Count);
        Assert.Equal(TestSupport.LineOf("var pool = new WorkerPool<int>((_, _) => Task.CompletedTask,"), leaked.Site.Line);
        Assert.Contains("workerpool \"leak-pool\", waiting", ex.Message, StringComparison.Ordinal);

        await pool.DisposeAsync();
        Assert.False((await check.VerifyNoneAsync()).HasLeaks);
    }

    [Fact]
    public async Task Ticker_NotStopped_IsALeakOfItsLoopAndOfItsTimer_UntilStopped()
    {
        var time = new FakeTimeProvider();
        await using var check = LeakCheck.Begin(new LeakCheckOptions { RetryTimeout = TimeSpan.FromMilliseconds(50), TimeProvider = time });
        await using var machine = new IdleMachine(new TickerStateMachineOptions { Period = TimeSpan.FromSeconds(1), Name = "leak-ticker", TimeProvider = check.TimeProvider });
        await machine.StartAsync(); // ticker started, never stopped
        time.Advance(TimeSpan.FromSeconds(2));

        var ex = await Assert.ThrowsAsync<LeakCheckException>(() => check.VerifyNoneAsync());
        var loop = Assert.Single(ex.Result.Units);
        Assert.Equal(GovernedOwnerKind.Ticker, loop.OwnerKind);
        Assert.Equal("leak-ticker", loop.OwnerName);
        Assert.Equal(ThisFile, loop.Site.FilePath); // the derived constructor's call
        Assert.Equal(TimeSpan.FromSeconds(2), loop.OldestAge);
        var timer = Assert.Single(ex.Result.Timers); // the ticker's timer, created through the check's provider
        Assert.Equal(nameof(Ticker_NotStopped_IsALeakOfItsLoopAndOfItsTimer_UntilStopped), timer.Site.Member);
        Assert.Equal(TestSupport.LineOf("await machine.StartAsync(); // ticker started, never stopped"), timer.Site.Line);
        Assert.Equal(TimeSpan.FromSeconds(1), timer.Period);
        Assert.StartsWith("governance leak check: 1 unit and 1 timer started in this check still alive", ex.Message, StringComparison.Ordinal);

        await machine.StopAsync().Bounded();
        var passed = await check.VerifyNoneAsync();
        Assert.Equal(1, passed.UnitsStarted);
        Assert.Equal(1, passed.TimersCreated);
    }

    [Fact]
    public async Task TaskLimiter_CallerLeftWaitingInTheQueue_IsALeak()
    {
        using var limiter = new TaskLimiter(new TaskLimiterOptions { MaxConcurrency = 1, QueueLimit = 4, Name = "leak-limiter" });
        var held = await limiter.AcquireAsync();
        await using var check = LeakCheck.Begin(Short());
        var waiting = limiter.AcquireAsync(); // still queued

        var ex = await Assert.ThrowsAsync<LeakCheckException>(() => check.VerifyNoneAsync());
        var leaked = Assert.Single(ex.Result.Units);
        Assert.Equal(GovernedOwnerKind.TaskLimiter, leaked.OwnerKind);
        Assert.Equal(GovernedUnitState.Waiting, leaked.State);
        Assert.Equal(TestSupport.LineOf("var waiting = limiter.AcquireAsync(); // still queued"), leaked.Site.Line);

        held.Dispose();
        (await waiting.AsTask().Bounded()).Dispose();
        Assert.False((await check.VerifyNoneAsync()).HasLeaks);
    }

    [Fact]
    public async Task Timer_UndisposedFromTheChecksTimeProvider_IsALeakAtItsCreationSite_AndFollowsTheInnerClock()
    {
        var time = new FakeTimeProvider();
        await using var check = LeakCheck.Begin(new LeakCheckOptions { RetryTimeout = TimeSpan.FromMilliseconds(50), TimeProvider = time });
        var ticks = 0;
        var timer = check.TimeProvider.CreateTimer(_ => Interlocked.Increment(ref ticks), null, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5)); // undisposed timer
        time.Advance(TimeSpan.FromSeconds(12));
        Assert.Equal(2, Volatile.Read(ref ticks)); // the inner provider's timer, driven by its clock
        Assert.Equal(time.GetUtcNow(), check.TimeProvider.GetUtcNow());

        var ex = await Assert.ThrowsAsync<LeakCheckException>(() => check.VerifyNoneAsync());
        var leaked = Assert.Single(ex.Result.Timers);
        Assert.Empty(ex.Result.Units);
        var line = TestSupport.LineOf("var timer = check.TimeProvider.CreateTimer(_ => Interlocked.Increment(ref ticks), null,");
        Assert.Equal(new CreationSite(nameof(Timer_UndisposedFromTheChecksTimeProvider_IsALeakAtItsCreationSite_AndFollowsTheInnerClock), ThisFile, line), leaked.Site);
        Assert.Equal(TimeSpan.FromSeconds(5), leaked.Period);
        Assert.Equal(1, leaked.Count);
        Assert.Equal(TimeSpan.FromSeconds(12), leaked.OldestAge);
        Assert.Contains($"1 @ {leaked.Site}: timer, period 5.0s, undisposed, oldest 12.0s", ex.Message, StringComparison.Ordinal);
        Assert.False(ex.Result.NothingTracked);

        Assert.True(timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan)); // stopped is not disposed
        ex = await Assert.ThrowsAsync<LeakCheckException>(() => check.VerifyNoneAsync());
        Assert.True(Assert.Single(ex.Result.Timers).Stopped);
        Assert.Contains("timer, stopped, undisposed", ex.Message, StringComparison.Ordinal);

        await timer.DisposeAsync();
        var passed = await check.VerifyNoneAsync();
        Assert.Equal(0, passed.UnitsStarted);
        Assert.Equal(1, passed.TimersCreated);
        Assert.False(passed.NothingTracked);
    }

    [Fact]
    public async Task Timers_TheFrameworkCreatesThroughTheProvider_AreReportedWhereTheTestsCodeCreatedThem()
    {
        await using var check = LeakCheck.Begin(Short());
        var periodic = new PeriodicTimer(TimeSpan.FromSeconds(30), check.TimeProvider); // framework timer one
        var timed = new CancellationTokenSource(TimeSpan.FromMinutes(1), check.TimeProvider); // framework timer two
        await Task.Delay(TimeSpan.FromMilliseconds(1), check.TimeProvider); // ends, and disposes its timer

        var ex = await Assert.ThrowsAsync<LeakCheckException>(() => check.VerifyNoneAsync());
        Assert.Equal(
            new[] { TestSupport.LineOf("// framework timer one"), TestSupport.LineOf("// framework timer two") },
            ex.Result.Timers.Select(t => t.Site.Line));
        Assert.All(ex.Result.Timers, t => Assert.Equal(nameof(Timers_TheFrameworkCreatesThroughTheProvider_AreReportedWhereTheTestsCodeCreatedThem), t.Site.Member));
        Assert.Equal(3, ex.Result.TimersCreated);

        periodic.Dispose();
        timed.Dispose();
        Assert.False((await check.VerifyNoneAsync()).HasLeaks);
    }

    [Fact]
    public async Task WorkThatEndsWhileTheCheckWaits_Passes()
    {
        var gate = TestSupport.Gate();
        var started = TestSupport.Gate();
        await using var check = LeakCheck.Begin(new LeakCheckOptions { RetryTimeout = TimeSpan.FromSeconds(30) });
        var run = Governed.Run(async _ => { started.SetResult(); await gate.Task; });
        await started.Task.Bounded();

        var verify = check.VerifyNoneAsync();
        Assert.False(verify.IsCompleted); // the first look found the run alive: the check now waits and looks again
        gate.SetResult();
        var result = await verify.Bounded();

        Assert.False(result.HasLeaks);
        Assert.True(result.Attempts >= 2);
        Assert.Equal(1, result.UnitsStarted);
        Assert.False(result.NothingTracked);
        Assert.StartsWith("governance leak check: no leak; 1 unit started and 0 timers created in this check, all ended (", result.Message, StringComparison.Ordinal);
        await run.Bounded();
    }

    [Fact]
    public async Task VerifyNoneAsync_Canceled_StopsWaiting()
    {
        var gate = TestSupport.Gate();
        await using var check = LeakCheck.Begin(new LeakCheckOptions { RetryTimeout = TimeSpan.FromSeconds(30) });
        var run = Governed.Run(_ => gate.Task);
        using var cancel = new CancellationTokenSource();

        var verify = check.VerifyNoneAsync(cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => verify.Bounded());

        gate.SetResult();
        await run.Bounded();
    }

    public static TheoryData<string, int> IgnoreRules => new()
    {
        { "member", 1 },
        { "file name", 1 },
        { "file path end", 1 },
        { "owner kind", 1 },
        { "owner name", 1 },
        { "owner kind and name", 1 },
        { "owner kind and another name", 0 },
        { "member and another file", 0 },
    };

    [Theory]
    [MemberData(nameof(IgnoreRules))]
    public async Task Ignore_LeavesOutTheWorkItNames_AndReportsTheRest(string rule, int ignored)
    {
        var options = Short();
        _ = rule switch
        {
            "member" => options.IgnoreSite(member: nameof(IgnorableWork.StartIgnorable)),
            "file name" => options.IgnoreSite(file: "IgnorableWork.cs"),
            "file path end" => options.IgnoreSite(file: "Governance.Testing.Tests\\IgnorableWork.cs"),
            "owner kind" => options.IgnoreOwner(GovernedOwnerKind.TaskGroup),
            "owner name" => options.IgnoreOwner(name: IgnorableWork.OwnerName),
            "owner kind and name" => options.IgnoreOwner(GovernedOwnerKind.TaskGroup, IgnorableWork.OwnerName),
            "owner kind and another name" => options.IgnoreOwner(GovernedOwnerKind.TaskGroup, "another"),
            "member and another file" => options.IgnoreSite(nameof(IgnorableWork.StartIgnorable), "Another.cs"),
            _ => throw new ArgumentOutOfRangeException(nameof(rule)),
        };
        var gate = TestSupport.Gate();
        await using var group = new TaskGroup(new TaskGroupOptions { MaxConcurrency = 1, Name = IgnorableWork.OwnerName });
        await using var check = LeakCheck.Begin(options);
        await IgnorableWork.StartIgnorable(group, gate.Task);
        var reported = Governed.Run(_ => gate.Task); // never ignored

        var ex = await Assert.ThrowsAsync<LeakCheckException>(() => check.VerifyNoneAsync());
        Assert.Equal(ignored, ex.Result.Ignored);
        Assert.Equal(2 - ignored, ex.Result.Units.Count);
        Assert.Contains(ex.Result.Units, u => u.OwnerKind == GovernedOwnerKind.Governed);
        if (ignored > 0)
        {
            Assert.Contains($"({ignored} more ignored):", ex.Message, StringComparison.Ordinal);
        }

        gate.SetResult();
        await reported.Bounded();
        await group.WaitAsync().Bounded();
    }

    [Fact]
    public async Task Ignore_BySite_AppliesToTimers_ByOwnerNever()
    {
        var bySite = LeakCheck.Begin(Short().IgnoreSite(member: nameof(IgnorableWork.CreateTimer)));
        using (bySite)
        {
            using var timer = IgnorableWork.CreateTimer(bySite.TimeProvider);
            var result = await bySite.VerifyNoneAsync();
            Assert.Equal(1, result.Ignored);
            Assert.EndsWith("0 units started and 1 timer created in this check, none alive but 1 ignored (1 look).", result.Message, StringComparison.Ordinal);
        }

        await using var byOwner = LeakCheck.Begin(Short().IgnoreOwner(name: IgnorableWork.OwnerName).IgnoreSite(file: "Another.cs"));
        using (IgnorableWork.CreateTimer(byOwner.TimeProvider))
        {
            var ex = await Assert.ThrowsAsync<LeakCheckException>(() => byOwner.VerifyNoneAsync());
            Assert.Equal(nameof(IgnorableWork.CreateTimer), Assert.Single(ex.Result.Timers).Site.Member);
        }
    }

    [Fact]
    public async Task NothingGovernedRan_PassesButSaysSo_AndFailsWhenAskedTo()
    {
        var gate = TestSupport.Gate();
        var before = Governed.Run(_ => gate.Task); // started before the check: not its work
        await using (var check = LeakCheck.Begin())
        {
            var result = await check.VerifyNoneAsync();
            Assert.True(result.NothingTracked);
            Assert.False(result.HasLeaks);
            Assert.Equal(1, result.Attempts);
            Assert.StartsWith("governance leak check: nothing governed ran in this check", result.Message, StringComparison.Ordinal);
            Assert.Contains("so it looked at nothing", result.Message, StringComparison.Ordinal);
        }

        await using (var strict = LeakCheck.Begin(new LeakCheckOptions { FailWhenNothingTracked = true }))
        {
            var ex = await Assert.ThrowsAsync<LeakCheckException>(() => strict.VerifyNoneAsync());
            Assert.True(ex.Result.NothingTracked);
            Assert.False(ex.Result.HasLeaks);
            Assert.Contains("FailWhenNothingTracked", ex.Message, StringComparison.Ordinal);

            await Governed.Run(_ => Task.CompletedTask).Bounded(); // now something ran, and ended
            var result = await strict.VerifyNoneAsync();
            Assert.False(result.NothingTracked);
        }

        gate.SetResult();
        await before.Bounded();
    }

    [Fact]
    public async Task TwoChecksOpenAtOnceInTwoFlows_EachFailsWithItsOwnLeakOnly()
    {
        var gate = TestSupport.Gate();
        await using var groupA = new TaskGroup(new TaskGroupOptions { MaxConcurrency = 1, Name = "parallel-a" });
        await using var groupB = new TaskGroup(new TaskGroupOptions { MaxConcurrency = 1, Name = "parallel-b" });
        var aLeaked = TestSupport.Gate();
        var bLeaked = TestSupport.Gate();

        var a = Task.Run(() => LeakInItsOwnCheckAsync(groupA, aLeaked, bLeaked.Task, gate.Task));
        var b = Task.Run(() => LeakInItsOwnCheckAsync(groupB, bLeaked, aLeaked.Task, gate.Task));
        var results = await Task.WhenAll(a, b).Bounded();

        Assert.Equal("parallel-a", Assert.Single(results[0].Units).OwnerName);
        Assert.Equal("parallel-b", Assert.Single(results[1].Units).OwnerName);
        gate.SetResult();
        await Task.WhenAll(groupA.WaitAsync(), groupB.WaitAsync()).Bounded();
    }

    [Fact]
    public async Task Current_IsTheInnermostOpenCheck_AndDisposingEndsTheScope()
    {
        Assert.Null(LeakCheck.Current);
        var outer = LeakCheck.Begin();
        Assert.Same(outer, LeakCheck.Current);
        using (var inner = LeakCheck.Begin())
        {
            Assert.Same(inner, LeakCheck.Current);
            await Governed.Run(_ => Task.CompletedTask).Bounded();
            Assert.Equal(1, inner.UnitsStarted);
            Assert.Equal(1, outer.UnitsStarted); // the inner check's work is the outer one's too
        }

        Assert.Same(outer, LeakCheck.Current);
        await outer.DisposeAsync();
        Assert.Null(LeakCheck.Current);
        await Governed.Run(_ => Task.CompletedTask).Bounded(); // after the scope ended: not the check's work
        Assert.Equal(1, outer.UnitsStarted);
        outer.Dispose(); // twice is fine
    }

    [Theory]
    [InlineData("RetryTimeout", -1)]
    [InlineData("RetryTimeout", 3_600_001)]
    [InlineData("MaxRetryDelay", 0)]
    [InlineData("MaxRetryDelay", 3_600_001)]
    public void Options_OutOfRange_ThrowNamingTheOption(string option, int milliseconds)
    {
        var options = new LeakCheckOptions();
        if (option == "RetryTimeout")
        {
            options.RetryTimeout = TimeSpan.FromMilliseconds(milliseconds);
        }
        else
        {
            options.MaxRetryDelay = TimeSpan.FromMilliseconds(milliseconds);
        }

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => LeakCheck.Begin(options));
        Assert.Contains($"LeakCheckOptions.{option}", ex.Message, StringComparison.Ordinal);
        Assert.Null(LeakCheck.Current);
    }

    [Fact]
    public void Options_NullTimeProviderOrEmptyIgnoreRule_ThrowNamingThem()
    {
        var ex = Assert.Throws<ArgumentException>(() => LeakCheck.Begin(new LeakCheckOptions { TimeProvider = null! }));
        Assert.Contains("LeakCheckOptions.TimeProvider", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentException>(() => new LeakCheckOptions().IgnoreSite());
        Assert.Contains("LeakCheckOptions.IgnoreSite", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentException>(() => new LeakCheckOptions().IgnoreOwner(name: ""));
        Assert.Contains("LeakCheckOptions.IgnoreOwner", ex.Message, StringComparison.Ordinal);
        using var check = LeakCheck.Begin();
        Assert.Throws<ArgumentNullException>(() => check.TimeProvider.CreateTimer(null!, null, TimeSpan.Zero, TimeSpan.Zero));
    }

    [Fact]
    public async Task Options_AreCopiedWhenTheCheckBegins()
    {
        var gate = TestSupport.Gate();
        var options = Short();
        await using var check = LeakCheck.Begin(options);
        options.IgnoreOwner(GovernedOwnerKind.Governed); // too late for this check
        var run = Governed.Run(_ => gate.Task);

        var ex = await Assert.ThrowsAsync<LeakCheckException>(() => check.VerifyNoneAsync());
        Assert.Single(ex.Result.Units);
        gate.SetResult();
        await run.Bounded();
    }

    private static LeakCheckOptions Short() => new() { RetryTimeout = TimeSpan.FromMilliseconds(50) };

    private static async Task<LeakCheckResult> LeakInItsOwnCheckAsync(TaskGroup group, TaskCompletionSource leaked, Task otherLeaked, Task gate)
    {
        await using var check = LeakCheck.Begin(Short());
        Assert.True(await group.GoAsync(_ => gate));
        leaked.SetResult();
        await otherLeaked.Bounded(); // both checks are open and both leaks alive
        var ex = await Assert.ThrowsAsync<LeakCheckException>(() => check.VerifyNoneAsync());
        return ex.Result;
    }

    private sealed class IdleMachine(TickerStateMachineOptions options) : TickerStateMachine<int>(options)
    {
        protected override ValueTask OnTickAsync(CancellationToken cancellationToken) => default;

        protected override ValueTask OnEventAsync(int item, CancellationToken cancellationToken) => default;
    }
}
