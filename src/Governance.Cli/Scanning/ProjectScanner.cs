using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.MSBuild;

namespace Governance.Cli.Scanning;

/// <summary>
/// Project mode: a solution or project loaded with <see cref="MSBuildWorkspace"/>, with its real references, defines,
/// language version, implicit usings, source generators, and its <c>.editorconfig</c> options and severities (as well
/// as <c>NoWarn</c>/<c>WarningsAsErrors</c>), exactly as <c>dotnet build</c> sees it.
/// </summary>
/// <remarks>
/// A multi-targeted project loads once per target framework; a finding in a shared file is reported once.
/// </remarks>
internal sealed class ProjectScanner(ImmutableArray<DiagnosticAnalyzer> analyzers, AnalyzerTimes? times = null)
{
    /// <summary>
    /// Analyses every project of a solution <see cref="WorkspaceLoader"/> loaded; findings in excluded files are dropped,
    /// the others are relative to <paramref name="root"/> (the report root).
    /// </summary>
    internal async Task<ScanResult> ScanAsync(LoadedSolution loaded, string root, PathFilter exclude, Action<string>? progress, CancellationToken cancellationToken)
    {
        var findings = new HashSet<Finding>();
        var files = new HashSet<string>(StringComparer.Ordinal);
        var analyzerExceptions = 0;
        long lines = 0;
        var projects = loaded.CSharpProjects;
        var done = 0;
        foreach (var project in projects)
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Invoke($"[{++done}/{projects.Count}] analysing {project.Name} ({project.DocumentIds.Count} files)");
            var compilation = await CompileAsync(project, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"{project.Name} compiled when loaded, not now");
            foreach (var document in project.Documents)
            {
                if (document.FilePath is { } file && !IsBuildOutput(file) && !exclude.Excludes(file) && files.Add(file))
                {
                    var text = await document.GetTextAsync(cancellationToken).ConfigureAwait(false);
                    lines += text.Lines.Count;
                }
            }

            var (diagnostics, exceptions) = await AnalyzerRun.RunAsync(compilation, analyzers, project.AnalyzerOptions, cancellationToken, times).ConfigureAwait(false);
            analyzerExceptions += exceptions;
            foreach (var diagnostic in diagnostics)
            {
                // The compilation already applied .editorconfig, global config and NoWarn/WarningsAsErrors severities.
                if (diagnostic.Severity != DiagnosticSeverity.Hidden && !exclude.Excludes(diagnostic.Location.SourceTree!.FilePath))
                {
                    findings.Add(AnalyzerRun.ToFinding(root, diagnostic, diagnostic.Severity));
                }
            }
        }

        var sorted = findings.ToList();
        sorted.Sort(Finding.Order);
        return new ScanResult(root, ScanMode.Project, FallbackReason: null, files.Count, lines, DurationMs: 0, analyzerExceptions, Binding: null, sorted);
    }

    /// <summary>Opens a solution (<c>.sln</c>/<c>.slnx</c>) or a project with MSBuild.</summary>
    /// <exception cref="ProjectLoadException">Loading failed.</exception>
    internal static async Task<LoadedSolution> LoadAsync(string path, Action<string>? progress, CancellationToken cancellationToken)
    {
        if (MsBuildHost.EnsureRegistered() is { } noMsBuild)
        {
            throw new ProjectLoadException(noMsBuild);
        }

        var workspace = MSBuildWorkspace.Create();
        try
        {
            var failures = new List<string>();
            workspace.RegisterWorkspaceFailedHandler(e =>
            {
                if (e.Diagnostic.Kind == WorkspaceDiagnosticKind.Failure)
                {
                    lock (failures)
                    {
                        failures.Add(e.Diagnostic.Message);
                    }
                }
            });

            progress?.Invoke($"loading {Path.GetFileName(path)} with MSBuild");
            var loader = new Progress(progress);
            Solution solution;
            try
            {
                solution = Path.GetExtension(path).Equals(".csproj", StringComparison.OrdinalIgnoreCase)
                    ? (await workspace.OpenProjectAsync(path, loader, cancellationToken).ConfigureAwait(false)).Solution
                    : await workspace.OpenSolutionAsync(path, loader, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is InvalidOperationException or IOException or ArgumentException or InvalidDataException)
            {
                throw new ProjectLoadException(ex.Message);
            }

            // Restore warnings (NU1603...) and unresolved items arrive as failures too, although the load worked: they are
            // kept to explain a project that does not compile, and otherwise only counted.
            var distinct = failures.Distinct(StringComparer.Ordinal).ToList();

            // Opening a project also loads the projects it references: only the one asked for is scanned (once per
            // target framework). A solution's projects are all scanned.
            var isProject = Path.GetExtension(path).Equals(".csproj", StringComparison.OrdinalIgnoreCase);
            var graph = solution.GetProjectDependencyGraph();
            var projects = graph.GetTopologicallySortedProjects(cancellationToken)
                .Select(solution.GetProject)
                .Where(p => p is { Language: LanguageNames.CSharp } && (!isProject || string.Equals(p.FilePath, path, StringComparison.Ordinal)))
                .Select(p => p!)
                .ToList();
            if (projects.Count == 0)
            {
                throw new ProjectLoadException($"no C# project in {Path.GetFileName(path)}");
            }

            return new LoadedSolution(workspace, projects, distinct);
        }
        catch
        {
            workspace.Dispose();
            throw;
        }
    }

    /// <summary>The project's compilation; <see langword="null"/> when it does not resolve the core library (not restored, or its SDK did not resolve).</summary>
    internal static async Task<Compilation?> CompileAsync(Project project, CancellationToken cancellationToken)
    {
        var compilation = await project.GetCompilationAsync(cancellationToken).ConfigureAwait(false);
        return compilation is null || compilation.GetSpecialType(SpecialType.System_Object).TypeKind == TypeKind.Error ? null : compilation;
    }

    internal static bool IsBuildOutput(string file)
    {
        var parts = file.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        return parts.SkipLast(1).Any(p => p.Equals("obj", StringComparison.OrdinalIgnoreCase) || p.Equals("bin", StringComparison.OrdinalIgnoreCase));
    }

    private sealed class Progress(Action<string>? report) : IProgress<ProjectLoadProgress>
    {
        public void Report(ProjectLoadProgress value) =>
            report?.Invoke($"{value.Operation.ToString().ToLowerInvariant()} {Path.GetFileName(value.FilePath)}{(value.TargetFramework is { } tfm ? $" ({tfm})" : string.Empty)}");
    }
}

/// <summary>A loaded solution and the workspace that holds it (disposed with it), its C# projects in build order.</summary>
/// <param name="loadMessages">What MSBuild reported while loading (distinct), restore warnings included.</param>
internal sealed class LoadedSolution(MSBuildWorkspace workspace, IReadOnlyList<Project> projects, IReadOnlyList<string> loadMessages) : IDisposable
{
    internal MSBuildWorkspace Workspace { get; } = workspace;

    internal IReadOnlyList<Project> CSharpProjects { get; } = projects;

    internal IReadOnlyList<string> LoadMessages { get; } = loadMessages;

    public void Dispose() => Workspace.Dispose();
}
