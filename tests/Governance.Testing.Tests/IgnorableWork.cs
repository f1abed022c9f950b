namespace Governance.Testing.Tests;

/// <summary>Work started from another file, under its own member and owner names, for the ignore rules to name.</summary>
internal static class IgnorableWork
{
    internal const string OwnerName = "ignorable";

    /// <summary>Starts one unit of <paramref name="group"/> (named <see cref="OwnerName"/>) that runs until <paramref name="gate"/> opens.</summary>
    internal static async Task StartIgnorable(TaskGroup group, Task gate)
    {
        Assert.True(await group.GoAsync(_ => gate));
    }

    /// <summary>Creates a timer through <paramref name="time"/> and never disposes it.</summary>
    internal static ITimer CreateTimer(TimeProvider time) =>
        time.CreateTimer(static _ => { }, null, TimeSpan.FromMinutes(1), Timeout.InfiniteTimeSpan);
}
