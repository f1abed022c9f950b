namespace Governance.Analyzers.Tests.Infrastructure;

internal static class RepositoryPaths
{
    /// <summary>The folder holding Governance.sln, found upwards from the test assembly (artifacts/bin/...).</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Governance.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Governance.sln not found above " + AppContext.BaseDirectory);
    }
}
