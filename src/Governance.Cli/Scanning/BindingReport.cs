namespace Governance.Cli.Scanning;

/// <summary>How well source mode bound the code (see <see cref="BindingCheck"/>), summed over the projects of a scan.</summary>
/// <param name="FilesUsingCoreTypes">Files that use one of <see cref="BindingCheck.CoreTypeNames"/> by its simple name.</param>
/// <param name="FilesUnresolved">Of those, the files where one of those names did not resolve.</param>
/// <param name="UnresolvedByName">For each name, the number of files where it did not resolve.</param>
/// <param name="AssumedImplicitUsings">Projects given the SDK's implicit usings although nothing read here enables them.</param>
/// <param name="UnresolvedFiles">The first <see cref="MaxListedFiles"/> of those files, relative to the root, to start looking.</param>
internal sealed record BindingReport(
    int FilesUsingCoreTypes, int FilesUnresolved, IReadOnlyDictionary<string, int> UnresolvedByName, IReadOnlyList<string> AssumedImplicitUsings, IReadOnlyList<string> UnresolvedFiles)
{
    internal const int MaxListedFiles = 10;

    /// <summary>What the user should read: what was assumed, what did not bind and what to do about it.</summary>
    internal IEnumerable<string> Notes()
    {
        if (AssumedImplicitUsings.Count > 0)
        {
            yield return $"assumed the SDK's implicit usings for {string.Join(", ", AssumedImplicitUsings)}: ImplicitUsings is not set in the project or a Directory.Build.props above it, and its files use Task, List<T>… without a using";
        }

        if (FilesUnresolved > 0)
        {
            var names = string.Join(", ", UnresolvedByName.OrderByDescending(n => n.Value).ThenBy(n => n.Key, StringComparer.Ordinal).Select(n => $"{n.Key} in {n.Value}"));
            var listed = string.Join(", ", UnresolvedFiles) + (FilesUnresolved > UnresolvedFiles.Count ? ", …" : string.Empty);
            yield return $"{FilesUnresolved} of {FilesUsingCoreTypes} files use core types that do not resolve ({names}; {listed}): the rules cannot see leaks in them. " +
                         "The code probably relies on usings its build provides (implicit usings, <Using> items, a Directory.Build.props outside the scanned folder): " +
                         "scan the .sln or .csproj instead (project mode), or add those usings (e.g. <ImplicitUsings>enable</ImplicitUsings> in a Directory.Build.props).";
        }
    }
}
