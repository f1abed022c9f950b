using System.Text.Json;
using Governance.Cli;
using Spectre.Console;
using Spectre.Console.Testing;

namespace Governance.Cli.Tests;

public sealed class ScanCommandTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("governance-cli-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task Scan_LeakySample_Json_HasTheContractShapeAndEveryShippedRule()
    {
        var output = Path.Combine(_temp, "report.json");
        var exit = await Run("scan", Sample("LeakyOrders"), "--format", "json", "--output", output);

        Assert.Equal(1, exit);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(output));
        var root = json.RootElement;
        Assert.Equal(["root", "mode", "fallbackReason", "files", "lines", "durationMs", "analyzerExceptions", "binding", "notes", "diagnostics"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("source", root.GetProperty("mode").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("fallbackReason").ValueKind);
        Assert.Equal(["filesUsingCoreTypes", "filesUnresolved", "unresolvedByName", "assumedImplicitUsings", "unresolvedFiles"], root.GetProperty("binding").EnumerateObject().Select(p => p.Name));
        Assert.Equal(0, root.GetProperty("binding").GetProperty("filesUnresolved").GetInt32());
        Assert.Empty(root.GetProperty("notes").EnumerateArray());
        Assert.True(root.GetProperty("files").GetInt32() >= 8);
        Assert.True(root.GetProperty("lines").GetInt64() > 100);
        Assert.Equal(0, root.GetProperty("analyzerExceptions").GetInt32());

        var diagnostics = root.GetProperty("diagnostics").EnumerateArray().ToList();
        var expected = File.ReadAllLines(Path.Combine(Sample("LeakyOrders"), "expected-diagnostics.txt")).Where(l => l.StartsWith("GOV", StringComparison.Ordinal));
        Assert.Superset(expected.ToHashSet(), diagnostics.Select(d => d.GetProperty("id").GetString()!).ToHashSet());
        foreach (var diagnostic in diagnostics)
        {
            Assert.Equal(["id", "severity", "path", "line", "column", "message"], diagnostic.EnumerateObject().Select(p => p.Name));
            Assert.DoesNotContain('\\', diagnostic.GetProperty("path").GetString()!);
            Assert.False(Path.IsPathRooted(diagnostic.GetProperty("path").GetString()));
            Assert.True(diagnostic.GetProperty("line").GetInt32() >= 1);
            Assert.True(diagnostic.GetProperty("column").GetInt32() >= 1);
        }

        // 1-based line and column of the diagnostic's start: the Task.Run in OrderFulfilment.cs.
        var spawn = diagnostics.Single(d => d.GetProperty("id").GetString() == "GOV1001");
        var line = File.ReadAllLines(Path.Combine(Sample("LeakyOrders"), "OrderFulfilment.cs"))[spawn.GetProperty("line").GetInt32() - 1];
        Assert.Equal("Task.Run", line.Substring(spawn.GetProperty("column").GetInt32() - 1, "Task.Run".Length));
    }

    [Fact]
    public async Task Scan_Sarif_Is210WithRulesAndResults()
    {
        var output = Path.Combine(_temp, "report.sarif");
        await Run("scan", Sample("LeakyOrders"), "--format", "sarif", "--output", output);
        using var sarif = JsonDocument.Parse(await File.ReadAllTextAsync(output));
        Assert.Equal("2.1.0", sarif.RootElement.GetProperty("version").GetString());
        var run = sarif.RootElement.GetProperty("runs")[0];
        var rules = run.GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray().Select(r => r.GetProperty("id").GetString()).ToList();
        Assert.Contains("GOV1001", rules);
        Assert.Contains(run.GetProperty("properties").GetProperty("mode").GetString(), new[] { "project", "source" });
        var results = run.GetProperty("results").EnumerateArray().ToList();
        Assert.NotEmpty(results);
        Assert.All(results, r =>
        {
            Assert.Contains(r.GetProperty("level").GetString(), new[] { "error", "warning", "note" });
            var location = r.GetProperty("locations")[0].GetProperty("physicalLocation");
            Assert.Equal("%SRCROOT%", location.GetProperty("artifactLocation").GetProperty("uriBaseId").GetString());
            Assert.True(location.GetProperty("region").GetProperty("startLine").GetInt32() >= 1);
        });
    }

    [Theory]
    [InlineData("none", 0)]
    [InlineData("error", 0)]
    [InlineData("warning", 1)]
    [InlineData("info", 1)]
    public async Task Scan_FailOn_DecidesTheExitCode(string failOn, int expected)
    {
        Assert.Equal(expected, await Run("scan", Sample("LeakyOrders"), "--format", "json", "--output", Path.Combine(_temp, "r.json"), "--fail-on", failOn));
    }

    [Fact]
    public async Task Scan_MissingPath_ExitsWith2()
    {
        Assert.Equal(2, await Run("scan", Path.Combine(_temp, "does-not-exist")));
    }

    [Fact]
    public async Task Scan_FolderWithoutCSharp_ExitsWith2()
    {
        await File.WriteAllTextAsync(Path.Combine(_temp, "notes.txt"), "nothing to see");
        Assert.Equal(2, await Run("scan", _temp));
    }

    [Fact]
    public async Task Scan_UnreadableFile_ExitsWith2()
    {
        // A link to a file that is gone: listed as a .cs file, but it cannot be opened (unlike a chmod, this holds as root).
        await File.WriteAllTextAsync(Path.Combine(_temp, "Fine.cs"), "class Fine { }");
        File.CreateSymbolicLink(Path.Combine(_temp, "Gone.cs"), Path.Combine(_temp, "missing", "Gone.cs"));
        Assert.Equal(2, await Run("scan", _temp));
    }

    [Fact]
    public async Task Scan_SkipsBuildOutputAndDependencyFolders()
    {
        await File.WriteAllTextAsync(Path.Combine(_temp, "App.cs"), "class App { }");
        foreach (var skipped in new[] { "bin", "obj", "node_modules", "artifacts" })
        {
            var folder = Directory.CreateDirectory(Path.Combine(_temp, skipped, "nested")).FullName;
            await File.WriteAllTextAsync(Path.Combine(folder, "Leak.cs"), "class Leak { void M(System.Collections.Generic.List<int> xs) { foreach (var x in xs) { _ = System.Threading.Tasks.Task.Run(() => x); } } }");
        }

        var output = Path.Combine(_temp, "report.json");
        Assert.Equal(0, await Run("scan", _temp, "--format", "json", "--output", output));
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(output));
        Assert.Equal(1, json.RootElement.GetProperty("files").GetInt32());
    }

    [Fact]
    public async Task Scan_UnknownFormat_ExitsWith2()
    {
        Assert.Equal(2, await Run("scan", Sample("LeakyOrders"), "--format", "xml"));
    }

    [Fact]
    public async Task Scan_ImplicitUsingsOfTheOwningProject_MakeBclPatternsBind()
    {
        var leak = """
            namespace App;
            public static class Batch
            {
                public static void Start(List<int> items)
                {
                    foreach (var item in items)
                    {
                        _ = Task.Run(() => Console.WriteLine(item));
                    }
                }
            }
            """;
        var withUsings = Directory.CreateDirectory(Path.Combine(_temp, "with")).FullName;
        await File.WriteAllTextAsync(Path.Combine(withUsings, "App.csproj"), "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><ImplicitUsings>enable</ImplicitUsings></PropertyGroup></Project>");
        await File.WriteAllTextAsync(Path.Combine(withUsings, "Batch.cs"), leak);
        var without = Directory.CreateDirectory(Path.Combine(_temp, "without")).FullName;
        await File.WriteAllTextAsync(Path.Combine(without, "App.csproj"), "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><ImplicitUsings>disable</ImplicitUsings></PropertyGroup></Project>");
        await File.WriteAllTextAsync(Path.Combine(without, "Batch.cs"), leak);

        Assert.Contains("GOV1001", await Ids(withUsings));
        Assert.DoesNotContain("GOV1001", await Ids(without)); // Task does not resolve without the usings
    }

    [Fact]
    public async Task Scan_ImplicitUsingsFromDirectoryBuildProps_AndUsingItems_Apply()
    {
        var root = Directory.CreateDirectory(Path.Combine(_temp, "repo")).FullName;
        await File.WriteAllTextAsync(Path.Combine(root, "Directory.Build.props"), "<Project><PropertyGroup><ImplicitUsings>enable</ImplicitUsings></PropertyGroup><ItemGroup><Using Include=\"System.Threading.Channels\" /></ItemGroup></Project>");
        var project = Directory.CreateDirectory(Path.Combine(root, "src", "App")).FullName;
        await File.WriteAllTextAsync(Path.Combine(project, "App.csproj"), "<Project Sdk=\"Microsoft.NET.Sdk\" />");
        await File.WriteAllTextAsync(Path.Combine(project, "Audit.cs"), """
            namespace App;
            public sealed class Audit
            {
                private readonly Channel<string> _entries = Channel.CreateUnbounded<string>();
                public void Record(string entry) => _entries.Writer.TryWrite(entry);
            }
            """);

        Assert.Contains("GOV3001", await Ids(root));
    }

    [Fact]
    public async Task Scan_EditorConfigSeverityNone_TurnsARuleOff()
    {
        var root = Directory.CreateDirectory(Path.Combine(_temp, "quiet")).FullName;
        await File.WriteAllTextAsync(Path.Combine(root, "App.csproj"), "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><ImplicitUsings>enable</ImplicitUsings></PropertyGroup></Project>");
        await File.WriteAllTextAsync(Path.Combine(root, "Timers.cs"), """
            namespace App;
            public static class Heartbeat
            {
                public static void Start() => new System.Threading.Timer(_ => { }, null, 0, 1000);
            }
            """);
        Assert.Contains("GOV2002", await Ids(root));
        await File.WriteAllTextAsync(Path.Combine(root, ".editorconfig"), "[*.cs]\ndotnet_diagnostic.GOV2002.severity = none\n");
        Assert.DoesNotContain("GOV2002", await Ids(root));
    }

    [Fact]
    public async Task Scan_BrokenCode_DoesNotCrashAndReportsNoAnalyzerException()
    {
        var root = Directory.CreateDirectory(Path.Combine(_temp, "broken")).FullName;
        await File.WriteAllTextAsync(Path.Combine(root, "Truncated.cs"), "public class A { public void M() { foreach (var x in xs) { _ = Task.Run(() =>");
        await File.WriteAllTextAsync(Path.Combine(root, "Braces.cs"), "namespace N { class B { void M() { while (true) { } } ");
        await File.WriteAllTextAsync(Path.Combine(root, "Unresolved.cs"), "class C { Unknown.Type _t = new Unknown.Type(); void M() { _t.Go(); } }");
        await File.WriteAllTextAsync(Path.Combine(root, "CSharp14.cs"), "static class E { extension(string s) { public int Twice => s.Length * 2; } }");
        var output = Path.Combine(_temp, "broken.json");

        var exit = await Run("scan", root, "--format", "json", "--output", output, "--fail-on", "none");

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(output));
        Assert.Equal(4, json.RootElement.GetProperty("files").GetInt32());
        Assert.Equal(0, json.RootElement.GetProperty("analyzerExceptions").GetInt32());
    }

    [Fact]
    public async Task Rules_ListsEveryRuleWithItsHelpLink()
    {
        var console = new TestConsole { EmitAnsiSequences = false };
        console.Profile.Width = 400;
        Assert.Equal(0, await GovernanceApp.RunAsync(["rules"], console));
        foreach (var id in new[] { "GOV1001", "GOV1002", "GOV1003", "GOV1004", "GOV2001", "GOV2002", "GOV3001", "GOV3002", "GOV3003", "GOV4001", "GOV4002", "GOV5001", "GOV5002" })
        {
            Assert.Contains(id, console.Output, StringComparison.Ordinal);
            Assert.Contains($"docs/rules/{id}.md", console.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Scan_Table_GroupsByRuleWithCounts()
    {
        var console = CommandLineTests.Terminal(width: 400);
        Assert.Equal(1, await GovernanceApp.RunAsync(["scan", Sample("LeakyOrders")], console));
        Assert.Contains("GOV1001 (1)", console.Output, StringComparison.Ordinal);
        Assert.Contains("OrderFulfilment.cs:", console.Output, StringComparison.Ordinal);
        Assert.Contains("lines/s", console.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_MeasureFloor_ReportsBothRatesAndTheRatio()
    {
        var (exit, output) = await Cli.RunWithOutput("scan", Sample("LeakyOrders"), "--measure-floor");

        Assert.Equal(1, exit);
        Assert.Matches(@"floor \(one trivial operation analyzer\): [0-9.]+ s, [0-9,]+ lines/s; all Governance rules: [0-9.]+ s, [0-9,]+ lines/s; ratio [0-9.]+x", output);
        Assert.Matches(@"analyzer time per rule \(summed over threads\): GOV[0-9]{4}[^ ]* [0-9.]+ s", output);
        foreach (var id in new[] { "GOV1001", "GOV1002", "GOV2001", "GOV2002", "GOV3001", "GOV3002", "GOV3003", "GOV5001", "GOV5002" })
        {
            Assert.Matches($@"{id}[^ ]* [0-9.]+ s", output);
        }

        Assert.Contains("GOV1001 (1)", output, StringComparison.Ordinal); // the report is still written
    }

    private Task<List<string>> Ids(string root) => Cli.Ids(_temp, root);

    private static Task<int> Run(params string[] args) => Cli.Run(args);

    private static string Sample(string name) => Cli.Sample(name);
}
