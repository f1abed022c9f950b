namespace Governance.Cli.Diagnosis.Tasks;

/// <summary>What grew between two snapshots of one process (pprof's <c>-base</c>): only the groups that grew, most first.</summary>
internal sealed record TasksDiff(
    TasksSnapshot Before,
    TasksSnapshot After,
    IReadOnlyList<Growth<AwaitChainGroup>> Chains,
    IReadOnlyList<Growth<TimerGroup>> Timers,
    IReadOnlyList<Growth<ChannelGroup>> Channels)
{
    internal static TasksDiff Between(TasksSnapshot before, TasksSnapshot after) => new(
        before,
        after,
        Grown(before.Chains, after.Chains, g => g.Key, g => g.Count),
        Grown(before.Timers, after.Timers, g => g.Key, g => g.Count),
        Grown(before.Channels, after.Channels, g => g.Key, g => g.BufferedItems ?? 0));

    private static List<Growth<T>> Grown<T>(IReadOnlyList<T> before, IReadOnlyList<T> after, Func<T, string> key, Func<T, long> size)
    {
        var earlier = before.ToDictionary(key, size, StringComparer.Ordinal);
        return after
            .Select(g => new Growth<T>(g, earlier.GetValueOrDefault(key(g)), size(g)))
            .Where(g => g.After > g.Before)
            .OrderByDescending(g => g.After - g.Before)
            .ToList();
    }
}

/// <summary>One group that grew: its size in the first snapshot and in the second.</summary>
internal sealed record Growth<T>(T Group, long Before, long After)
{
    internal long Delta => After - Before;
}
