using System.Collections.Immutable;
using Governance.Analyzers.Operations;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Governance.Analyzers.Timers;

/// <summary>GOV2002: a started timer created as a statement or assigned to a discard.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class TimerNotReferencedAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.TimerNotReferenced);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var symbols = TimerSymbols.Create(start.Compilation);
            if (symbols is null)
            {
                return;
            }

            start.RegisterOperationAction(operation => Analyze(operation, symbols), OperationKind.ObjectCreation, OperationKind.Invocation);
        });
    }

    private static void Analyze(OperationAnalysisContext context, TimerSymbols symbols)
    {
        // A System.Timers.Timer or PeriodicTimer nobody references never starts, so it cannot leak.
        if (!symbols.IsTimerCreation(context.Operation, out var timerType) || !symbols.StartsOnCreation(timerType) || symbols.IsCreatedDisabled(context.Operation))
        {
            return;
        }

        var consumer = context.Operation.GetConsumer(out var child);
        var dropped = consumer switch
        {
            IExpressionStatementOperation => true,
            ISimpleAssignmentOperation { Target: IDiscardOperation } assignment => assignment.Value == child && assignment.Parent is IExpressionStatementOperation,
            _ => false,
        };
        if (dropped)
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.TimerNotReferenced, context.Operation.Syntax.GetLocation(), TimerSymbols.DisplayName(timerType)));
        }
    }
}
