using System.Diagnostics;
using System.Globalization;
using System.Reflection;

namespace Governance.Packaging.Tests;

/// <summary>
/// Packs Governance, Governance.AspNetCore, Governance.Redis, Governance.Testing, Governance.Testing.Xunit and Governance.Cli once for every test in the collection, the way a release
/// would (<c>dotnet pack -c Release</c>), into a local feed in a temporary folder. The build is isolated: its own
/// ArtifactsPath, so the repository's bin/obj/package outputs are neither read nor written. Every run gets its own
/// version, so no NuGet cache anywhere can serve a stale package of the same version.
/// </summary>
public sealed class PackedPackages : IAsyncLifetime
{
    private static readonly string[] s_projects =
    [
        // The tool first: it builds the analyzers and the runtime library, which the next packs then reuse.
        "src/Governance.Cli/Governance.Cli.csproj",
        "src/Governance/Governance.csproj",
        "src/Governance.AspNetCore/Governance.AspNetCore.csproj",
        "src/Governance.Redis/Governance.Redis.csproj",
        "src/Governance.Testing/Governance.Testing.csproj",
        "src/Governance.Testing.Xunit/Governance.Testing.Xunit.csproj",
    ];

    /// <summary>The repository being packed.</summary>
    public string RepoRoot { get; } = typeof(PackedPackages).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RepoRoot").Value!;

    /// <summary>A temporary folder for this run, deleted at the end.</summary>
    public string Root { get; } = Directory.CreateTempSubdirectory("governance-packaging-").FullName;

    /// <summary>The folder the packages are packed into, used as a local package source.</summary>
    public string Feed => Path.Combine(Root, "feed");

    /// <summary>The version every package of this run has.</summary>
    public string Version { get; } = string.Create(CultureInfo.InvariantCulture, $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}");

    /// <summary>How long packing took.</summary>
    public TimeSpan PackTime { get; private set; }

    /// <summary>The rule IDs every shipped rule's sample instance must produce (samples/LeakyOrders/expected-diagnostics.txt).</summary>
    public IReadOnlyList<string> ExpectedRuleIds => File.ReadAllLines(Path.Combine(RepoRoot, "samples", "LeakyOrders", "expected-diagnostics.txt"))
        .Where(line => line.StartsWith("GOV", StringComparison.Ordinal))
        .Select(line => line.Trim())
        .ToList();

    /// <summary>The path of a package of this run in the feed.</summary>
    public string Package(string id, string extension = ".nupkg") => Path.Combine(Feed, $"{id}.{Version}{extension}");

    public async Task InitializeAsync()
    {
        var stopwatch = Stopwatch.StartNew();
        foreach (var project in s_projects)
        {
            var pack = await DotnetProcess.DotnetAsync(
                RepoRoot,
                environment: null,
                "pack", project, "-c", "Release", "-o", Feed, "-nodeReuse:false", "-tl:off", "-p:UseSharedCompilation=false",
                $"-p:Version={Version}",
                $"-p:ArtifactsPath={Path.Combine(Root, "artifacts")}");
            if (pack.ExitCode != 0)
            {
                throw new InvalidOperationException($"packing {project} failed:\n{pack}");
            }
        }

        PackTime = stopwatch.Elapsed;
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A child that has not quite let go of a file: the OS cleans the temp folder eventually.
        }
        catch (UnauthorizedAccessException)
        {
        }

        return Task.CompletedTask;
    }
}

/// <summary>The packaging tests share one pack and run one after another (each one builds; the machine has few cores).</summary>
[CollectionDefinition(Name)]
public sealed class PackagingTestGroup : ICollectionFixture<PackedPackages>
{
    public const string Name = "Packaging";
}
