using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Governance.Cli.Scanning;

/// <summary>Runs the Governance analyzers over one compilation and keeps what they report in source.</summary>
internal static class AnalyzerRun
{
    /// <summary>
    /// The Governance diagnostics of <paramref name="compilation"/>, not suppressed in source, plus the number of analyzer
    /// exceptions (an exception is counted, never thrown: one broken rule must not hide the others' findings).
    /// </summary>
    internal static async Task<(ImmutableArray<Diagnostic> Diagnostics, int Exceptions)> RunAsync(
        Compilation compilation, ImmutableArray<DiagnosticAnalyzer> analyzers, AnalyzerOptions options, CancellationToken cancellationToken)
    {
        var exceptions = 0;
        var withAnalyzers = compilation.WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(
            options,
            onAnalyzerException: (_, _, _) => Interlocked.Increment(ref exceptions),
            concurrentAnalysis: true,
            logAnalyzerExecutionTime: false,
            reportSuppressedDiagnostics: false));
        var diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync(cancellationToken).ConfigureAwait(false);
        exceptions += diagnostics.Count(d => d.Id == "AD0001");
        return (diagnostics.Where(d => d.Id.StartsWith("GOV", StringComparison.Ordinal) && !d.IsSuppressed && d.Location.IsInSource).ToImmutableArray(), exceptions);
    }

    internal static Finding ToFinding(string root, Diagnostic diagnostic, DiagnosticSeverity effective)
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
