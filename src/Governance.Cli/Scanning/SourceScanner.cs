using System.Collections.Immutable;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Governance.Cli.Scanning;

/// <summary>
/// Source mode: the projects of a <see cref="SourcePlan"/>, compiled one at a time in dependency order (each project's
/// files with its own implicit and global usings, against the .NET and ASP.NET Core reference assemblies and the sibling
/// projects it references), and run through every Governance analyzer. Works on code that cannot be restored or does
/// not compile.
/// </summary>
/// <remarks>
/// Perf and memory: files are parsed in parallel, and one project's compilation is analysed and dropped before the
/// next is built (kept only as a reference while a later project needs it), so memory follows the largest project
/// and what it references rather than the repository.
/// </remarks>
internal sealed class SourceScanner(ImmutableArray<DiagnosticAnalyzer> analyzers, AnalyzerTimes? times = null)
{
    internal async Task<ScanResult> ScanAsync(SourcePlan plan, string? fallbackReason, Action<string>? progress, CancellationToken cancellationToken)
    {
        var root = plan.ReportRoot;
        var editorConfig = EditorConfigOptions.Load(plan.Root);
        var findings = new List<Finding>();
        var analyzerExceptions = 0;
        long lines = 0;
        var compiler = new SourceCompiler(plan);
        foreach (var compiled in compiler.Compile(progress, cancellationToken))
        {
            lines += compiled.Project.Lines;
            var trees = compiled.Project.AllTrees.ToList();
            var (analyzerOptions, treeOptions) = editorConfig.ProvidersFor(trees);
            var compilation = compiled.Compilation.WithOptions(compiled.Compilation.Options.WithSyntaxTreeOptionsProvider(treeOptions));

            var (diagnostics, exceptions) = await AnalyzerRun.RunAsync(compilation, analyzers, new AnalyzerOptions([], analyzerOptions), cancellationToken, times).ConfigureAwait(false);
            analyzerExceptions += exceptions;
            foreach (var diagnostic in diagnostics)
            {
                if (editorConfig.EffectiveSeverity(diagnostic) is { } severity)
                {
                    findings.Add(AnalyzerRun.ToFinding(root, diagnostic, severity));
                }
            }
        }

        findings.Sort(Finding.Order);
        return new ScanResult(root, ScanMode.Source, fallbackReason, plan.FileCount, lines, DurationMs: 0, analyzerExceptions, compiler.Binding, findings);
    }
}
