namespace Governance.Cli.Scanning;

/// <summary>Finds the C# files of a tree, skipping build output and tool folders, and the project that owns each.</summary>
internal static class SourceFiles
{
    private static readonly HashSet<string> s_skipped = new(StringComparer.OrdinalIgnoreCase) { "bin", "obj", ".git", ".vs", "node_modules", "artifacts" };

    internal static List<string> Find(string root) =>
        Directory.EnumerateFiles(root, "*.cs", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true })
            .Where(f => !IsExcluded(root, f))
            .OrderBy(f => f, StringComparer.Ordinal)
            .ToList();

    internal static bool IsExcluded(string root, string file)
    {
        var relative = Path.GetRelativePath(root, file);
        return relative.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar).SkipLast(1).Any(s_skipped.Contains);
    }

    /// <summary>The nearest project file at or above the file's folder, within the root; <see langword="null"/> for a loose file.</summary>
    internal static string? OwningProject(string root, string file, Dictionary<string, string?> cache)
    {
        var rootFull = Path.GetFullPath(root);
        var dir = Path.GetDirectoryName(file);
        var visited = new List<string>();
        string? found = null;
        while (dir is not null && dir.StartsWith(rootFull, StringComparison.Ordinal))
        {
            if (cache.TryGetValue(dir, out found))
            {
                break;
            }

            visited.Add(dir);
            found = Directory.EnumerateFiles(dir, "*.csproj").OrderBy(p => p, StringComparer.Ordinal).FirstOrDefault();
            if (found is not null)
            {
                break;
            }

            dir = Path.GetDirectoryName(dir);
        }

        foreach (var v in visited)
        {
            cache[v] = found;
        }

        return found;
    }
}
