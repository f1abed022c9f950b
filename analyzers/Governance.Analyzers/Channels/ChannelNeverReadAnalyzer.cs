using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Governance.Analyzers.Channels;

/// <summary>GOV3001: a private channel whose writer is used while its reader never is.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ChannelNeverReadAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.ChannelNeverRead);

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
        var uses = storage.Uses;
        if ((uses & ChannelUses.Write) != 0 && (uses & (ChannelUses.Read | ChannelUses.Escaped)) == 0 && storage.Creation is { } creation)
        {
            report(Diagnostic.Create(Descriptors.ChannelNeverRead, creation.Syntax.GetLocation(), storage.Symbol.Name, storage.Container.Name));
        }
    }
}
