using Spectre.Console;
using Spectre.Console.Testing;

namespace Governance.Cli.Tests;

/// <summary>The command line itself: strict options, --exclude, the mode line, and the format of a report for a pipe or a terminal.</summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("governance-cmd-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Theory]
    [InlineData("scan", "--no-such-option", "1")]
    [InlineData("scan", "--no-such-flag")]
    [InlineData("fix", "--dry-run", "--no-such-flag")]
    public async Task UnknownOption_IsAUsageError(params string[] args)
    {
        Assert.Equal(2, await Cli.Run([args[0], Cli.Sample("LeakyOrders"), .. args[1..]]));
    }

    [Theory]
    [InlineData("/abs/path")]
    [InlineData("../up")]
    [InlineData(" ")]
    public async Task Exclude_GlobOutsideTheScannedFolder_IsAUsageError(string glob)
    {
        Assert.Equal(2, await Cli.Run("scan", Cli.Sample("LeakyOrders"), "--exclude", glob));
    }

    [Fact]
    public async Task Exclude_NameGlobsAndAnchoredGlobs_LeaveOutWhatTheyMatch_AtAnyDepth()
    {
        var leak = "namespace App; public static class Batch {0} {{ public static void Start(System.Collections.Generic.List<int> items) {{ foreach (var i in items) {{ _ = System.Threading.Tasks.Task.Run(() => i); }} }} }}";
        foreach (var folder in new[] { "src/App", "src/App.Tests", "tests/Unit", "samples/Demo", "src/App/Generated" })
        {
            var path = Directory.CreateDirectory(Path.Combine(_temp, folder)).FullName;
            await File.WriteAllTextAsync(Path.Combine(path, "Batch.cs"), string.Format(System.Globalization.CultureInfo.InvariantCulture, leak, folder.Replace('/', '_').Replace('.', '_')));
        }

        Assert.Equal(["src/App/Batch.cs", "src/App/Generated/Batch.cs"], await PathsAsync("--exclude", "tests", "--exclude", "*.TESTS", "--exclude", "samples/**"));
        Assert.Equal(["samples/Demo/Batch.cs", "src/App.Tests/Batch.cs", "src/App/Batch.cs", "tests/Unit/Batch.cs"], await PathsAsync("--exclude", "src/*/Generated"));
        Assert.Equal(["samples/Demo/Batch.cs"], await PathsAsync("--exclude", "src/**/*.cs", "--exclude", "tests"));
        Assert.Equal(2, await Cli.Run("scan", _temp, "--exclude", "**"));
    }

    [Fact]
    public async Task Scan_SubfolderOfAGitRepository_ReportsPathsFromItsTopLevel_AndAnchorsExcludeGlobsThere()
    {
        Directory.CreateDirectory(Path.Combine(_temp, ".git"));
        var leak = "namespace App; public static class Batch {0} {{ public static void Start(System.Collections.Generic.List<int> items) {{ foreach (var i in items) {{ _ = System.Threading.Tasks.Task.Run(() => i); }} }} }}";
        foreach (var folder in new[] { "src/App", "src/App/Generated", "tests/Unit" })
        {
            var path = Directory.CreateDirectory(Path.Combine(_temp, folder)).FullName;
            await File.WriteAllTextAsync(Path.Combine(path, "Batch.cs"), string.Format(System.Globalization.CultureInfo.InvariantCulture, leak, folder.Replace('/', '_')));
        }

        Assert.Equal(["src/App/Batch.cs", "src/App/Generated/Batch.cs"], await PathsUnderAsync(Path.Combine(_temp, "src")));
        Assert.Equal(["src/App/Batch.cs"], await PathsUnderAsync(Path.Combine(_temp, "src"), "--exclude", "src/*/Generated"));
        Assert.Equal(["src/App/Batch.cs"], await PathsUnderAsync(Path.Combine(_temp, "src", "App"), "--exclude", "Generated"));
        // A folder above the scanned one never excludes it.
        Assert.Equal(["tests/Unit/Batch.cs"], await PathsUnderAsync(Path.Combine(_temp, "tests", "Unit"), "--exclude", "tests"));

        var report = Path.Combine(_temp, "report.json");
        await Cli.Run("scan", Path.Combine(_temp, "src"), "--format", "json", "--output", report, "--fail-on", "none");
        using var json = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(report));
        Assert.Equal(_temp, json.RootElement.GetProperty("root").GetString());
    }

    [Fact]
    public async Task Scan_TableToAPipeOrFile_IsOneFindingPerLine()
    {
        var output = Path.Combine(_temp, "report.txt");
        Assert.Equal(1, await Cli.Run("scan", Cli.Sample("LeakyOrders"), "--output", output));

        var lines = await File.ReadAllLinesAsync(output);
        Assert.Equal(13, lines.Length);
        Assert.All(lines, line => Assert.Matches(@"^[^ :]+\.cs:[0-9]+:[0-9]+: (error|warning|info) GOV[0-9]{4}: \S", line));
        Assert.Contains(lines, l => l.StartsWith(Cli.SamplePath("LeakyOrders", "OrderFulfilment.cs") + ":", StringComparison.Ordinal) && l.Contains(": warning GOV1001: Task.Run", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Scan_TableToAConsoleThatIsNotATerminal_IsOneFindingPerLine()
    {
        var console = new TestConsole { EmitAnsiSequences = false };
        Assert.False(console.Profile.Out.IsTerminal);
        Assert.Equal(1, await GovernanceApp.RunAsync(["scan", Cli.Sample("LeakyOrders")], console));
        var lines = console.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(13, lines.Length);
        Assert.All(lines, line => Assert.Matches(@"^[^ :]+\.cs:[0-9]+:[0-9]+: (error|warning|info) GOV[0-9]{4}: ", line));
    }

    [Fact]
    public async Task Scan_TableOnANarrowTerminal_NeverBreaksAHelpLink_AndSaysTheMode()
    {
        var console = Terminal(width: 60);
        Assert.Equal(1, await GovernanceApp.RunAsync(["scan", Cli.Sample("LeakyOrders")], console));

        Assert.Contains("Mode: source mode", console.Output, StringComparison.Ordinal);
        foreach (var id in new[] { "GOV1001", "GOV1002", "GOV2001", "GOV2002", "GOV3001", "GOV3002", "GOV3003", "GOV5001", "GOV5002" })
        {
            Assert.Contains($"docs/rules/{id}.md", console.Output, StringComparison.Ordinal);
        }

        // Every link that starts on a line ends on it.
        Assert.All(console.Output.Split('\n').Where(l => l.Contains("https://", StringComparison.Ordinal)), l => Assert.Matches(@"https://\S+\.md", l));
    }

    /// <summary>A test console that says it is a terminal, as the real console does when nothing is redirected.</summary>
    internal static TestConsole Terminal(int width)
    {
        var console = new TestConsole { EmitAnsiSequences = false };
        console.Profile.Out = new TerminalOutput(console.Profile.Out);
        console.Profile.Width = width;
        return console;
    }

    private Task<List<string>> PathsAsync(params string[] exclude) => PathsUnderAsync(_temp, exclude);

    private async Task<List<string>> PathsUnderAsync(string folder, params string[] exclude)
    {
        var output = Path.Combine(_temp, Guid.NewGuid().ToString("N") + ".txt");
        await Cli.Run(["scan", folder, "--output", output, "--fail-on", "none", .. exclude]);
        return (await File.ReadAllLinesAsync(output)).Select(l => l[..l.IndexOf(':', StringComparison.Ordinal)]).Order(StringComparer.Ordinal).ToList();
    }

    private sealed class TerminalOutput(IAnsiConsoleOutput inner) : IAnsiConsoleOutput
    {
        public TextWriter Writer => inner.Writer;

        public bool IsTerminal => true;

        public int Width => inner.Width;

        public int Height => inner.Height;

        public void SetEncoding(System.Text.Encoding encoding) => inner.SetEncoding(encoding);
    }
}
