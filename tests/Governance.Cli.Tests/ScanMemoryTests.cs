using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Governance.Cli.Tests;

/// <summary>
/// A source-mode scan compiles and analyses one project at a time, so its memory follows the largest project, not the
/// repository: scanning eight copies of this repository (over 150,000 lines) must take about as much memory as one.
/// </summary>
public sealed partial class ScanMemoryTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("governance-memory-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task Scan_150kLines_PeakMemoryStaysNearThatOfOneProjectSet()
    {
        var files = RepositorySources();
        var one = Path.Combine(_temp, "one");
        var many = Path.Combine(_temp, "many");
        Copy(files, Path.Combine(one, "copy1"));
        var copies = 0;
        long lines = 0;
        while (lines < 150_000)
        {
            copies++;
            lines += Copy(files, Path.Combine(many, $"copy{copies}"));
        }

        var (oneMegabytes, oneLines) = await PeakMemoryOfScanAsync(one);
        var (manyMegabytes, manyLines) = await PeakMemoryOfScanAsync(many);
        output.WriteLine($"{oneLines:N0} lines: peak {oneMegabytes} MB; {manyLines:N0} lines ({copies} copies): peak {manyMegabytes} MB");

        Assert.True(manyLines >= 150_000, $"only {manyLines} lines scanned");
        // Memory proportional to the code would be about {copies} times as much; bounded memory stays well under twice.
        Assert.True(manyMegabytes < oneMegabytes * 2, $"peak {manyMegabytes} MB for {manyLines:N0} lines vs {oneMegabytes} MB for {oneLines:N0} lines");
    }

    /// <summary>The repository's own C# sources and project files (real code, with its project structure).</summary>
    private static List<string> RepositorySources()
    {
        var root = Cli.RepositoryRoot;
        return new[] { "src", "analyzers", "tests", "samples" }
            .SelectMany(dir => Directory.EnumerateFiles(Path.Combine(root, dir), "*", SearchOption.AllDirectories))
            .Where(f => Path.GetExtension(f) is ".cs" or ".csproj" && !Path.GetRelativePath(root, f).Split(Path.DirectorySeparatorChar).Any(p => p is "bin" or "obj"))
            .Append(Path.Combine(root, "Directory.Build.props"))
            .Select(f => Path.GetRelativePath(root, f))
            .ToList();
    }

    private static long Copy(List<string> files, string destination)
    {
        long lines = 0;
        foreach (var file in files)
        {
            var target = Path.Combine(destination, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(Cli.RepositoryRoot, file), target);
            if (file.EndsWith(".cs", StringComparison.Ordinal))
            {
                lines += File.ReadLines(target).LongCount();
            }
        }

        return lines;
    }

    /// <summary>Runs the scanner in its own process (so that the figure is the scan's alone) and reads its summary line.</summary>
    private static async Task<(long Megabytes, long Lines)> PeakMemoryOfScanAsync(string path)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "..", "..", "Governance.Cli", new DirectoryInfo(AppContext.BaseDirectory).Name, "Governance.Cli.dll");
        Assert.True(File.Exists(cli), $"the command line is not built at {cli}");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { cli, "scan", path, "--fail-on", "none" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        // Output to a pipe is one finding per line; the summary line goes to stderr.
        var text = await stdout + await stderr;
        Assert.True(process.ExitCode == 0, $"scan exited with {process.ExitCode}: {text}");
        var summary = Summary().Match(text);
        Assert.True(summary.Success, $"no summary line in: {text}");
        return (long.Parse(summary.Groups["mb"].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture),
                long.Parse(summary.Groups["lines"].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"\((?<lines>[0-9,]+)\s+lines\)[\s\S]*?peak\s+memory\s+(?<mb>[0-9,]+)\s+MB")]
    private static partial Regex Summary();
}
