using System.Diagnostics;

namespace Governance.Cli.Fixing;

/// <summary>Whether a path has uncommitted changes in git, so that <c>governance fix</c> never mixes its edits with the user's.</summary>
internal static class GitState
{
    /// <summary>
    /// The first lines of <c>git status --porcelain</c> for <paramref name="path"/> (tracked changes and untracked files),
    /// empty when it is clean; <see langword="null"/> when it is not in a git work tree or git is not installed.
    /// </summary>
    internal static IReadOnlyList<string>? UncommittedChanges(string path)
    {
        var directory = Directory.Exists(path) ? path : Path.GetDirectoryName(path)!;
        var inside = Git(directory, "rev-parse", "--is-inside-work-tree");
        if (inside is null || inside.Trim() != "true")
        {
            return null;
        }

        var status = Git(directory, "status", "--porcelain", "--", ".");
        return status is null ? null : status.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    private static string? Git(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start);
            if (process is null)
            {
                return null;
            }

            var output = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                process.Kill(entireProcessTree: true);
                return null;
            }

            return process.ExitCode == 0 ? output.GetAwaiter().GetResult() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // git is not installed
        }
    }
}
