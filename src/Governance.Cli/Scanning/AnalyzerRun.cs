using System.Collections.Concurrent;
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
    /// <param name="times">When given, each analyzer's execution time is measured (which costs a little) and added to it.</param>
    internal static async Task<(ImmutableArray<Diagnostic> Diagnostics, int Exceptions)> RunAsync(
        Compilation compilation, ImmutableArray<DiagnosticAnalyzer> analyzers, AnalyzerOptions options, CancellationToken cancellationToken, AnalyzerTimes? times = null)
    {
        var exceptions = 0;
        var withAnalyzers = compilation.WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(
            options,
            onAnalyzerException: (_, _, _) => Interlocked.Increment(ref exceptions),
            concurrentAnalysis: true,
            logAnalyzerExecutionTime: times is not null,
            reportSuppressedDiagnostics: false));
        var diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync(cancellationToken).ConfigureAwait(false);
        exceptions += diagnostics.Count(d => d.Id == "AD0001");
        if (times is not null)
        {
            foreach (var analyzer in analyzers)
            {
                var telemetry = await withAnalyzers.GetAnalyzerTelemetryInfoAsync(analyzer, cancellationToken).ConfigureAwait(false);
                times.Add(analyzer, telemetry.ExecutionTime);
            }
        }

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

/// <summary>Execution time per analyzer, summed over projects (and over the threads that ran it), keyed by its rule IDs.</summary>
internal sealed class AnalyzerTimes
{
    private readonly ConcurrentDictionary<string, TimeSpan> _times = new(StringComparer.Ordinal);

    internal void Add(DiagnosticAnalyzer analyzer, TimeSpan time)
    {
        var rules = string.Join('/', analyzer.SupportedDiagnostics.Select(d => d.Id).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
        _times.AddOrUpdate(rules, time, (_, sum) => sum + time);
    }

    /// <summary>The costliest first.</summary>
    internal IReadOnlyList<(string Rules, TimeSpan Time)> Ranked() =>
        _times.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value)).ToList();
}
