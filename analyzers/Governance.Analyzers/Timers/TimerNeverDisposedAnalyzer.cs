using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Governance.Analyzers.Operations;
using Governance.Analyzers.Symbols;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Governance.Analyzers.Timers;

/// <summary>GOV2001: a timer in a local, field or auto-property that nobody disposes or stops.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class TimerNeverDisposedAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Diagnostic property telling the code fix which shape it is looking at.</summary>
    public const string KindProperty = "Kind";
    public const string LocalKind = "Local";
    public const string MemberKind = "Member";
    public const string ReassignedKind = "Reassigned";

    /// <summary>Set on local reports that a plain <c>using var</c> turns into code that compiles.</summary>
    public const string CanUseUsingProperty = "CanUseUsing";

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.TimerNeverDisposed);

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

            // Perf: rather than walking every method body, only a body that creates a timer into a local is walked,
            // once, when the creation is met (the driver's shared walk hands over creations).
            var walked = new WalkedBlocks();
            start.RegisterOperationAction(
                operationContext =>
                {
                    var operation = operationContext.Operation;
                    if (symbols.IsTimerCreation(operation, out _) && TryGetAssignedLocal(operation, out _, out _) && walked.TryClaim(operation) is { } block)
                    {
                        AnalyzeLocals(block, symbols, operationContext.ReportDiagnostic);
                    }
                },
                OperationKind.Invocation,
                OperationKind.ObjectCreation);
            start.RegisterSymbolStartAction(typeStart => TimerMemberAnalysis.Register(typeStart, symbols), SymbolKind.NamedType);
        });
    }

    private static void AnalyzeLocals(IOperation block, TimerSymbols symbols, Action<Diagnostic> report)
    {
        Dictionary<ILocalSymbol, IOperation>? creations = null;
        foreach (var operation in block.DescendantsAndSelf())
        {
            if (symbols.IsTimerCreation(operation, out _) && TryGetAssignedLocal(operation, out var local, out var isUsing) && !isUsing)
            {
                creations ??= new Dictionary<ILocalSymbol, IOperation>(SymbolEqualityComparer.Default);
                if (!creations.ContainsKey(local))
                {
                    creations[local] = operation;
                }
            }
        }

        if (creations is null)
        {
            return;
        }

        var references = new Dictionary<ILocalSymbol, List<ILocalReferenceOperation>>(SymbolEqualityComparer.Default);
        foreach (var operation in block.DescendantsAndSelf())
        {
            if (operation is ILocalReferenceOperation reference && creations.ContainsKey(reference.Local))
            {
                if (!references.TryGetValue(reference.Local, out var list))
                {
                    references[reference.Local] = list = new List<ILocalReferenceOperation>();
                }

                list.Add(reference);
            }
        }

        foreach (var pair in creations)
        {
            var creation = pair.Value;
            var function = creation.GetEnclosingFunction();
            var canUseUsing = creation.Parent is IVariableInitializerOperation;

            // A one-shot timer stops by itself; it is reported only when the code shows it should be stopped (a
            // dispose on some paths), or when a later Change(due, period) makes it periodic.
            var oneShot = symbols.IsOneShot(creation);
            var handled = false;
            List<IOperation>? stops = null;
            if (references.TryGetValue(pair.Key, out var uses))
            {
                foreach (var use in uses)
                {
                    if (use.GetEnclosingFunction() != function)
                    {
                        // Captured: a callback that disposes its own timer is the usual one-shot pattern.
                        handled = true;
                        break;
                    }

                    var kind = TimerReferenceClassifier.Classify(use, symbols);
                    if (kind == TimerReferenceUse.Escaped)
                    {
                        handled = true;
                        break;
                    }

                    if (kind == TimerReferenceUse.Stopped)
                    {
                        (stops ??= new List<IOperation>()).Add(use);
                    }
                    else if (kind == TimerReferenceUse.Assigned)
                    {
                        // A using variable is read-only.
                        canUseUsing = false;
                    }
                    else if (use.GetConsumer(out var child) is IInvocationOperation invocation && invocation.Instance == child && symbols.IsPeriodicStart(invocation))
                    {
                        oneShot = false;
                    }
                }
            }

            if (handled)
            {
                continue;
            }

            string? message = null;
            if (stops is null)
            {
                if (!oneShot)
                {
                    message = $"Timer '{pair.Key.Name}' is never disposed: it keeps firing, and keeps its callback alive, after the method returns";
                }
            }
            else if (TimerExitPaths.FindReturnSkippingStop(creation, stops) is { } exit)
            {
                var line = exit.Syntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
                message = $"Timer '{pair.Key.Name}' is disposed on some paths but not on the one through the 'return' at line {line}: on that path it {(oneShot ? "still fires" : "keeps firing")} after the method returns";
            }

            if (message is not null)
            {
                var properties = ImmutableDictionary<string, string?>.Empty
                    .Add(KindProperty, LocalKind)
                    .Add(CanUseUsingProperty, canUseUsing ? "true" : "false");
                report(Diagnostic.Create(Descriptors.TimerNeverDisposed, creation.Syntax.GetLocation(), properties, message));
            }
        }
    }

    private static bool TryGetAssignedLocal(IOperation creation, out ILocalSymbol local, out bool isUsing)
    {
        var consumer = creation.GetConsumer(out var child);
        isUsing = false;
        switch (consumer)
        {
            case IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator }:
                local = declarator.Symbol;
                isUsing = declarator.Parent?.Parent is IUsingDeclarationOperation
                    || declarator.Parent?.Parent?.Parent is IUsingOperation or IUsingDeclarationOperation;
                return true;
            case ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } assignment when assignment.Value == child:
                local = target.Local;
                return assignment.Parent is IExpressionStatementOperation;
            default:
                local = null!;
                return false;
        }
    }
}
