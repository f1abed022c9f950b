using System.Text.RegularExpressions;

namespace Governance.Cli.Scanning;

/// <summary>One project of a source-mode plan: its project file (none for loose files), its files, and what it references.</summary>
/// <param name="References">The earlier projects of the plan it references, directly or through another (MSBuild flows project references on).</param>
/// <param name="LastUse">The index of the last project that references it; -1 when none does (nothing of it is kept).</param>
internal sealed record PlannedProject(string? ProjectFile, IReadOnlyList<string> Files, IReadOnlyList<int> References, int LastUse);

/// <summary>
/// What source mode compiles: the projects owning the <c>*.cs</c> files of a folder (or the one file given), in dependency
/// order from their <c>ProjectReference</c> items, so that each is compiled after the projects it references, as MSBuild would.
/// </summary>
internal sealed partial class SourcePlan
{
    private SourcePlan(string root, int fileCount, IReadOnlyList<PlannedProject> projects)
    {
        Root = root;
        ReportRoot = RepositoryRoot.For(root);
        FileCount = fileCount;
        Projects = projects;
    }

    /// <summary>The folder scanned (or the folder of the one file scanned).</summary>
    internal string Root { get; }

    /// <summary>The folder the findings' paths are relative to: see <see cref="RepositoryRoot"/>.</summary>
    internal string ReportRoot { get; }

    internal int FileCount { get; }

    internal IReadOnlyList<PlannedProject> Projects { get; }

    /// <exception cref="ScanException">No C# file is left.</exception>
    internal static SourcePlan ForFolder(string root, PathFilter exclude)
    {
        var files = SourceFiles.Find(root, exclude);
        if (files.Count == 0)
        {
            throw new ScanException(exclude.IsEmpty ? $"no C# files under {root}" : $"no C# files under {root} that --exclude leaves");
        }

        return Order(root, files.Count, SourceProject.Group(root, files));
    }

    /// <summary>One file, with the usings of the project at or above its folder, and no other file of that project.</summary>
    internal static SourcePlan ForFile(string file)
    {
        string? owner = null;
        for (var dir = Path.GetDirectoryName(file); dir is not null && owner is null; dir = Path.GetDirectoryName(dir))
        {
            owner = Directory.EnumerateFiles(dir, "*.csproj").OrderBy(p => p, StringComparer.Ordinal).FirstOrDefault();
        }

        return new SourcePlan(Path.GetDirectoryName(file)!, 1, [new PlannedProject(owner, [file], [], -1)]);
    }

    /// <summary>
    /// Depth-first, references first, starting from the projects in path order: a project and what it needs come out close
    /// together, so what is kept for later projects is released soon. A reference cycle (invalid for MSBuild) is cut where met.
    /// </summary>
    private static SourcePlan Order(string root, int fileCount, List<(string? Project, List<string> Files)> groups)
    {
        var byPath = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < groups.Count; i++)
        {
            if (groups[i].Project is { } project)
            {
                byPath[project] = i;
            }
        }

        var direct = groups.Select(g => g.Project is null ? [] : ProjectReferences(g.Project).Where(byPath.ContainsKey).Select(p => byPath[p]).ToList()).ToList();
        var order = new List<int>();
        var state = new byte[groups.Count]; // 0 new, 1 in progress, 2 placed
        void Visit(int i)
        {
            if (state[i] != 0)
            {
                return;
            }

            state[i] = 1;
            foreach (var reference in direct[i])
            {
                Visit(reference);
            }

            state[i] = 2;
            order.Add(i);
        }

        // Loose files last: they belong to no project, and nothing references them.
        foreach (var i in Enumerable.Range(0, groups.Count).OrderBy(i => groups[i].Project is null))
        {
            Visit(i);
        }

        var position = new int[groups.Count];
        for (var p = 0; p < order.Count; p++)
        {
            position[order[p]] = p;
        }

        var closure = new List<SortedSet<int>>();
        foreach (var i in order)
        {
            var all = new SortedSet<int>();
            foreach (var reference in direct[i].Select(r => position[r]).Where(r => r < closure.Count))
            {
                all.Add(reference);
                all.UnionWith(closure[reference]);
            }

            closure.Add(all);
        }

        var lastUse = Enumerable.Repeat(-1, order.Count).ToArray();
        for (var p = 0; p < order.Count; p++)
        {
            foreach (var reference in closure[p])
            {
                lastUse[reference] = Math.Max(lastUse[reference], p);
            }
        }

        var projects = order.Select((i, p) => new PlannedProject(groups[i].Project, groups[i].Files, closure[p].ToList(), lastUse[p])).ToList();
        return new SourcePlan(root, fileCount, projects);
    }

    /// <summary>The full paths of the projects a project file references (items whose path needs MSBuild properties are skipped).</summary>
    private static IEnumerable<string> ProjectReferences(string projectFile)
    {
        string text;
        try
        {
            text = File.ReadAllText(projectFile);
        }
        catch (IOException)
        {
            yield break;
        }

        var directory = Path.GetDirectoryName(projectFile)!;
        foreach (Match match in ProjectReferenceRegex().Matches(text))
        {
            var include = match.Groups[1].Value.Trim();
            if (include.Length > 0 && !include.Contains("$(", StringComparison.Ordinal))
            {
                yield return Path.GetFullPath(Path.Combine(directory, include.Replace('\\', Path.DirectorySeparatorChar)));
            }
        }
    }

    [GeneratedRegex(@"<ProjectReference\s+Include\s*=\s*""([^""]+)""", RegexOptions.IgnoreCase)]
    private static partial Regex ProjectReferenceRegex();
}
