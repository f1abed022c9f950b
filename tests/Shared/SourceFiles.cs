namespace Governance.Tests.Shared;

/// <summary>
/// Finds a source file by the path the compiler recorded for it (<c>[CallerFilePath]</c>). A deterministic build (CI
/// sets <c>ContinuousIntegrationBuild</c>) maps the repository root to <c>/_/</c>, a path that does not exist on disk:
/// it is resolved against the repository root above the test assembly.
/// </summary>
internal static class SourceFiles
{
    internal static string Locate(string compiledPath)
    {
        if (File.Exists(compiledPath))
        {
            return compiledPath;
        }

        const string DeterministicRoot = "/_/";
        if (compiledPath.StartsWith(DeterministicRoot, StringComparison.Ordinal))
        {
            for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, "Governance.sln")))
                {
                    return Path.Combine(folder.FullName, compiledPath[DeterministicRoot.Length..]);
                }
            }
        }

        throw new FileNotFoundException($"The source file {compiledPath} is neither on disk nor under the repository root above {AppContext.BaseDirectory}.", compiledPath);
    }
}
