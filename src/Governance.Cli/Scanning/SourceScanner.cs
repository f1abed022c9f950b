using System.Collections.Immutable;
using System.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

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
internal sealed class SourceScanner(ImmutableArray<DiagnosticAnalyzer> analyzers)
{
    private static readonly CSharpParseOptions s_parseOptions = CSharpParseOptions.Default
        .WithLanguageVersion(LanguageVersion.Preview)
        .WithPreprocessorSymbols("NET", "NETCOREAPP", "NET5_0_OR_GREATER", "NET6_0_OR_GREATER", "NET7_0_OR_GREATER", "NET8_0_OR_GREATER", "RELEASE", "TRACE");

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
        var projectCache = new Dictionary<string, string?>(StringComparer.Ordinal);
        var groups = files.GroupBy(f => SourceFiles.OwningProject(root, f, projectCache) ?? string.Empty, StringComparer.Ordinal).ToList();

        var findings = new List<Finding>();
        var analyzerExceptions = 0;
        long lines = 0;
        var done = 0;
        foreach (var group in groups)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var project = group.Key.Length == 0 ? null : group.Key;
            progress?.Invoke($"[{++done}/{groups.Count}] {(project is null ? "loose files" : Path.GetRelativePath(root, project))} ({group.Count()} files)");

            var trees = Parse(group.ToList(), cancellationToken, ref lines);
            var usings = ProjectUsings.For(project);
            if (usings.Length > 0)
            {
                trees.Add(CSharpSyntaxTree.ParseText(usings, s_parseOptions, path: Path.Combine(Path.GetDirectoryName(project ?? root)!, "obj", "GlobalUsings.g.cs"), cancellationToken: cancellationToken));
            }

            var (analyzerOptions, treeOptions) = editorConfig.ProvidersFor(trees);
            var hasTopLevelStatements = trees.Any(t => t.GetRoot(cancellationToken) is CompilationUnitSyntax unit && unit.Members.OfType<GlobalStatementSyntax>().Any());
            var compilation = CSharpCompilation.Create(
                Path.GetFileNameWithoutExtension(project) ?? "LooseFiles",
                trees,
                FrameworkReferences.All,
                new CSharpCompilationOptions(hasTopLevelStatements ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary)
                    .WithNullableContextOptions(NullableContextOptions.Enable)
                    .WithAllowUnsafe(true)
                    .WithConcurrentBuild(true)
                    .WithSyntaxTreeOptionsProvider(treeOptions));

            var exceptions = 0;
            var withAnalyzers = compilation.WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(
                new AnalyzerOptions([], analyzerOptions),
                onAnalyzerException: (_, _, _) => Interlocked.Increment(ref exceptions),
                concurrentAnalysis: true,
                logAnalyzerExecutionTime: false,
                reportSuppressedDiagnostics: false));
            var diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync(cancellationToken).ConfigureAwait(false);
            analyzerExceptions += exceptions + diagnostics.Count(d => d.Id == "AD0001");
            foreach (var diagnostic in diagnostics)
            {
                if (diagnostic.Id.StartsWith("GOV", StringComparison.Ordinal) && !diagnostic.IsSuppressed && diagnostic.Location.IsInSource &&
                    editorConfig.EffectiveSeverity(diagnostic) is { } severity)
                {
                    findings.Add(ToFinding(root, diagnostic, severity));
                }
            }
        }

        findings.Sort(static (a, b) => (a.Path, a.Line, a.Column, a.Id).CompareTo((b.Path, b.Line, b.Column, b.Id)));
        return new ScanResult(root, files.Count, lines, stopwatch.ElapsedMilliseconds, analyzerExceptions, findings, []);
    }

    private static List<SyntaxTree> Parse(List<string> files, CancellationToken cancellationToken, ref long lines)
    {
        var trees = new SyntaxTree?[files.Count];
        long counted = 0;
        Parallel.For(0, files.Count, new ParallelOptions { CancellationToken = cancellationToken }, i =>
        {
            SourceText text;
            try
            {
                using var stream = File.OpenRead(files[i]);
                text = SourceText.From(stream, canBeEmbedded: false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new ScanException($"cannot read {files[i]}: {ex.Message}");
            }

            Interlocked.Add(ref counted, text.Lines.Count);
            trees[i] = CSharpSyntaxTree.ParseText(text, s_parseOptions, files[i], cancellationToken);
        });
        lines += counted;
        return trees.Select(t => t!).ToList();
    }

    private static Finding ToFinding(string root, Diagnostic diagnostic, DiagnosticSeverity effective)
    {
        var span = diagnostic.Location.GetLineSpan();
        var path = Path.GetRelativePath(root, span.Path).Replace('\\', '/');
        var severity = effective switch
        {
            DiagnosticSeverity.Error => "error",
            DiagnosticSeverity.Warning => "warning",
            _ => "info",
        };
        return new Finding(diagnostic.Id, severity, path, span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }
}
