using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace Governance.Tests.Diagnostics;

/// <summary>
/// The census is process-wide and other tests run beside these, so every test reads only its own units: those of an
/// owner with a name no other test uses, or those of its own <see cref="CensusScope"/>. Ages come from a
/// <see cref="FakeTimeProvider"/>; work is held by explicit gates.
/// </summary>
public sealed class TaskCensusTests
{
    private static readonly string ThisFile = ThisFilePath();

    [Fact]
    public async Task TaskGroup_RunningAndWaitingUnits_AreListedWithTheirSiteOwnerStateAndAge()
    {
        var time = new FakeTimeProvider();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new CountdownEvent(2);
        await using var group = new TaskGroup(new TaskGroupOptions { MaxConcurrency = 2, Name = "census-group-states", TimeProvider = time });
        for (var i = 0; i < 2; i++)
        {
            await group.GoAsync(async _ => { started.Signal(); await gate.Task; });
        }

        Assert.True(started.Wait(TaskTestExtensions.Limit));
        time.Advance(TimeSpan.FromSeconds(5));
        var waiting = group.GoAsync(_ => Task.CompletedTask); // third: waits for a slot
        var waitingLine = LineOf("var waiting = group.GoAsync(_ => Task.CompletedTask);");
        time.Advance(TimeSpan.FromSeconds(1));

        var units = Units("census-group-states");
        Assert.Equal(3, units.Count);
        var running = units.Where(u => u.State == GovernedUnitState.Running).ToList();
        Assert.Equal(2, running.Count);
        Assert.All(running, u =>
        {
            Assert.Equal(nameof(TaskGroup_RunningAndWaitingUnits_AreListedWithTheirSiteOwnerStateAndAge), u.Site.Member);
            Assert.Equal(ThisFile, u.Site.FilePath);
            Assert.Equal(GovernedOwnerKind.TaskGroup, u.OwnerKind);
            Assert.Equal(TimeSpan.FromSeconds(6), u.Age);
            Assert.Equal(1, u.Count);
        });
        var waiter = Assert.Single(units, u => u.State == GovernedUnitState.Waiting);
        Assert.Equal(waitingLine, waiter.Site.Line);
        Assert.Equal(TimeSpan.FromSeconds(1), waiter.Age);

        gate.SetResult();
        Assert.True(await waiting.Bounded());
        await group.WaitAsync().Bounded();
        Assert.Empty(Units("census-group-states"));
    }

    [Fact]
    public async Task TaskGroup_AProducerWhoseWorkIsHandedOver_KeepsItsSiteAndStartTime()
    {
        var time = new FakeTimeProvider();
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var group = new TaskGroup(new TaskGroupOptions { MaxConcurrency = 1, Name = "census-group-handoff", TimeProvider = time });
        await group.GoAsync(_ => first.Task);
        var waiting = group.GoAsync(async _ => { secondStarted.SetResult(); await second.Task; });
        var line = LineOf("var waiting = group.GoAsync(async _ => { secondStarted.SetResult(); await second.Task; });");
        time.Advance(TimeSpan.FromSeconds(3));

        first.SetResult();
        await secondStarted.Task.Bounded();
        Assert.True(await waiting.Bounded());
        time.Advance(TimeSpan.FromSeconds(2));

        var unit = Assert.Single(Units("census-group-handoff"));
        Assert.Equal(line, unit.Site.Line);
        Assert.Equal(GovernedUnitState.Running, unit.State);
        Assert.Equal(TimeSpan.FromSeconds(5), unit.Age); // since the producer asked, not since the slot came free
        second.SetResult();
        await group.WaitAsync().Bounded();
        Assert.Empty(Units("census-group-handoff"));
    }

    [Fact]
    public async Task GovernedRun_IsListedWhileAliveWithItsLabels_AndLeavesWhenItEnds()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var scope = TaskCensus.BeginScope();
        Task run;
        using (TaskCensus.WithLabels("tenant", "acme"))
        using (TaskCensus.WithLabels(new KeyValuePair<string, string>("tenant", "globex"), new KeyValuePair<string, string>("job", "reindex")))
        {
            run = Governed.Run(async _ => { started.SetResult(); await gate.Task; });
        }

        var line = LineOf("run = Governed.Run(async _ => { started.SetResult(); await gate.Task; });");
        await started.Task.Bounded();

