using System.Collections.Immutable;
using System.Text;
using Governance.Cli.Scanning;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Governance.Cli.Fixing;

/// <summary>What <c>governance fix</c> changed in one file: how many findings of each rule went away.</summary>
internal sealed record FixedFile(string Path, IReadOnlyDictionary<string, int> FixedByRule);

/// <summary>The outcome of <c>governance fix</c>.</summary>
/// <param name="FallbackReason">Why project mode fell back to source mode; <see langword="null"/> when it did not.</param>
/// <param name="Notes">Project mode: the projects skipped and why, and the MSBuild messages counted.</param>
internal sealed record FixResult(string Root, ScanMode Mode, string? FallbackReason, IReadOnlyList<FixedFile> Files, IReadOnlyList<Finding> Remaining, IReadOnlyList<string> Notes);

/// <summary>
/// Applies the Governance code fixes in place, the way the IDE's "Fix all in project" does: per project, per rule and
/// per fix variant (equivalence key), the fix's own Fix All provider, then the project is analysed again, until nothing
/// fixable is left. Only files of the scanned tree are written (never generated files or build output), in their
/// original encoding.
/// </summary>
/// <remarks>
/// Cost: one analysis per round, and only of the rules asked for. The first round's findings are the "before" of the
/// report, the last round's (nothing fixable left) are what remains; a project with nothing to fix is analysed once,
/// as <c>scan</c> does.
/// </remarks>
internal sealed class Fixer(ImmutableArray<DiagnosticAnalyzer> analyzers)
{
    /// <summary>Rounds of fix-then-reanalyse per project: a guard against a fix that keeps producing new findings.</summary>
    private const int MaxRounds = 50;

