using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace Governance.Analyzers.Tests.Verifiers;

/// <summary>Short forms for the common test shapes.</summary>
internal static class Verify<TAnalyzer>
    where TAnalyzer : DiagnosticAnalyzer, new()
{
    /// <summary>Sources with <c>[|...|]</c> / <c>{|GOVxxxx:...|}</c> markup where diagnostics are expected.</summary>
    public static Task AnalyzerAsync(params string[] sources) => AnalyzerWithConfigAsync(editorConfig: null, sources);

    /// <summary>As <see cref="AnalyzerAsync"/>, with an <c>.editorconfig</c> (or, starting with <c>is_global</c>, a <c>.globalconfig</c>).</summary>
    public static Task AnalyzerWithConfigAsync(string? editorConfig, params string[] sources)
    {
        var test = new AnalyzerTest<TAnalyzer>();
        foreach (var source in sources)
        {
            test.TestState.Sources.Add(source);
        }

        AddConfig(test.TestState, editorConfig);
        return test.RunAsync();
    }

    /// <param name="equivalenceKey">Which of several offered fixes to apply; the first when null.</param>
    public static Task CodeFixAsync<TCodeFix>(string source, string fixedSource, int? fixAllIterations = null, string? equivalenceKey = null)
        where TCodeFix : CodeFixProvider, new()
    {
        var test = new CodeFixTest<TAnalyzer, TCodeFix>
        {
            TestCode = source,
            FixedCode = fixedSource,
            CodeActionEquivalenceKey = equivalenceKey,
        };
        if (fixAllIterations is { } iterations)
        {
            test.NumberOfFixAllIterations = iterations;
            test.NumberOfFixAllInDocumentIterations = iterations;
            test.NumberOfFixAllInProjectIterations = iterations;
        }

        return test.RunAsync();
    }

    internal static void AddConfig(SolutionState state, string? config)
    {
        if (config is null)
        {
            return;
        }

        var path = config.TrimStart().StartsWith("is_global", StringComparison.Ordinal) ? "/.globalconfig" : "/.editorconfig";
        state.AnalyzerConfigFiles.Add((path, config));
    }
}