        var unit = Assert.Single(scope.GetLiveUnits());
        Assert.Equal(GovernedOwnerKind.Governed, unit.OwnerKind);
        Assert.Equal(GovernedUnitState.Running, unit.State);
        Assert.Equal(line, unit.Site.Line);
        Assert.Equal(ThisFile, unit.Site.FilePath);
        Assert.Equal(new KeyValuePair<string, string>[] { new("job", "reindex"), new("tenant", "globex") }, unit.Labels); // the inner label replaces the outer one

        gate.SetResult();
        await run.Bounded();
        Assert.Empty(scope.GetLiveUnits());
    }

    [Fact]
    public async Task GovernedRun_WorkThatFails_StillLeavesTheCensus_AndItsTaskCarriesTheFailure()
    {
        using var scope = TaskCensus.BeginScope();
        var run = Governed.Run(_ => Task.FromException(new InvalidOperationException("boom")));
        await Assert.ThrowsAsync<InvalidOperationException>(() => run.Bounded());
        Assert.Empty(scope.GetLiveUnits());

        using var canceled = new CancellationTokenSource();
        await canceled.CancelAsync();
        var notRun = Governed.Run(_ => throw new InvalidOperationException("must not run"), canceled.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => notRun.Bounded());
        Assert.Empty(scope.GetLiveUnits());
    }

    [Fact]
    public async Task Scope_ListsOnlyItsOwnWork_IncludingWorkStartedByThatWork()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var innerStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var outsider = Governed.Run(_ => gate.Task);
        var scope = TaskCensus.BeginScope("scope-test");
        var outer = Governed.Run(async _ =>
        {
            var inner = Governed.Run(async _ => { innerStarted.SetResult(); await gate.Task; });
            await inner;
        });
        await innerStarted.Task.Bounded();

        var units = scope.GetLiveUnits();
        Assert.Equal(2, units.Count);
        Assert.Equal(2, scope.UnitsStarted);
        Assert.Equal("scope-test", scope.Name);
        Assert.DoesNotContain(units, u => u.Site.Line == LineOf("var outsider = Governed.Run(_ => gate.Task);"));

        // After the scope is disposed, new work of this flow is no longer tagged with it.
        scope.Dispose();
        var later = Governed.Run(_ => gate.Task);
        Assert.Equal(2, scope.GetLiveUnits().Count);
        Assert.Equal(2, scope.UnitsStarted);
        gate.SetResult();
        await Task.WhenAll(outer, outsider, later).Bounded();
        Assert.Empty(scope.GetLiveUnits());
    }

    [Fact]
    public async Task Snapshot_GroupsBySite_AndRendersTextAndJson()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new CountdownEvent(3);
        var time = new FakeTimeProvider();
        await using var group = new TaskGroup(new TaskGroupOptions { MaxConcurrency = 8, Name = "census-render", TimeProvider = time });
        for (var i = 0; i < 3; i++)
        {
            await group.GoAsync(async _ => { started.Signal(); await gate.Task; });
        }

        var line = LineOf("await group.GoAsync(async _ => { started.Signal(); await gate.Task; });", after: nameof(Snapshot_GroupsBySite_AndRendersTextAndJson));
        Assert.True(started.Wait(TaskTestExtensions.Limit));
        time.Advance(TimeSpan.FromSeconds(2));

        var snapshot = TaskCensus.Snapshot();
        var ours = Assert.Single(snapshot.Groups, g => g.Owners.Contains("taskgroup \"census-render\""));
        Assert.Equal(3, ours.Count);
        Assert.Equal(3, ours.Running);
        Assert.Equal(TimeSpan.FromSeconds(2), ours.OldestAge);
        Assert.Equal(line, ours.Site.Line);
        Assert.True(snapshot.TotalUnits >= 3);
        Assert.True(snapshot.Runtime.ThreadPoolThreads > 0);
        Assert.True(snapshot.Runtime.WorkingSetBytes > 0);

        var grouped = snapshot.ToText();
        Assert.StartsWith("governance census: ", grouped, StringComparison.Ordinal);
        Assert.Contains("runtime: threadpool threads=", grouped, StringComparison.Ordinal);
        Assert.Contains($"3 @ {nameof(Snapshot_GroupsBySite_AndRendersTextAndJson)} ({ThisFile}:{line})", grouped, StringComparison.Ordinal);
        Assert.Contains("oldest 2.0s; running=3 waiting=0 queued=0; taskgroup \"census-render\"", grouped, StringComparison.Ordinal);

        var units = snapshot.ToText(CensusTextDetail.Units);
        Assert.Equal(3, CountOf(units, "taskgroup \"census-render\" [running, 2.0s]"));

        using var json = JsonDocument.Parse(snapshot.ToJson(includeUnits: true));
        var root = json.RootElement;
        Assert.True(root.GetProperty("runtime").GetProperty("threadPoolThreads").GetInt32() > 0);
        var jsonGroup = root.GetProperty("groups").EnumerateArray().Single(g => g.GetProperty("owners")[0].GetString() == "taskgroup \"census-render\"");
        Assert.Equal(3, jsonGroup.GetProperty("count").GetInt32());
        Assert.Equal(line, jsonGroup.GetProperty("site").GetProperty("line").GetInt32());
        Assert.Equal(3, root.GetProperty("units").EnumerateArray().Count(u => u.GetProperty("ownerName").GetString() == "census-render"));

        gate.SetResult();
        await group.WaitAsync().Bounded();
    }

    [Fact]
    public async Task TaskLimiter_CallersWaitingInTheQueue_AreListedUntilAdmitted()
    {
        var time = new FakeTimeProvider();
        using var limiter = new TaskLimiter(new TaskLimiterOptions { MaxConcurrency = 1, QueueLimit = 10, Name = "census-limiter", TimeProvider = time });
        var held = await limiter.AcquireAsync();
        var waiting = limiter.AcquireAsync();
        var line = LineOf("var waiting = limiter.AcquireAsync();");
        time.Advance(TimeSpan.FromMilliseconds(250));

        var unit = Assert.Single(Units("census-limiter"));
        Assert.Equal(GovernedOwnerKind.TaskLimiter, unit.OwnerKind);
        Assert.Equal(GovernedUnitState.Waiting, unit.State);
        Assert.Equal(line, unit.Site.Line);
        Assert.Equal(TimeSpan.FromMilliseconds(250), unit.Age);

        held.Dispose();
        (await waiting.Bounded()).Dispose();
        Assert.Empty(Units("census-limiter")); // admitted work belongs to its caller, not to the limiter's queue
    }

    [Fact]
    public async Task WorkerPool_WorkersAndQueuedItems_AreListedUnderThePoolsSite()
    {
        var time = new FakeTimeProvider();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new CountdownEvent(2);

        // Queued items carry their enqueue time only while the queue-wait histogram listens (the census alone costs the
        // pool nothing per item); then the census shows the oldest one's age.
        using var queueWait = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<double>(null, GovernanceMeter.MeterName, "governance.pool.queue_wait");
        var pool = new WorkerPool<int>(
            async (_, _) => { started.Signal(); await gate.Task; },
            new WorkerPoolOptions { Workers = 2, Capacity = 10, Name = "census-pool", TimeProvider = time });
        var line = LineOf("var pool = new WorkerPool<int>(");
        await pool.EnqueueAsync(1);
        await pool.EnqueueAsync(2);
        Assert.True(started.Wait(TaskTestExtensions.Limit)); // both workers hold an item: the next two stay queued
        await pool.EnqueueAsync(3);
        await pool.EnqueueAsync(4);
        time.Advance(TimeSpan.FromSeconds(4));

        var units = Units("census-pool");
        Assert.All(units, u => Assert.Equal(line, u.Site.Line));
        Assert.Equal(2, units.Count(u => u.State == GovernedUnitState.Running));
        var queued = Assert.Single(units, u => u.State == GovernedUnitState.Queued);
        Assert.Equal(2, queued.Count);
        Assert.Equal(TimeSpan.FromSeconds(4), queued.Age);

        gate.SetResult();
        await pool.CompleteAsync().Bounded();
        await pool.DisposeAsync();
        Assert.Empty(Units("census-pool"));
    }

    [Fact]
    public async Task WorkerPool_CreatedInsideAScope_BelongsToIt_WithItsLabels_UntilDisposed()
    {
        var scope = TaskCensus.BeginScope();
        WorkerPool<int> pool;
        using (TaskCensus.WithLabels("job", "import"))
        {
            pool = new WorkerPool<int>((_, _) => Task.CompletedTask, new WorkerPoolOptions { Workers = 2, Capacity = 4, Name = "census-pool-scope" });
        }

        scope.Dispose();
        var units = scope.GetLiveUnits();
        Assert.Equal(2, units.Count); // the two idle workers
        Assert.All(units, u => Assert.Equal(GovernedOwnerKind.WorkerPool, u.OwnerKind));
        Assert.All(units, u => Assert.Equal(new KeyValuePair<string, string>[] { new("job", "import") }, u.Labels));
        Assert.Equal(2, scope.UnitsStarted);

        await pool.DisposeAsync();
        Assert.Empty(scope.GetLiveUnits());
    }

    [Fact]
    public async Task Ticker_TheLoopIsOneUnit_FromStartToStop_UnderTheDerivedConstructorsSite()
    {
        var time = new FakeTimeProvider();
        await using var machine = new Ticking.TestMachine(new TickerStateMachineOptions { Period = TimeSpan.FromSeconds(1), Name = "census-ticker", TimeProvider = time });
        Assert.Empty(Units("census-ticker"));
        using var scope = TaskCensus.BeginScope();
        await machine.StartAsync();
        time.Advance(TimeSpan.FromSeconds(3));

        var unit = Assert.Single(Units("census-ticker"));
        Assert.Equal(GovernedOwnerKind.Ticker, unit.OwnerKind);
        Assert.Equal("TestMachine.cs", unit.Site.FileName);
        Assert.Equal(TimeSpan.FromSeconds(3), unit.Age);
        Assert.Single(scope.GetLiveUnits()); // started inside the scope, though the loop runs without the starter's context

        await machine.StopAsync().Bounded();
        Assert.Empty(Units("census-ticker"));
    }

    [Fact]
    public async Task CountsAndInstruments_LiveUnitsPerOwnerKind_AndUnitsStarted()
    {
        using var collector = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<long>(null, GovernanceMeter.MeterName, "governance.units.live");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new CountdownEvent(2);
        var startedBefore = TaskCensus.CountStartedUnits(GovernedOwnerKind.TaskGroup);
        await using var group = new TaskGroup(new TaskGroupOptions { MaxConcurrency = 4, Name = "census-counts" });
        for (var i = 0; i < 2; i++)
        {
            await group.GoAsync(async _ => { started.Signal(); await gate.Task; });
        }

        Assert.True(started.Wait(TaskTestExtensions.Limit));
        Assert.True(TaskCensus.CountStartedUnits(GovernedOwnerKind.TaskGroup) - startedBefore >= 2);
        Assert.True(TaskCensus.CountStartedUnits() >= TaskCensus.CountStartedUnits(GovernedOwnerKind.TaskGroup));
        Assert.True(TaskCensus.CountLiveUnits(GovernedOwnerKind.TaskGroup) >= 2);
        Assert.True(TaskCensus.CountLiveUnits() >= TaskCensus.CountLiveUnits(GovernedOwnerKind.TaskGroup));

        collector.RecordObservableInstruments();
        var live = collector.GetMeasurementSnapshot().Where(m => (string?)m.Tags["governance.owner.kind"] == "taskgroup").ToList();
        Assert.NotEmpty(live);
        Assert.True(live[^1].Value >= 2);
        Assert.DoesNotContain(collector.GetMeasurementSnapshot(), m => m.Tags.ContainsKey("site")); // the site is never a tag

        gate.SetResult();
        await group.WaitAsync().Bounded();
    }

    [Fact]
    public void WithLabels_NullKeyOrValue_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => TaskCensus.WithLabels(null!, "v"));
        Assert.Throws<ArgumentNullException>(() => TaskCensus.WithLabels("k", null!));
        Assert.Throws<ArgumentNullException>(() => TaskCensus.WithLabels(new KeyValuePair<string, string>("k", null!)));
        Assert.Throws<ArgumentNullException>(() => { _ = Governed.Run(null!); });
    }

    [Fact]
    public void TaskGroupOptions_NullTimeProvider_ThrowsNamingIt()
    {
        var ex = Assert.Throws<ArgumentException>(() => new TaskGroup(new TaskGroupOptions { MaxConcurrency = 1, TimeProvider = null! }));
        Assert.Contains("TimeProvider", ex.Message, StringComparison.Ordinal);
    }

    internal static List<GovernedUnit> Units(string ownerName) =>
        TaskCensus.Snapshot().Units.Where(u => u.OwnerName == ownerName).ToList();

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var index = text.IndexOf(part, StringComparison.Ordinal); index >= 0; index = text.IndexOf(part, index + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    // The line of a statement in this file, so that the expected sites do not depend on hand-counted line numbers.
    private static int LineOf(string statement, string? after = null)
    {
        var lines = File.ReadAllLines(Governance.Tests.Shared.SourceFiles.Locate(ThisFile));
        var from = after is null ? 0 : Array.FindIndex(lines, l => l.Contains(after, StringComparison.Ordinal));
        for (var i = Math.Max(from, 0); i < lines.Length; i++)
        {
            if (lines[i].Contains(statement, StringComparison.Ordinal))
            {
                return i + 1;
            }
        }

        throw new InvalidOperationException($"No line contains '{statement}'.");
    }

    private static string ThisFilePath([CallerFilePath] string path = "") => path;
}
