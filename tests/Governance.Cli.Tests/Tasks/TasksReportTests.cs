using Governance.Cli.Diagnosis.Tasks;

namespace Governance.Cli.Tests.Tasks;

/// <summary>The diff keeps only what grew and sorts it; the text report leads with counts.</summary>
public sealed class TasksReportTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 4, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Diff_KeepsOnlyGrownGroups_MostGrowthFirst_NewGroupsFromZero()
    {
        var before = Snapshot(T0, [Chain("A.Run", 10), Chain("B.Run", 5), Chain("C.Run", 7)], [Timer("T.Tick", 3)]);
        var after = Snapshot(T0.AddSeconds(10), [Chain("A.Run", 12), Chain("B.Run", 1), Chain("C.Run", 7), Chain("D.Run", 4)], [Timer("T.Tick", 3)]);

        var diff = TasksDiff.Between(before, after);

        Assert.Equal(["D.Run", "A.Run"], diff.Chains.Select(g => g.Group.Frames[0]));
        Assert.Equal([4L, 2L], diff.Chains.Select(g => g.Delta));
        Assert.Equal(0, diff.Chains[0].Before);
        Assert.Empty(diff.Timers);
    }

    [Fact]
    public void Text_NothingGrew_SaysSo()
    {
        var snapshot = Snapshot(T0, [Chain("A.Run", 1)], []);

        var text = TasksReport.Text(TasksDiff.Between(snapshot, snapshot with { TakenAt = T0.AddSeconds(5) }), 20);

        Assert.Contains("what grew in 5 s", text, StringComparison.Ordinal);
        Assert.Contains("Nothing grew.", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_Top_ListsThatManyGroups_AndSaysHowManyMore()
    {
        var snapshot = Snapshot(T0, [Chain("A.Run", 30), Chain("B.Run", 20), Chain("C.Run", 10)], []);

        var text = TasksReport.Text(snapshot, 2);

        Assert.Contains("60 await chains, 3 distinct", text, StringComparison.Ordinal);
        Assert.Contains("A.Run", text, StringComparison.Ordinal);
        Assert.Contains("B.Run", text, StringComparison.Ordinal);
        Assert.DoesNotContain("C.Run", text, StringComparison.Ordinal);
        Assert.Contains("... 1 more (--top N shows more)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void DiffJson_GivesBothSnapshotsHeaders_WithTheirTimerCounts_AndOnlyTheGrowth()
    {
        var before = Snapshot(T0, [Chain("A.Run", 1)], [Timer("T.Tick", 3)]);
        var after = Snapshot(T0.AddSeconds(10), [Chain("A.Run", 4)], [Timer("T.Tick", 5)]);

        using var json = System.Text.Json.JsonDocument.Parse(TasksReport.Json(TasksDiff.Between(before, after), 20));
        var root = json.RootElement;

        Assert.Equal(10_000, root.GetProperty("intervalMs").GetDouble());
        Assert.Equal(3, root.GetProperty("before").GetProperty("scheduledTimers").GetInt32());
        Assert.Equal(5, root.GetProperty("after").GetProperty("scheduledTimers").GetInt32());
        Assert.False(root.GetProperty("before").TryGetProperty("chains", out _));
        Assert.Equal(3, root.GetProperty("chains")[0].GetProperty("growth").GetInt64());
        Assert.Equal(2, root.GetProperty("timers")[0].GetProperty("growth").GetInt64());
        Assert.Empty(root.GetProperty("channels").EnumerateArray());
    }

    [Fact]
    public void Channel_WhoseBufferCannotBeCounted_IsAQuestionMark_AndNullInJson()
    {
        var snapshot = Snapshot(T0, [], []) with { Channels = [new ChannelGroup("SingleConsumerUnboundedChannel", "Point", 1, null, 0, 0)] };

        var text = TasksReport.Text(snapshot, 20);
        using var json = System.Text.Json.JsonDocument.Parse(TasksReport.Json(snapshot, 20));

        Assert.Contains("      1  ?         SingleConsumerUnboundedChannel<Point>", text, StringComparison.Ordinal);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, json.RootElement.GetProperty("channels")[0].GetProperty("bufferedItems").ValueKind);
    }

    private static TasksSnapshot Snapshot(DateTimeOffset at, AwaitChainGroup[] chains, TimerGroup[] timers) =>
        new(1, "10.0.0", at, new SnapshotCost("dump", TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(50), 100), chains.Sum(c => c.Count), 0, chains, timers, []);

    private static AwaitChainGroup Chain(string frame, int count) =>
        new([frame], ["N." + frame], "Task", count, new Dictionary<int, int> { [0] = count });

    private static TimerGroup Timer(string callback, int count) => new(callback, "N." + callback, TimeSpan.FromSeconds(1), count);
}