    /// <exception cref="ScanException">The path is invalid or has no C# files.</exception>
    /// <param name="write">False for a dry run: everything is computed and reported, nothing is written.</param>
    internal async Task<FixResult> FixAsync(string path, PathFilter exclude, string? ruleId, bool write, Action<string>? progress, Action<string> warn, CancellationToken cancellationToken)
    {
        using var loaded = await WorkspaceLoader.LoadAsync(path, exclude, progress, warn, cancellationToken).ConfigureAwait(false);
        var root = loaded.Root;
        var scanFolder = loaded.ScanFolder;
        exclude = loaded.Exclude;
        var selected = ruleId is null ? analyzers : analyzers.Where(a => a.SupportedDiagnostics.Any(d => d.Id.Equals(ruleId, StringComparison.OrdinalIgnoreCase))).ToImmutableArray();
        Workspace? owned = null;
        IReadOnlyList<ProjectId> projectIds;
        if (loaded.Solution is { } solutionLoaded)
        {
            projectIds = solutionLoaded.CSharpProjects.Select(p => p.Id).ToList();
        }
        else
        {
            (owned, projectIds) = SourceWorkspace.Create(loaded.Sources!, progress, cancellationToken);
        }

        var workspace = owned ?? loaded.Solution!.Workspace;
        var writable = (string? file) => IsWritable(scanFolder, file) && (file is null || !exclude.Excludes(file));
        using (owned)
        {
            var original = workspace.CurrentSolution;
            var solution = original;
            var before = new List<Diagnostic>();
            var remaining = new List<Diagnostic>();
            foreach (var projectId in projectIds)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var project = solution.GetProject(projectId)!;
                progress?.Invoke($"fixing {project.Name}");
                var (fixedSolution, first, last) = await FixProjectAsync(selected, solution, projectId, writable, ruleId, cancellationToken).ConfigureAwait(false);
                solution = fixedSolution;
                before.AddRange(first);
                remaining.AddRange(last);
            }

            var files = await WriteChangesAsync(original, solution, root, writable, before, remaining, write, warn, cancellationToken).ConfigureAwait(false);
            var findings = remaining.Select(d => AnalyzerRun.ToFinding(root, d, d.Severity)).Distinct().ToList();
            findings.Sort(Finding.Order);
            return new FixResult(root, loaded.Mode, loaded.FallbackReason, files, findings, loaded.Notes);
        }
    }

    /// <summary>The project's Governance findings (at their effective severity, not hidden) in files of the scanned tree.</summary>
    private static async Task<List<Diagnostic>> AnalyseAsync(ImmutableArray<DiagnosticAnalyzer> analyzers, Project project, Func<string?, bool> writable, string? ruleId, CancellationToken cancellationToken)
    {
        var compilation = await project.GetCompilationAsync(cancellationToken).ConfigureAwait(false);
        if (compilation is null)
        {
            return [];
        }

        var (diagnostics, _) = await AnalyzerRun.RunAsync(compilation, analyzers, project.AnalyzerOptions, cancellationToken).ConfigureAwait(false);
        return diagnostics
            .Where(d => d.Severity != DiagnosticSeverity.Hidden && (ruleId is null || d.Id.Equals(ruleId, StringComparison.OrdinalIgnoreCase)) &&
                        writable(d.Location.SourceTree?.FilePath))
            .OrderBy(d => d.Location.SourceTree!.FilePath, StringComparer.Ordinal)
            .ThenBy(d => d.Location.SourceSpan.Start)
            .ToList();
    }

    /// <summary>Fixes one project round by round; also returns its findings before the first round and after the last.</summary>
    private static async Task<(Solution Solution, List<Diagnostic> Before, List<Diagnostic> After)> FixProjectAsync(
        ImmutableArray<DiagnosticAnalyzer> analyzers, Solution solution, ProjectId projectId, Func<string?, bool> writable, string? ruleId, CancellationToken cancellationToken)
    {
        // A (rule, variant) whose Fix All changed nothing is not tried again, so the loop always ends.
        var exhausted = new HashSet<(string Id, string? Key)>();
        List<Diagnostic>? before = null;
        var diagnostics = new List<Diagnostic>();
        var analysed = (Solution?)null;
        for (var round = 0; round < MaxRounds; round++)
        {
            var project = solution.GetProject(projectId)!;
            if (!ReferenceEquals(analysed, solution))
            {
                // One analysis per round, and none again after a round that changed nothing.
                diagnostics = await AnalyseAsync(analyzers, project, writable, ruleId, cancellationToken).ConfigureAwait(false);
                analysed = solution;
            }

            before ??= diagnostics;
            var next = await FirstFixableAsync(project, diagnostics, exhausted, cancellationToken).ConfigureAwait(false);
            if (next is not { } fix)
            {
                return (solution, before, diagnostics);
            }

            var fixAll = fix.Provider.GetFixAllProvider();
            CodeAction? action = null;
            if (fixAll is not null)
            {
                var context = new FixAllContext(
                    project.GetDocument(fix.Diagnostic.Location.SourceTree)!,
                    fix.Provider,
                    FixAllScope.Project,
                    fix.Action.EquivalenceKey,
                    [fix.Diagnostic.Id],
                    new KnownDiagnostics(diagnostics.Where(d => d.Id == fix.Diagnostic.Id).ToImmutableArray()),
                    cancellationToken);
                action = await fixAll.GetFixAsync(context).ConfigureAwait(false);
            }

            // No Fix All for this fix: apply the one action; the next round finds the rest.
            action ??= fix.Action;
            var changed = await ApplyAsync(solution, action, cancellationToken).ConfigureAwait(false);
            if (changed is null || !changed.GetChanges(solution).GetProjectChanges().Any())
            {
                exhausted.Add((fix.Diagnostic.Id, fix.Action.EquivalenceKey));
                continue;
            }

            solution = changed;
        }

        return (solution, before ?? [], await AnalyseAsync(analyzers, solution.GetProject(projectId)!, writable, ruleId, cancellationToken).ConfigureAwait(false));
    }

    private static async Task<(Diagnostic Diagnostic, CodeFixProvider Provider, CodeAction Action)?> FirstFixableAsync(
        Project project, List<Diagnostic> diagnostics, HashSet<(string Id, string? Key)> exhausted, CancellationToken cancellationToken)
    {
        foreach (var diagnostic in diagnostics)
        {
            if (CodeFixCatalog.For(diagnostic.Id) is not { } provider || project.GetDocument(diagnostic.Location.SourceTree) is not { } document)
            {
                continue;
            }

            var actions = new List<CodeAction>();
            await provider.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (a, _) => actions.Add(a), cancellationToken)).ConfigureAwait(false);
            // The first action a fix offers is its default (what the IDE's lightbulb puts first).
            if (actions.Count > 0 && !exhausted.Contains((diagnostic.Id, actions[0].EquivalenceKey)))
            {
                return (diagnostic, provider, actions[0]);
            }
        }

        return null;
    }

    private static async Task<Solution?> ApplyAsync(Solution solution, CodeAction action, CancellationToken cancellationToken)
    {
        var operations = await action.GetOperationsAsync(cancellationToken).ConfigureAwait(false);
        return operations.OfType<ApplyChangesOperation>().FirstOrDefault()?.ChangedSolution;
    }

    private static async Task<IReadOnlyList<FixedFile>> WriteChangesAsync(
        Solution original, Solution fixedSolution, string root, Func<string?, bool> writable, List<Diagnostic> before, List<Diagnostic> after, bool write, Action<string> warn, CancellationToken cancellationToken)
    {
        var written = new List<FixedFile>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var projectChanges in fixedSolution.GetChanges(original).GetProjectChanges())
        {
            foreach (var added in projectChanges.GetAddedDocuments())
            {
                warn($"a fix wanted to add {fixedSolution.GetDocument(added)?.Name}; skipped");
            }

            foreach (var documentId in projectChanges.GetChangedDocuments(onlyGetDocumentsWithTextChanges: true))
            {
                var document = fixedSolution.GetDocument(documentId)!;
                if (document.FilePath is not { } path || !writable(path) || !seen.Add(path))
                {
                    continue;
                }

                if (write)
                {
                    var text = await document.GetTextAsync(cancellationToken).ConfigureAwait(false);
                    var originalText = await original.GetDocument(documentId)!.GetTextAsync(cancellationToken).ConfigureAwait(false);
                    await File.WriteAllTextAsync(path, text.ToString(), text.Encoding ?? originalText.Encoding ?? new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), cancellationToken).ConfigureAwait(false);
                }

                // A file shared by several projects (multi-targeting) is analysed once per project: count each finding once.
                var fixedByRule = Distinct(before, path).GroupBy(d => d.Id, StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g => g.Count() - Distinct(after, path).Count(d => d.Id == g.Key), StringComparer.Ordinal);
                written.Add(new FixedFile(Path.GetRelativePath(root, path).Replace('\\', '/'), fixedByRule));
            }
        }

        return written.OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
    }

    private static IEnumerable<(string Id, int Start)> Distinct(List<Diagnostic> diagnostics, string path) =>
        diagnostics.Where(d => d.Location.SourceTree?.FilePath == path).Select(d => (d.Id, d.Location.SourceSpan.Start)).Distinct();

    /// <summary>A file the fix may rewrite: under the scanned root, not build output or generated.</summary>
    private static bool IsWritable(string root, string? path) =>
        path is not null && !Path.GetRelativePath(root, path).StartsWith("..", StringComparison.Ordinal) && !ProjectScanner.IsBuildOutput(path) && File.Exists(path);

    /// <summary>Hands Fix All the diagnostics this run computed (the document's, or the whole project's).</summary>
    private sealed class KnownDiagnostics(ImmutableArray<Diagnostic> diagnostics) : FixAllContext.DiagnosticProvider
    {
        public override Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken) =>
            Task.FromResult<IEnumerable<Diagnostic>>(diagnostics.Where(d => d.Location.SourceTree?.FilePath == document.FilePath).ToList());

        public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult<IEnumerable<Diagnostic>>([]);

        public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult<IEnumerable<Diagnostic>>(diagnostics);
    }
}
