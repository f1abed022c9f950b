namespace Governance.Cli.Scanning;

/// <summary>
/// What <see cref="WorkspaceLoader"/> loaded for <c>scan</c> and <c>fix</c>: either a solution loaded with MSBuild
/// (project mode) or the plan of a source-mode compilation, with the mode and why project mode fell back, if it did.
/// </summary>
internal sealed class LoadedCode : IDisposable
{
    private LoadedCode(string root, ScanMode mode, string? fallbackReason, LoadedSolution? solution, SourcePlan? sources, PathFilter exclude)
    {
        Root = root;
        Mode = mode;
        FallbackReason = fallbackReason;
        Solution = solution;
        Sources = sources;
        Exclude = exclude;
    }

    /// <summary>The folder findings are relative to.</summary>
    internal string Root { get; }

    internal ScanMode Mode { get; }

    /// <summary>Why a solution or project could not be loaded with MSBuild, so that source mode ran instead.</summary>
    internal string? FallbackReason { get; }

    /// <summary>Project mode's solution, its excluded projects left out; <see langword="null"/> in source mode.</summary>
    internal LoadedSolution? Solution { get; }

    /// <summary>Source mode's projects; <see langword="null"/> in project mode.</summary>
    internal SourcePlan? Sources { get; }

    /// <summary>The <c>--exclude</c> globs: in project mode, the findings of excluded files still have to be dropped.</summary>
    internal PathFilter Exclude { get; }

    internal static LoadedCode Project(string root, LoadedSolution solution, PathFilter exclude) => new(root, ScanMode.Project, null, solution, null, exclude);

    internal static LoadedCode Source(SourcePlan sources, string? fallbackReason, PathFilter exclude) => new(sources.Root, ScanMode.Source, fallbackReason, null, sources, exclude);

    /// <summary>One line for the reports: the mode, and why.</summary>
    internal static string Describe(ScanMode mode, string? fallbackReason) => (mode, fallbackReason) switch
    {
        (ScanMode.Project, _) => "project mode (loaded with MSBuild)",
        (_, null) => "source mode (each project's files compiled with its usings and the sibling projects it references; scan a .sln or .csproj for project mode)",
        _ => $"source mode: {fallbackReason}",
    };

    public void Dispose() => Solution?.Dispose();
}
