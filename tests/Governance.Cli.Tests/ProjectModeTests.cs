using System.Text.Json;

namespace Governance.Cli.Tests;

/// <summary><c>governance scan</c> on a solution or project: loaded with MSBuild, with its real settings.</summary>
public sealed class ProjectModeTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("governance-project-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task Scan_Csproj_LoadsTheProjectWithItsEditorConfigAndOnlyItsOwnFiles()
    {
        var project = Path.Combine(Cli.Sample("LeakyOrders"), "LeakyOrders.csproj");
        var output = Path.Combine(_temp, "report.json");

        Assert.Equal(1, await Cli.Run("scan", project, "--format", "json", "--output", output));

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(output));
        var root = json.RootElement;
        // Paths are relative to the repository root (the git top level), whichever folder or project is scanned.
        Assert.Equal(Cli.ReportRoot(Cli.Sample("LeakyOrders")), root.GetProperty("root").GetString());
        Assert.Equal("project", root.GetProperty("mode").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("fallbackReason").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("binding").ValueKind);
        // Its own eight source files: not the generated ones under obj/, not the analyzer project it references.
        Assert.Equal(Directory.GetFiles(Cli.Sample("LeakyOrders"), "*.cs").Length, root.GetProperty("files").GetInt32());
        var diagnostics = root.GetProperty("diagnostics").EnumerateArray().ToList();
        Assert.All(diagnostics, d => Assert.StartsWith(Cli.SamplePath("LeakyOrders", string.Empty), d.GetProperty("path").GetString(), StringComparison.Ordinal));
        Assert.All(diagnostics, d => Assert.True(File.Exists(Path.Combine(root.GetProperty("root").GetString()!, d.GetProperty("path").GetString()!))));
        var expected = File.ReadAllLines(Path.Combine(Cli.Sample("LeakyOrders"), "expected-diagnostics.txt")).Where(l => l.StartsWith("GOV", StringComparison.Ordinal)).ToHashSet();
        Assert.Superset(expected, diagnostics.Select(d => d.GetProperty("id").GetString()!).ToHashSet());
        // GOV3002 is a suggestion by default; the sample's .editorconfig raises it, and project mode must see that.
        Assert.Equal("warning", diagnostics.First(d => d.GetProperty("id").GetString() == "GOV3002").GetProperty("severity").GetString());
    }

    [Fact]
    public async Task Scan_Csproj_HonoursNoWarnAndWarningsAsErrorsOfTheProject()
    {
        var project = await WriteProjectAsync("<NoWarn>$(NoWarn);GOV1002</NoWarn><WarningsAsErrors>$(WarningsAsErrors);GOV1001</WarningsAsErrors>");
        var output = Path.Combine(_temp, "report.json");

        Assert.Equal(1, await Cli.Run("scan", project, "--format", "json", "--output", output, "--fail-on", "error"));

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(output));
        var diagnostics = json.RootElement.GetProperty("diagnostics").EnumerateArray().ToList();
        var spawn = Assert.Single(diagnostics);
        Assert.Equal("GOV1001", spawn.GetProperty("id").GetString());
        Assert.Equal("error", spawn.GetProperty("severity").GetString());
    }

    [Fact]
    public async Task Scan_Slnx_ScansEveryProjectOfTheSolution()
    {
        var project = await WriteProjectAsync("<NoWarn>$(NoWarn);GOV1002</NoWarn>");
        var solution = Path.Combine(_temp, "Shop.slnx");
        await File.WriteAllTextAsync(solution, $"""
            <Solution>
              <Project Path="{Path.GetRelativePath(_temp, project)}" />
            </Solution>
            """);
        var output = Path.Combine(_temp, "report.json");

        Assert.Equal(1, await Cli.Run("scan", solution, "--format", "json", "--output", output));

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(output));
        Assert.Equal(_temp, json.RootElement.GetProperty("root").GetString());
        var spawn = Assert.Single(json.RootElement.GetProperty("diagnostics").EnumerateArray());
        Assert.Equal("GOV1001", spawn.GetProperty("id").GetString());
        Assert.Equal("app/Batch.cs", spawn.GetProperty("path").GetString());
    }

    [Fact]
    public async Task Scan_ProjectThatMSBuildCannotLoad_FallsBackToSourceMode()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_temp, "broken")).FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "Broken.csproj"), "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><ImplicitUsings>enable</ImplicitUsings>");
        await File.WriteAllTextAsync(Path.Combine(folder, "Batch.cs"), Leaks);

        var output = Path.Combine(_temp, "broken.json");
        await Cli.Run("scan", Path.Combine(folder, "Broken.csproj"), "--format", "json", "--output", output, "--fail-on", "none");

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(output));
        Assert.Equal(["GOV1001", "GOV1002"], json.RootElement.GetProperty("diagnostics").EnumerateArray().Select(d => d.GetProperty("id").GetString()));
        Assert.Equal("source", json.RootElement.GetProperty("mode").GetString());
        Assert.StartsWith("cannot load Broken.csproj with MSBuild (", json.RootElement.GetProperty("fallbackReason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_Csproj_Exclude_DropsTheFindingsOfExcludedFiles_AndTheTableSaysProjectMode()
    {
        var (exit, output) = await Cli.RunWithOutput("scan", Path.Combine(Cli.Sample("LeakyOrders"), "LeakyOrders.csproj"), "--exclude", "order*.cs", "--fail-on", "none");

        Assert.Equal(0, exit);
        Assert.Contains("Mode: project mode (loaded with MSBuild)", output, StringComparison.Ordinal);
        Assert.Contains("GOV2001 (1)", output, StringComparison.Ordinal);
        Assert.DoesNotContain("OrderFulfilment.cs", output, StringComparison.Ordinal); // GOV1001 and GOV1002 live there
        Assert.Contains($"Scanned {Directory.GetFiles(Cli.Sample("LeakyOrders"), "*.cs").Length - 2} files", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_Solution_AProjectWhoseSdkDoesNotResolve_IsSkippedWithANote_AndTheRestIsScannedInProjectMode()
    {
        // A project with no code built by an SDK that does not resolve (as Microsoft.Build.NoTargets offline) must not send
        // the whole solution to source mode, nor be blamed on a missing restore.
        var project = await WriteProjectAsync("<NoWarn>$(NoWarn);GOV1002</NoWarn>");
        var docs = Directory.CreateDirectory(Path.Combine(_temp, "docs")).FullName;
        await File.WriteAllTextAsync(Path.Combine(docs, "Docs.csproj"), """
            <Project Sdk="Governance.Tests.NoSuchSdk/1.0.0">
              <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
            </Project>
            """);
        var solution = Path.Combine(_temp, "Shop.slnx");
        await File.WriteAllTextAsync(solution, $"""
            <Solution>
              <Project Path="{Path.GetRelativePath(_temp, project)}" />
              <Project Path="docs/Docs.csproj" />
            </Solution>
            """);
        var output = Path.Combine(_temp, "report.json");

        Assert.Equal(1, await Cli.Run("scan", solution, "--format", "json", "--output", output));

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(output));
        Assert.Equal("project", json.RootElement.GetProperty("mode").GetString());
        Assert.Equal("app/Batch.cs", Assert.Single(json.RootElement.GetProperty("diagnostics").EnumerateArray()).GetProperty("path").GetString());
        var note = Assert.Single(json.RootElement.GetProperty("notes").EnumerateArray()).GetString()!;
        Assert.StartsWith("skipped project docs/Docs.csproj: it did not load: ", note, StringComparison.Ordinal);
        Assert.Contains("Governance.Tests.NoSuchSdk", note, StringComparison.Ordinal);
        Assert.DoesNotContain("restore", note, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain('\n', note);
    }

    [Fact]
    public async Task Scan_Project_WhoseLoadReportsMessages_CountsThemInOneNote_AndStaysInProjectMode()
    {
        // MSBuildWorkspace reports such messages (restore warnings like NU1603 among them) as failures although the load worked.
        var project = await WriteProjectAsync("<NoWarn>$(NoWarn);GOV1002</NoWarn>", "<ItemGroup><ProjectReference Include=\"../missing/Missing.csproj\" /></ItemGroup>");
        var output = Path.Combine(_temp, "report.json");

        Assert.Equal(1, await Cli.Run("scan", project, "--format", "json", "--output", output));

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(output));
        Assert.Equal("project", json.RootElement.GetProperty("mode").GetString());
        Assert.Equal("GOV1001", Assert.Single(json.RootElement.GetProperty("diagnostics").EnumerateArray()).GetProperty("id").GetString());
        Assert.Matches("^MSBuild reported [0-9]+ message\\(s\\) while loading, such as restore warnings; 1 project\\(s\\) loaded and compiled$", Assert.Single(json.RootElement.GetProperty("notes").EnumerateArray()).GetString());
    }

    internal const string Leaks = """
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

            public static async Task ReserveAsync(List<int> items)
            {
                await Task.WhenAll(items.Select(item => Task.Delay(item)));
            }
        }
        """;

    private async Task<string> WriteProjectAsync(string properties, string items = "")
    {
        var folder = Directory.CreateDirectory(Path.Combine(_temp, "app")).FullName;
        var project = Path.Combine(folder, "App.csproj");
        await File.WriteAllTextAsync(project, $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                {properties}
              </PropertyGroup>
              {items}
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(folder, "Batch.cs"), Leaks);
        return project;
    }
}
