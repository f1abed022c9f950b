using System.Text.Json;
using Xunit.Abstractions;

namespace Governance.Packaging.Tests;

/// <summary>The packed tool installs from a local source like any dotnet tool, and its command works.</summary>
[Collection(PackagingTestGroup.Name)]
public sealed class ToolInstallTests(PackedPackages packages, ITestOutputHelper output)
{
    private const string Leak = """
        using System.Collections.Generic;
        using System.Threading.Tasks;

        namespace ScanMe;

        public static class Fanout
        {
            public static void Start(IEnumerable<int> items)
            {
                foreach (var item in items)
                {
                    _ = Task.Run(() => Work(item));
                }
            }

            private static Task Work(int item) => Task.Delay(item);
        }
        """;

    private const string Clean = """
        using System.Threading.Tasks;

        namespace ScanMe;

        public static class Single
        {
            public static Task Start() => Task.Run(() => { });
        }
        """;

    [Fact]
    public async Task InstalledTool_ScansAFolderAndListsTheRules()
    {
        var toolPath = Path.Combine(packages.Root, "tool");
        var install = await DotnetProcess.DotnetAsync(
            packages.Root,
            new Dictionary<string, string?> { ["NUGET_PACKAGES"] = Path.Combine(packages.Root, "tool-packages") },
            "tool", "install", "Governance.Cli", "--tool-path", toolPath, "--add-source", packages.Feed, "--version", packages.Version,
            "--ignore-failed-sources");
        output.WriteLine($"dotnet tool install took {install.Elapsed.TotalSeconds:F1} s");
        Assert.True(install.ExitCode == 0, $"the tool did not install:\n{install}");
        var governance = Path.Combine(toolPath, OperatingSystem.IsWindows() ? "governance.exe" : "governance");
        Assert.True(File.Exists(governance), $"no {governance} after installing:\n{install}");

        var leaky = Directory.CreateDirectory(Path.Combine(packages.Root, "scan-leaky")).FullName;
        await File.WriteAllTextAsync(Path.Combine(leaky, "Fanout.cs"), Leak);
        var scan = await DotnetProcess.RunAsync(governance, leaky, null, "scan", leaky, "--format", "json");
        output.WriteLine($"governance scan took {scan.Elapsed.TotalSeconds:F1} s");
        Assert.True(scan.ExitCode == 1, $"a scan with a finding must exit with 1:\n{scan}");
        using (var report = JsonDocument.Parse(scan.StandardOutput))
        {
            var finding = Assert.Single(report.RootElement.GetProperty("diagnostics").EnumerateArray());
            Assert.Equal("GOV1001", finding.GetProperty("id").GetString());
            Assert.Equal("Fanout.cs", finding.GetProperty("path").GetString());
            Assert.Equal(12, finding.GetProperty("line").GetInt32());
            Assert.Equal(1, report.RootElement.GetProperty("files").GetInt32());
            Assert.Equal(0, report.RootElement.GetProperty("analyzerExceptions").GetInt32());
        }

        var clean = Directory.CreateDirectory(Path.Combine(packages.Root, "scan-clean")).FullName;
        await File.WriteAllTextAsync(Path.Combine(clean, "Single.cs"), Clean);
        var cleanScan = await DotnetProcess.RunAsync(governance, clean, null, "scan", clean, "--format", "json");
        Assert.True(cleanScan.ExitCode == 0, $"a scan without findings must exit with 0:\n{cleanScan}");
        using (var report = JsonDocument.Parse(cleanScan.StandardOutput))
        {
            Assert.Empty(report.RootElement.GetProperty("diagnostics").EnumerateArray());
        }

        // Project mode: MSBuildWorkspace runs its build host from the tool's folder, so the package must carry it. A load
        // failure would fall back to source mode and say so on stderr.
        await File.WriteAllTextAsync(Path.Combine(leaky, "ScanMe.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <NoWarn>$(NoWarn);GOV1001</NoWarn>
              </PropertyGroup>
            </Project>
            """);
        var projectScan = await DotnetProcess.RunAsync(governance, leaky, null, "scan", Path.Combine(leaky, "ScanMe.csproj"), "--format", "json");
        Assert.True(projectScan.ExitCode == 0, $"NoWarn in the project must silence GOV1001 in project mode:\n{projectScan}");
        Assert.DoesNotContain("source mode", projectScan.StandardError, StringComparison.Ordinal);
        using (var report = JsonDocument.Parse(projectScan.StandardOutput))
        {
            Assert.Equal(1, report.RootElement.GetProperty("files").GetInt32());
            Assert.Empty(report.RootElement.GetProperty("diagnostics").EnumerateArray());
        }

        var rules = await DotnetProcess.RunAsync(governance, packages.Root, null, "rules");
        Assert.True(rules.ExitCode == 0, $"governance rules failed:\n{rules}");
        var missing = packages.ExpectedRuleIds.Where(id => !rules.StandardOutput.Contains(id, StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, $"governance rules does not list {string.Join(", ", missing)}:\n{rules}");
    }
}
