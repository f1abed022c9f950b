using System.Runtime.CompilerServices;

namespace Governance.Testing.Tests;

/// <summary>Bounded waits (a test that would hang fails after a generous limit instead) and source lines.</summary>
internal static class TestSupport
{
    internal static readonly TimeSpan Limit = TimeSpan.FromSeconds(15);

    internal static Task Bounded(this Task task) => task.WaitAsync(Limit);

    internal static Task<T> Bounded<T>(this Task<T> task) => task.WaitAsync(Limit);

    /// <summary>A gate a test opens by hand; continuations never run inline on the opener.</summary>
    internal static TaskCompletionSource Gate() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The line of the first statement containing <paramref name="statement"/> in <paramref name="file"/>, so that expected sites do not depend on hand-counted lines.</summary>
    internal static int LineOf(string statement, [CallerFilePath] string file = "")
    {
        var lines = File.ReadAllLines(Governance.Tests.Shared.SourceFiles.Locate(file));
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Contains(statement, StringComparison.Ordinal))
            {
                return i + 1;
            }
        }

        throw new InvalidOperationException($"No line of {file} contains '{statement}'.");
    }

    internal static string ThisFile([CallerFilePath] string file = "") => file;
}
