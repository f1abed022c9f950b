namespace Governance.Cli.Scanning;

/// <summary>Finds the C# files of a tree, skipping build output and tool folders, and the project that owns each.</summary>
internal static class SourceFiles
{
    private static readonly HashSet<string> s_skipped = new(StringComparer.OrdinalIgnoreCase) { "bin", "obj", ".git", ".vs", "node_modules", "artifacts" };

    /// <summary>The <c>*.cs</c> files under <paramref name="root"/> that <paramref name="exclude"/> leaves, in path order.</summary>
    internal static List<string> Find(string root, PathFilter exclude) =>
        Enumerate(root, "*.cs", includeHidden: false, exclude).OrderBy(f => f, StringComparer.Ordinal).ToList();

    /// <summary>
    /// Files matching <paramref name="pattern"/> under <paramref name="root"/>, never descending into build output, tool
    /// or dependency folders (a repository's <c>node_modules</c> or <c>artifacts</c> can hold far more files than its code).
    /// </summary>
    /// <param name="includeHidden">Whether hidden files count (on Unix every dot-file is hidden, <c>.editorconfig</c> included).</param>
    /// <param name="exclude">Files and folders to leave out; an excluded folder is not entered.</param>
    internal static IEnumerable<string> Enumerate(string root, string pattern, bool includeHidden, PathFilter? exclude = null)
    {
        exclude ??= PathFilter.None;
        var files = new EnumerationOptions { IgnoreInaccessible = true, AttributesToSkip = includeHidden ? 0 : FileAttributes.Hidden | FileAttributes.System };
        var directories = new EnumerationOptions { IgnoreInaccessible = true, AttributesToSkip = 0 };
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.TryPop(out var directory))
        {
            foreach (var file in Directory.EnumerateFiles(directory, pattern, files))
            {
                if (!exclude.Excludes(file))
                {
                    yield return file;
                }
            }

            foreach (var child in Directory.EnumerateDirectories(directory, "*", directories))
            {
                // Symbolic links to directories are not followed: they can loop, and they point outside the tree.
                if (!s_skipped.Contains(Path.GetFileName(child)) && (File.GetAttributes(child) & FileAttributes.ReparsePoint) == 0 && !exclude.Excludes(child))
                {
                    pending.Push(child);
                }
            }
        }
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
