using System.Text.Json;

namespace Governance.Cli.Tests;

/// <summary>Source mode: projects compiled in dependency order, implicit usings assumed where a copied folder lost them, and the binding reported.</summary>
public sealed class SourceModeTests : IDisposable
{
    private const string Sdk = "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><ImplicitUsings>enable</ImplicitUsings></PropertyGroup>";

    private readonly string _temp = Directory.CreateTempSubdirectory("governance-source-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task Scan_Folder_BindsTypesOfAReferencedSiblingProject()
    {
        var root = await TwoProjectsAsync();

        // The fan-out awaits Remote.SendAsync, defined in project A: only a compilation that sees A knows it returns a Task.
        var report = await ScanJsonAsync(root);
        Assert.Contains(report.Diagnostics, d => d is ("GOV1002", "Fleet/Broadcast.cs"));
    }

    [Fact]
    public async Task Scan_Folder_WithoutTheSiblingProject_DoesNotBindIt()
    {
        // The control for the test above: the same code with A left out has nothing to bind the call to.
        var root = await TwoProjectsAsync();
        var report = await ScanJsonAsync(root, "--exclude", "Remoting");
        Assert.DoesNotContain(report.Diagnostics, d => d.Id == "GOV1002");
    }

    [Fact]
    public async Task Fix_Folder_SeesTheSiblingProjectToo()
    {
        var root = await TwoProjectsAsync();
        var (exit, output) = await Cli.RunWithOutput("fix", root, "--dry-run");
        Assert.Equal(0, exit);
        Assert.Contains("Broadcast.cs", output, StringComparison.Ordinal); // GOV1002 has no automatic fix: listed as remaining
        Assert.Contains("Mode: source mode", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_CopiedSampleWithoutItsDirectoryBuildProps_AssumesImplicitUsingsAndSaysSo()
    {
        // samples/LeakyOrders gets ImplicitUsings from the repository's Directory.Build.props: a copy outside has none.
        var copy = Path.Combine(_temp, "LeakyOrders");
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.EnumerateFiles(Cli.Sample("LeakyOrders")).Where(f => Path.GetExtension(f) is ".cs" or ".csproj"))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }

        var report = await ScanJsonAsync(copy);

        var expected = File.ReadAllLines(Path.Combine(Cli.Sample("LeakyOrders"), "expected-diagnostics.txt")).Where(l => l.StartsWith("GOV", StringComparison.Ordinal));
        Assert.Equal(expected.Order(StringComparer.Ordinal), report.Diagnostics.Select(d => d.Id).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal("source", report.Mode);
        Assert.Equal(["LeakyOrders"], report.Json.GetProperty("binding").GetProperty("assumedImplicitUsings").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains(report.Notes, n => n.StartsWith("assumed the SDK's implicit usings for LeakyOrders", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Scan_CodeThatDoesNotBind_SaysHowManyFilesAndWhatToDo()
    {
        // ImplicitUsings explicitly off: nothing is assumed, and the scan must not stay silent about what it cannot see.
        var root = Directory.CreateDirectory(Path.Combine(_temp, "blind")).FullName;
        await File.WriteAllTextAsync(Path.Combine(root, "App.csproj"), "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><ImplicitUsings>disable</ImplicitUsings></PropertyGroup></Project>");
        await File.WriteAllTextAsync(Path.Combine(root, "Batch.cs"), "namespace App; public static class Batch { public static void Start(List<int> items) { foreach (var i in items) { _ = Task.Run(() => i); } } }");
        await File.WriteAllTextAsync(Path.Combine(root, "Bound.cs"), "using System.Threading.Tasks; namespace App; public static class Bound { public static Task Done => Task.CompletedTask; }");
        await File.WriteAllTextAsync(Path.Combine(root, "Plain.cs"), "namespace App; public static class Plain { public static int One => 1; }");
        // A member that merely shares a core type's name is not a type that failed to resolve.
        await File.WriteAllTextAsync(Path.Combine(root, "Named.cs"), "namespace App; public sealed class Named { public object? Channel { get; set; } public Named() { Channel = null; } }");

        var report = await ScanJsonAsync(root);

        var binding = report.Json.GetProperty("binding");
        Assert.Equal(2, binding.GetProperty("filesUsingCoreTypes").GetInt32());
        Assert.Equal(1, binding.GetProperty("filesUnresolved").GetInt32());
        Assert.Equal(1, binding.GetProperty("unresolvedByName").GetProperty("Task").GetInt32());
        Assert.Equal(1, binding.GetProperty("unresolvedByName").GetProperty("List").GetInt32());
        Assert.Empty(binding.GetProperty("assumedImplicitUsings").EnumerateArray());
        Assert.Equal(["Batch.cs"], binding.GetProperty("unresolvedFiles").EnumerateArray().Select(f => f.GetString()));
        var note = Assert.Single(report.Notes);
        Assert.StartsWith("1 of 2 files use core types that do not resolve (List in 1, Task in 1; Batch.cs)", note, StringComparison.Ordinal);
        Assert.Contains("scan the .sln or .csproj instead (project mode)", note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_SingleFile_IsScannedWithTheUsingsOfItsProject()
    {
        var root = Directory.CreateDirectory(Path.Combine(_temp, "one")).FullName;
        await File.WriteAllTextAsync(Path.Combine(root, "App.csproj"), Sdk + "</Project>");
        var file = Path.Combine(root, "Batch.cs");
        await File.WriteAllTextAsync(file, "namespace App; public static class Batch { public static void Start(List<int> items) { foreach (var i in items) { _ = Task.Run(() => i); } } }");
        await File.WriteAllTextAsync(Path.Combine(root, "Other.cs"), "namespace App; public static class Other { public static void Start(List<int> items) { foreach (var i in items) { _ = Task.Run(() => i); } } }");

        var report = await ScanJsonAsync(file);

        Assert.Equal(1, report.Json.GetProperty("files").GetInt32());
        Assert.Equal([("GOV1001", "Batch.cs")], report.Diagnostics);
    }

    /// <summary>Project Remoting (A) defines a Task-returning call; project Fleet (B) references it and fans out over it.</summary>
    private async Task<string> TwoProjectsAsync()
    {
        var root = Directory.CreateDirectory(Path.Combine(_temp, "repo")).FullName;
        var a = Directory.CreateDirectory(Path.Combine(root, "Remoting")).FullName;
        var b = Directory.CreateDirectory(Path.Combine(root, "Fleet")).FullName;
        await File.WriteAllTextAsync(Path.Combine(a, "Remoting.csproj"), Sdk + "</Project>");
        await File.WriteAllTextAsync(Path.Combine(a, "Remote.cs"), """
            namespace Remoting;
            public sealed class Remote
            {
                public Task SendAsync(int item) => Task.Delay(item);
            }
            """);
        await File.WriteAllTextAsync(Path.Combine(b, "Fleet.csproj"), Sdk + "<ItemGroup><ProjectReference Include=\"..\\Remoting\\Remoting.csproj\" /></ItemGroup></Project>");
        await File.WriteAllTextAsync(Path.Combine(b, "Broadcast.cs"), """
            namespace Fleet;
            public static class Broadcast
            {
                public static Task SendAllAsync(List<int> items, Remoting.Remote remote) => Task.WhenAll(items.Select(i => remote.SendAsync(i)));
            }
            """);
        return root;
    }

    private async Task<Report> ScanJsonAsync(string path, params string[] extra)
    {
        var output = Path.Combine(_temp, Guid.NewGuid().ToString("N") + ".json");
        Assert.NotEqual(2, await Cli.Run(["scan", path, "--format", "json", "--output", output, "--fail-on", "none", .. extra]));
        var json = JsonDocument.Parse(await File.ReadAllTextAsync(output)).RootElement.Clone();
        return new Report(
            json,
            json.GetProperty("mode").GetString()!,
            json.GetProperty("notes").EnumerateArray().Select(n => n.GetString()!).ToList(),
            json.GetProperty("diagnostics").EnumerateArray().Select(d => (d.GetProperty("id").GetString()!, d.GetProperty("path").GetString()!)).ToList());
    }

    private sealed record Report(JsonElement Json, string Mode, List<string> Notes, List<(string Id, string Path)> Diagnostics);
}
