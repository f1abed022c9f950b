using System.IO.Compression;
using System.Xml.Linq;

namespace Governance.Packaging.Tests;

/// <summary>What the packed .nupkg files hold: the files users get and the metadata nuget.org shows.</summary>
[Collection(PackagingTestGroup.Name)]
public sealed class PackageContentsTests(PackedPackages packages)
{
    [Theory]
    [InlineData("Governance")]
    [InlineData("Governance.AspNetCore")]
    [InlineData("Governance.Redis")]
    [InlineData("Governance.Cli")]
    [InlineData("Governance.Testing")]
    [InlineData("Governance.Testing.Xunit")]
    public void Nuspec_HasReadmeLicenseRepositoryAndDescription(string id)
    {
        var (entries, nuspec) = Open(packages.Package(id));
        var metadata = nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string? Value(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;
        XElement Element(string name) => metadata.Elements().Single(e => e.Name.LocalName == name);

        Assert.Equal(id, Value("id"));
        Assert.Equal(packages.Version, Value("version"));
        Assert.Equal("expression", Element("license").Attribute("type")?.Value);
        Assert.Equal("MIT", Value("license"));
        Assert.Equal("README.md", Value("readme"));
        Assert.Contains("README.md", entries);
        Assert.False(string.IsNullOrWhiteSpace(Value("description")));
        Assert.False(string.IsNullOrWhiteSpace(Value("tags")));
        Assert.False(string.IsNullOrWhiteSpace(Value("authors")));
        Assert.StartsWith("https://", Value("projectUrl"), StringComparison.Ordinal);

        var repository = Element("repository");
        Assert.Equal("git", repository.Attribute("type")?.Value);
        Assert.StartsWith("https://", repository.Attribute("url")?.Value, StringComparison.Ordinal);
        // Source Link adds the commit when packing from a git checkout (always, for these tests and in CI).
        if (Directory.Exists(Path.Combine(packages.RepoRoot, ".git")) || File.Exists(Path.Combine(packages.RepoRoot, ".git")))
        {
            Assert.Matches("^[0-9a-f]{40}$", repository.Attribute("commit")?.Value ?? string.Empty);
        }
    }

    [Fact]
    public void GovernanceRedis_CarriesItsDocs_AndDependsOnGovernanceAndStackExchangeRedis()
    {
        var (entries, nuspec) = Open(packages.Package("Governance.Redis"));

        Assert.Contains("lib/net10.0/Governance.Redis.dll", entries);
        Assert.Contains("lib/net10.0/Governance.Redis.xml", entries);
        var dependencies = nuspec.Descendants().Where(e => e.Name.LocalName == "dependency").ToDictionary(e => e.Attribute("id")!.Value, e => e.Attribute("version")!.Value);
        Assert.Equal(packages.Version, dependencies["Governance"]);
        Assert.True(dependencies.ContainsKey("StackExchange.Redis"), string.Join(", ", dependencies.Keys));
    }

    [Fact]
    public void Governance_CarriesTheRuntimeItsDocsAndBothAnalyzerAssemblies()
    {
        var (entries, nuspec) = Open(packages.Package("Governance"));

        Assert.Contains("lib/net10.0/Governance.dll", entries);
        Assert.Contains("lib/net10.0/Governance.xml", entries);
        Assert.Contains("analyzers/dotnet/cs/Governance.Analyzers.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/Governance.Analyzers.CodeFixes.dll", entries);
        // Roslyn itself comes with the compiler: shipping it (or depending on it) would break analyzer loading.
        Assert.DoesNotContain(entries, e => e.Contains("Microsoft.CodeAnalysis", StringComparison.OrdinalIgnoreCase));
        var dependencies = nuspec.Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => e.Attribute("id")!.Value).ToList();
        Assert.DoesNotContain(dependencies, d => d.StartsWith("Governance.Analyzers", StringComparison.Ordinal) || d.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal));
        Assert.True(File.Exists(packages.Package("Governance", ".snupkg")), "the symbol package is missing");
    }

    [Fact]
    public void Testing_DependsOnGovernanceOnly_AndItsXunitPackageAddsXunitsExtensibilityOnly()
    {
        var (entries, nuspec) = Open(packages.Package("Governance.Testing"));
        Assert.Contains("lib/net10.0/Governance.Testing.dll", entries);
        Assert.Contains("lib/net10.0/Governance.Testing.xml", entries);
        Assert.Equal(new[] { "Governance" }, Dependencies(nuspec).Keys);
        Assert.Equal(packages.Version, Dependencies(nuspec)["Governance"]);
        Assert.True(File.Exists(packages.Package("Governance.Testing", ".snupkg")), "the symbol package is missing");

        (entries, nuspec) = Open(packages.Package("Governance.Testing.Xunit"));
        Assert.Contains("lib/net10.0/Governance.Testing.Xunit.dll", entries);
        Assert.Contains("lib/net10.0/Governance.Testing.Xunit.xml", entries);
        // The test framework's runner and assertions stay the test project's choice.
        Assert.Equal(new[] { "Governance.Testing", "xunit.extensibility.core" }, Dependencies(nuspec).Keys.Order(StringComparer.Ordinal));
        Assert.Equal(packages.Version, Dependencies(nuspec)["Governance.Testing"]);
    }

    [Fact]
    public void Cli_IsADotnetToolWithTheGovernanceCommand()
    {
        var (entries, nuspec) = Open(packages.Package("Governance.Cli"));

        var packageType = nuspec.Descendants().Single(e => e.Name.LocalName == "packageType");
        Assert.Equal("DotnetTool", packageType.Attribute("name")?.Value);
        Assert.Contains("tools/net10.0/any/Governance.Cli.dll", entries);
        Assert.Contains("tools/net10.0/any/Governance.Analyzers.dll", entries);
        // governance watch: the EventPipe client and the event parser, without the parser's Windows-only native binaries.
        Assert.Contains("tools/net10.0/any/Microsoft.Diagnostics.NETCore.Client.dll", entries);
        Assert.Contains("tools/net10.0/any/Microsoft.Diagnostics.Tracing.TraceEvent.dll", entries);
        Assert.DoesNotContain(entries, e => e.EndsWith("KernelTraceControl.dll", StringComparison.OrdinalIgnoreCase) || e.EndsWith("msdia140.dll", StringComparison.OrdinalIgnoreCase));

        using var archive = ZipFile.OpenRead(packages.Package("Governance.Cli"));
        using var settingsStream = archive.GetEntry("tools/net10.0/any/DotnetToolSettings.xml")!.Open();
        var command = XDocument.Load(settingsStream).Descendants("Command").Single();
        Assert.Equal("governance", command.Attribute("Name")?.Value);
        Assert.Equal("Governance.Cli.dll", command.Attribute("EntryPoint")?.Value);
    }

    // Dependency id -> the lowest version it accepts ("1.0.0" from "[1.0.0, )" or "1.0.0").
    private static Dictionary<string, string> Dependencies(XDocument nuspec) =>
        nuspec.Descendants().Where(e => e.Name.LocalName == "dependency").ToDictionary(
            e => e.Attribute("id")!.Value,
            e => e.Attribute("version")!.Value.Trim('[', '(', ')', ']').Split(',')[0].Trim());

    private static (IReadOnlyList<string> Entries, XDocument Nuspec) Open(string package)
    {
        Assert.True(File.Exists(package), $"{package} was not packed");
        using var archive = ZipFile.OpenRead(package);
        var entries = archive.Entries.Select(e => e.FullName).ToList();
        var nuspecEntry = archive.Entries.Single(e => !e.FullName.Contains('/', StringComparison.Ordinal) && e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var stream = nuspecEntry.Open();
        return (entries, XDocument.Load(stream));
    }
}
