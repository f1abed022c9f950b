using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Governance.Analyzers.Channels;

/// <summary>GOV3003: a private channel read until completion whose writer nobody completes.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ChannelNeverCompletedAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.ChannelNeverCompleted);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var symbols = ChannelSymbols.Create(start.Compilation);
            if (symbols is not null)
            {
                ChannelUsageCollector.Register(start, symbols, Analyze);
            }
        });
    }

    private static void Analyze(ChannelStorage storage, System.Action<Diagnostic> report)
    {
        if ((storage.Uses & (ChannelUses.Complete | ChannelUses.WriterEscaped | ChannelUses.Escaped)) != 0)
        {
            return;
        }

        foreach (var readLoop in storage.UnobservedReadLoops)
        {
            report(Diagnostic.Create(Descriptors.ChannelNeverCompleted, readLoop.Syntax.GetLocation(), storage.Symbol.Name, storage.Container.Name));
        }
    }
}
