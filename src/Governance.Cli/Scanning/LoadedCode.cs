namespace Governance.Cli.Scanning;

/// <summary>
/// What <see cref="WorkspaceLoader"/> loaded for <c>scan</c> and <c>fix</c>: either a solution loaded with MSBuild
/// (project mode) or the plan of a source-mode compilation, with the mode and why project mode fell back, if it did.
/// </summary>
internal sealed class LoadedCode : IDisposable
{
    private LoadedCode(string root, string scanFolder, ScanMode mode, string? fallbackReason, LoadedSolution? solution, SourcePlan? sources, PathFilter exclude, IReadOnlyList<string> notes)
    {
        Notes = notes;
        Root = root;
        ScanFolder = scanFolder;
        Mode = mode;
        FallbackReason = fallbackReason;
        Solution = solution;
        Sources = sources;
        Exclude = exclude;
    }

    /// <summary>The folder findings are relative to (the git work tree's top folder, see <see cref="RepositoryRoot"/>).</summary>
    internal string Root { get; }

    /// <summary>The folder scanned: the one given, or the folder of the solution, project or file given. Fixes write only below it.</summary>
    internal string ScanFolder { get; }

    internal ScanMode Mode { get; }

    /// <summary>Why a solution or project could not be loaded with MSBuild, so that source mode ran instead.</summary>
    internal string? FallbackReason { get; }

    /// <summary>Project mode's solution, its excluded projects left out; <see langword="null"/> in source mode.</summary>
    internal LoadedSolution? Solution { get; }

    /// <summary>Source mode's projects; <see langword="null"/> in project mode.</summary>
    internal SourcePlan? Sources { get; }

    /// <summary>The <c>--exclude</c> globs, rooted: in project mode, the findings of excluded files still have to be dropped.</summary>
    internal PathFilter Exclude { get; }

    /// <summary>What the reader of the report must know about loading: the projects skipped and why, the MSBuild messages counted.</summary>
    internal IReadOnlyList<string> Notes { get; }

    internal static LoadedCode Project(string root, string scanFolder, LoadedSolution solution, PathFilter exclude, IReadOnlyList<string> notes) =>
        new(root, scanFolder, ScanMode.Project, null, solution, null, exclude, notes);

    internal static LoadedCode Source(SourcePlan sources, string? fallbackReason, PathFilter exclude) =>
        new(sources.ReportRoot, sources.Root, ScanMode.Source, fallbackReason, null, sources, exclude, []);

    /// <summary>One line for the reports: the mode, and why.</summary>
    internal static string Describe(ScanMode mode, string? fallbackReason) => (mode, fallbackReason) switch
    {
        (ScanMode.Project, _) => "project mode (loaded with MSBuild)",
        (_, null) => "source mode (each project's files compiled with its usings and the sibling projects it references; scan a .sln or .csproj for project mode)",
        _ => $"source mode: {fallbackReason}",
    };

    public void Dispose() => Solution?.Dispose();
}
