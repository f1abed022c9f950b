using System.Collections.Immutable;
using System.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Governance.Cli.Scanning;

/// <summary>
/// Source mode: every <c>*.cs</c> file under a folder, compiled project by project (each project's files with its
/// own implicit and global usings) against the .NET and ASP.NET Core reference assemblies, and run through every
/// Governance analyzer. Works on code that cannot be restored or does not compile.
/// </summary>
/// <remarks>
/// Perf and memory: files are parsed in parallel, and one project's compilation is analysed and dropped before the
/// next is built, so memory follows the largest project rather than the repository.
/// </remarks>
internal sealed class SourceScanner(ImmutableArray<DiagnosticAnalyzer> analyzers, AnalyzerTimes? times = null)
{
    internal async Task<ScanResult> ScanAsync(string root, Action<string>? progress, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        root = Path.GetFullPath(root);
        var files = SourceFiles.Find(root);
        if (files.Count == 0)
        {
            throw new ScanException($"no C# files under {root}");
        }

        var editorConfig = EditorConfigOptions.Load(root);
        var groups = SourceProject.Group(root, files);
        var findings = new List<Finding>();
        var analyzerExceptions = 0;
        long lines = 0;
        var done = 0;
        foreach (var (projectFile, projectFiles) in groups)
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Invoke($"[{++done}/{groups.Count}] {(projectFile is null ? "loose files" : Path.GetRelativePath(root, projectFile))} ({projectFiles.Count} files)");

            var project = SourceProject.Load(root, projectFile, projectFiles, cancellationToken);
            lines += project.Lines;
            var trees = project.AllTrees.ToList();
            var (analyzerOptions, treeOptions) = editorConfig.ProvidersFor(trees);
            var compilation = CSharpCompilation.Create(
                project.Name,
                trees,
                FrameworkReferences.All,
                project.CompilationOptions(cancellationToken).WithSyntaxTreeOptionsProvider(treeOptions));

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
        return new ScanResult(root, files.Count, lines, stopwatch.ElapsedMilliseconds, analyzerExceptions, findings);
    }
}
