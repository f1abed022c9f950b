using System.Diagnostics;
using System.Text.Json;
using Spectre.Console.Testing;

namespace Governance.Cli.Tests;

/// <summary>Runs the command line in-process and finds the repository's samples.</summary>
internal static class Cli
{
    internal static Task<int> Run(params string[] args) => GovernanceApp.RunAsync(args, new TestConsole());

    /// <summary>Runs with a wide test console that says it is a terminal and returns the exit code and what was written to it.</summary>
    internal static async Task<(int Exit, string Output)> RunWithOutput(params string[] args)
    {
        var console = CommandLineTests.Terminal(width: 400);
        var exit = await GovernanceApp.RunAsync(args, console);
        return (exit, console.Output);
    }

    /// <summary>The rule IDs a JSON scan of <paramref name="path"/> reports (written to a file under <paramref name="temp"/>).</summary>
    internal static async Task<List<string>> Ids(string temp, string path)
    {
        var output = Path.Combine(temp, Guid.NewGuid().ToString("N") + ".json");
        await Run("scan", path, "--format", "json", "--output", output, "--fail-on", "none");
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(output));
        return json.RootElement.GetProperty("diagnostics").EnumerateArray().Select(d => d.GetProperty("id").GetString()!).Order(StringComparer.Ordinal).ToList();
    }

    internal static string Sample(string name) => Path.Combine(RepositoryRoot, "samples", name);

    /// <summary>
    /// What the CLI reports a file of <paramref name="folder"/> relative to: the git work tree's top folder above it (a
    /// clone, or a worktree whose .git is a file), or the folder itself outside git.
    /// </summary>
    internal static string ReportRoot(string folder)
    {
        for (var dir = new DirectoryInfo(folder); dir is not null; dir = dir.Parent)
        {
            var git = Path.Combine(dir.FullName, ".git");
            if (Directory.Exists(git) || File.Exists(git))
            {
                return dir.FullName;
            }
        }

        return folder;
    }

    /// <summary>A sample's file as the CLI reports it.</summary>
    internal static string SamplePath(string sample, string file) =>
        Path.GetRelativePath(ReportRoot(Sample(sample)), Path.Combine(Sample(sample), file)).Replace('\\', '/');

    internal static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Governance.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("repository root not found");
        }
    }

    /// <summary>Runs git in <paramref name="directory"/> with a fixed identity; throws with its output when it fails.</summary>
    internal static void Git(string directory, params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-c", "user.name=Governance Tests", "-c", "user.email=tests@example.invalid", "-c", "commit.gpgsign=false" }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "git did not finish");
        Assert.True(process.ExitCode == 0, $"git {string.Join(' ', args)} failed: {output.Result}{error.Result}");
    }
}
