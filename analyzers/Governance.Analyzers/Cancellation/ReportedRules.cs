using Governance.Analyzers.Options;
using Governance.Analyzers.Symbols;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Governance.Analyzers.Cancellation;

/// <summary>
/// Which of GOV5001 and GOV5002 report in one piece of code: both, except in test and benchmark projects and test
/// methods, where a source lives as long as one test (unless <c>governance.GOVxxxx.include_test_projects</c>).
/// </summary>
internal readonly struct ReportedRules
{
    private ReportedRules(bool linked, bool timer)
    {
        Linked = linked;
        Timer = timer;
    }

    public bool Linked { get; }

    public bool Timer { get; }

    public bool Any => Linked || Timer;

    public static ReportedRules For(AnalyzerOptions options, SyntaxTree tree, ISymbol? containingSymbol, bool testProject)
    {
        if (!testProject && !containingSymbol.IsTestMethod())
        {
            return new ReportedRules(linked: true, timer: true);
        }

        var governance = GovernanceOptions.For(options, tree);
        return new ReportedRules(governance.LinkedSourceInTestProjects, governance.TimerSourceInTestProjects);
    }

    /// <summary><c>Main</c> or top-level statements: their own code runs once per process (their lambdas need not).</summary>
    public static bool IsEntryPoint(ISymbol? symbol)
        => symbol is IMethodSymbol { IsStatic: true, Name: "Main" or "<Main>$", MethodKind: MethodKind.Ordinary };

    public bool Reports(SourceKind kind)
        => kind switch
        {
            SourceKind.Linked => Linked,
            SourceKind.Timer => Timer,
            _ => false,
        };
}
