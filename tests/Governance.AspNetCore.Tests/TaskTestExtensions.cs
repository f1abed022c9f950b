namespace Governance.AspNetCore.Tests;

/// <summary>Bounded waits: a test that would hang fails after a generous limit instead.</summary>
internal static class TaskTestExtensions
{
    internal static readonly TimeSpan Limit = TimeSpan.FromSeconds(15);

    internal static Task Bounded(this Task task) => task.WaitAsync(Limit);

    internal static Task<T> Bounded<T>(this Task<T> task) => task.WaitAsync(Limit);

    internal static async Task WaitUntil(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Limit);
        while (!condition())
        {
            await Task.Delay(1, timeout.Token);
        }
    }
}
