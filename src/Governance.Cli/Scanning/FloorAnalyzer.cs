using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Governance.Cli.Scanning;

/// <summary>
/// The cheapest analyzer that still makes the compiler bind every method body: one operation action that does nothing.
/// A scan with only this analyzer is the floor every analyzer package pays (parsing and binding); <c>--measure-floor</c>
/// compares the real scan with it.
/// </summary>
// Run in-process by this tool only, never loaded by a compiler: the rules for shippable analyzers do not apply.
#pragma warning disable RS1036, RS1038, RS1041, RS2008
[DiagnosticAnalyzer(LanguageNames.CSharp)]
internal sealed class FloorAnalyzer : DiagnosticAnalyzer
{
    private static readonly DiagnosticDescriptor s_never = new("FLOOR", "Floor", "Floor", "Performance", DiagnosticSeverity.Hidden, isEnabledByDefault: true);

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [s_never];

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterOperationAction(static _ => { }, OperationKind.Invocation);
    }
}
#pragma warning restore RS1036, RS1038, RS1041, RS2008
