using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Governance.Analyzers.Channels;

/// <summary>
/// GOV3001 (a private channel whose writer is used while its reader never is) and GOV3003 (a private channel read
/// until completion whose writer nobody completes): one walk of each body that creates a channel, and one
/// collection of the uses of each private channel member, for both rules.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ChannelLifecycleAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.ChannelNeverRead, Descriptors.ChannelNeverCompleted);

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
        ReportNeverRead(storage, report);
        ReportNeverCompleted(storage, report);
    }

    // GOV3001: written, and neither read nor handed to anyone who could read it.
    private static void ReportNeverRead(ChannelStorage storage, System.Action<Diagnostic> report)
    {
        var uses = storage.Uses;
        if ((uses & ChannelUses.Write) != 0 && (uses & (ChannelUses.Read | ChannelUses.Escaped)) == 0 && storage.Creation is { } creation)
        {
            report(Diagnostic.Create(Descriptors.ChannelNeverRead, creation.Syntax.GetLocation(), storage.Symbol.Name, storage.Container.Name));
        }
    }

    // GOV3003: read until completion without a token, and nobody here or elsewhere can complete the writer.
    private static void ReportNeverCompleted(ChannelStorage storage, System.Action<Diagnostic> report)
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
