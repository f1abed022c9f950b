using System.Security;
using Xunit.Abstractions;

namespace Governance.Packaging.Tests;

/// <summary>
/// A fresh project outside the repository references the packed Governance package, restores it from the local feed
/// into its own packages folder, and builds: the analyzers the package carries must load in the SDK's compiler and
/// report every shipped rule.
/// </summary>
[Collection(PackagingTestGroup.Name)]
public sealed class ConsumerBuildTests(PackedPackages packages, ITestOutputHelper output)
{
    [Fact]
    public async Task Build_OfAProjectReferencingThePackage_ReportsEveryShippedRule()
    {
        var consumer = Directory.CreateDirectory(Path.Combine(packages.Root, "consumer")).FullName;
        var restoreFolder = Path.Combine(packages.Root, "consumer-packages");
        WriteConsumer(consumer, restoreFolder);

        var build = await DotnetProcess.DotnetAsync(
            consumer,
            new Dictionary<string, string?> { ["NUGET_PACKAGES"] = restoreFolder },
            "build", "Consumer.csproj", "--no-incremental", "-nodeReuse:false", "-tl:off", "-p:UseSharedCompilation=false");

        output.WriteLine($"packing took {packages.PackTime.TotalSeconds:F1} s, the consumer's restore and build {build.Elapsed.TotalSeconds:F1} s");
        Assert.True(build.ExitCode == 0, $"the consumer build failed:\n{build}");
        // The package came from this run's feed into this test's own packages folder, not from any cache.
        Assert.True(
            File.Exists(Path.Combine(restoreFolder, "governance", packages.Version.ToLowerInvariant(), "governance.nuspec")),
            $"Governance {packages.Version} was not restored into {restoreFolder}:\n{build}");

        var missing = packages.ExpectedRuleIds.Where(id => !build.StandardOutput.Contains($"warning {id}:", StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, $"the build did not report {string.Join(", ", missing)}:\n{build}");
        Assert.Contains(
            build.StandardOutput.Split('\n'),
            line => line.Contains("OrderFulfilment.cs(", StringComparison.Ordinal) && line.Contains("warning GOV1001:", StringComparison.Ordinal));
        // An analyzer that cannot be loaded (CS8032), was built against a newer Roslyn than the SDK's (CS9057), or threw
        // (AD0001) is a warning too, and would silently cost rules.
        foreach (var failure in new[] { "CS8032", "CS9057", "AD0001" })
        {
            Assert.False(build.StandardOutput.Contains(failure, StringComparison.Ordinal), $"the build reports {failure}:\n{build}");
        }
    }

    /// <summary>
    /// The leaky sample's sources and .editorconfig (which raises the Info rules to warnings) as a standalone project
    /// that knows Governance only as a package: no repository props, its own NuGet.config and packages folder.
    /// </summary>
    private void WriteConsumer(string consumer, string restoreFolder)
    {
        var sample = Path.Combine(packages.RepoRoot, "samples", "LeakyOrders");
        foreach (var source in Directory.EnumerateFiles(sample, "*.cs"))
        {
            File.Copy(source, Path.Combine(consumer, Path.GetFileName(source)));
        }

        File.WriteAllText(Path.Combine(consumer, ".editorconfig"), "root = true\n\n" + File.ReadAllText(Path.Combine(sample, ".editorconfig")));
        File.Copy(Path.Combine(packages.RepoRoot, "global.json"), Path.Combine(consumer, "global.json"));
        // Stop MSBuild's search for these upwards from the temp folder.
        File.WriteAllText(Path.Combine(consumer, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(consumer, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(consumer, "Directory.Packages.props"), "<Project />\n");

        // The local feed first; nuget.org for Governance's own dependencies. Those are looked up in the machine's
        // packages folder first (a read-only fallback folder), so the test needs no network when they are there; the
        // Governance package of this run's version can only be in the feed.
        var machinePackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var fallback = Directory.Exists(machinePackages)
            ? $"""
                <fallbackPackageFolders>
                  <clear />
                  <add key="machine" value="{SecurityElement.Escape(machinePackages)}" />
                </fallbackPackageFolders>
              """
            : string.Empty;
        File.WriteAllText(Path.Combine(consumer, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{SecurityElement.Escape(packages.Feed)}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
              <config>
                <add key="globalPackagesFolder" value="{SecurityElement.Escape(restoreFolder)}" />
              </config>
            {fallback}
            </configuration>
            """);

        File.WriteAllText(Path.Combine(consumer, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk.Web">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <RootNamespace>LeakyOrders</RootNamespace>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>false</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Governance" Version="[{packages.Version}]" />
              </ItemGroup>
            </Project>
            """);
    }
}
