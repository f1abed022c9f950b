using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Governance.Cli.Scanning;

/// <summary>Every Governance analyzer and rule, found by reflection so that a new rule needs no change here.</summary>
internal static class RuleCatalog
{
    private static readonly Lazy<ImmutableArray<DiagnosticAnalyzer>> s_analyzers = new(() =>
        typeof(Governance.Analyzers.DiagnosticIds).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
            .ToImmutableArray());

    internal static ImmutableArray<DiagnosticAnalyzer> Analyzers => s_analyzers.Value;

    internal static IReadOnlyList<DiagnosticDescriptor> Rules =>
        Analyzers.SelectMany(a => a.SupportedDiagnostics)
            .GroupBy(d => d.Id, StringComparer.Ordinal)
            .Select(g => g.First())
            .OrderBy(d => d.Id, StringComparer.Ordinal)
            .ToList();
}
