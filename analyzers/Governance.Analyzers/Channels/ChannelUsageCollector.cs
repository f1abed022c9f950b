using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using Governance.Analyzers.Operations;
using Governance.Analyzers.Symbols;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Governance.Analyzers.Channels;

/// <summary>
/// Finds channels created into a local (per method) or into a private field or auto-property (per type, across
/// every partial declaration) and collects what all references do with them; the rule decides what to report.
/// </summary>
internal static class ChannelUsageCollector
{
    public static void Register(CompilationStartAnalysisContext context, ChannelSymbols symbols, Action<ChannelStorage, Action<Diagnostic>> analyze)
    {
        // Perf: rather than walking every method body, only a body that creates a channel into a local is walked,
        // once, when the creation is met (the driver's shared walk hands over creations).
        var walked = new WalkedBlocks();
        context.RegisterOperationAction(
            operationContext =>
            {
                var operation = operationContext.Operation;
                if (symbols.IsChannelCreation(operation) && GetAssignedLocal(operation) is not null && walked.TryClaim(operation) is { } block)
                {
                    AnalyzeLocals(block, operationContext.ContainingSymbol, symbols, analyze, operationContext.ReportDiagnostic);
                }
            },
            OperationKind.Invocation,
            OperationKind.ObjectCreation);
        context.RegisterSymbolStartAction(typeStart => RegisterType(typeStart, symbols, analyze), SymbolKind.NamedType);
    }

    private static void AnalyzeLocals(IOperation block, ISymbol owner, ChannelSymbols symbols, Action<ChannelStorage, Action<Diagnostic>> analyze, Action<Diagnostic> report)
    {
        Dictionary<ILocalSymbol, ChannelStorage>? storages = null;
        List<ILocalReferenceOperation>? references = null;
        foreach (var operation in block.DescendantsAndSelf())
        {
            if (operation is ILocalReferenceOperation reference)
            {
                if (symbols.IsChannelType(reference.Local.Type))
                {
                    (references ??= new List<ILocalReferenceOperation>()).Add(reference);
                }
            }
            else if (symbols.IsChannelCreation(operation) && GetAssignedLocal(operation) is { } local)
            {
                storages ??= new Dictionary<ILocalSymbol, ChannelStorage>(SymbolEqualityComparer.Default);
                if (!storages.TryGetValue(local, out var storage))
                {
                    storages[local] = storage = new ChannelStorage(local, owner);
                }

                storage.AddCreation(operation);
            }
        }

        if (storages is null)
        {
            return;
        }

        foreach (var reference in references ?? new List<ILocalReferenceOperation>())
        {
            if (storages.TryGetValue(reference.Local, out var storage))
            {
                storage.AddUse(ChannelReferenceClassifier.Classify(reference, symbols, out var readLoop), readLoop);
            }
        }

        foreach (var storage in storages.Values)
        {
            analyze(storage, report);
        }
    }

    private static ILocalSymbol? GetAssignedLocal(IOperation creation)
        => creation.GetConsumer(out var child) switch
        {
            IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator } => declarator.Symbol,
            ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } assignment when assignment.Value == child => target.Local,
            _ => null,
        };

    private static void RegisterType(SymbolStartAnalysisContext context, ChannelSymbols symbols, Action<ChannelStorage, Action<Diagnostic>> analyze)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        var storages = new ConcurrentDictionary<ISymbol, ChannelStorage>(SymbolEqualityComparer.Default);

        // Perf: only private channel-typed storage is ever tracked; types without any skip every callback.
        var hasCandidate = false;
        foreach (var member in type.GetMembers())
        {
            if (IsCandidate(member, type, symbols))
            {
                hasCandidate = true;
                break;
            }
        }

        if (!hasCandidate)
        {
            return;
        }

        context.RegisterOperationAction(
            operationContext =>
            {
                var operation = operationContext.Operation;
                if (!symbols.IsChannelCreation(operation))
                {
                    return;
                }

                var member = operation.GetConsumer(out var child) switch
                {
                    IFieldInitializerOperation initializer when initializer.InitializedFields.Length == 1 => initializer.InitializedFields[0],
                    IPropertyInitializerOperation initializer when initializer.InitializedProperties.Length == 1 => initializer.InitializedProperties[0],
                    IAssignmentOperation { Target: IMemberReferenceOperation { Instance: null or IInstanceReferenceOperation } target } assignment when assignment.Value == child => target.Member,
                    _ => null,
                };
                if (member is not null && IsCandidate(member, type, symbols))
                {
                    storages.GetOrAdd(member, m => new ChannelStorage(m, type)).AddCreation(operation);
                }
            },
            OperationKind.Invocation,
            OperationKind.ObjectCreation);

        context.RegisterOperationAction(
            operationContext =>
            {
                var reference = (IMemberReferenceOperation)operationContext.Operation;
                if (IsCandidate(reference.Member, type, symbols))
                {
                    var uses = ChannelReferenceClassifier.Classify(reference, symbols, out var readLoop);
                    storages.GetOrAdd(reference.Member, m => new ChannelStorage(m, type)).AddUse(uses, readLoop);
                }
            },
            OperationKind.FieldReference,
            OperationKind.PropertyReference);

        context.RegisterSymbolEndAction(endContext =>
        {
            foreach (var storage in storages.Values)
            {
                if (storage.Creation is not null && !type.IsNamedInNestedTypes(storage.Symbol.Name, endContext.CancellationToken))
                {
                    analyze(storage, endContext.ReportDiagnostic);
                }
            }
        });
    }

    private static bool IsCandidate(ISymbol member, INamedTypeSymbol type, ChannelSymbols symbols)
        => member.IsPrivateToType()
            && SymbolEqualityComparer.Default.Equals(member.ContainingType, type)
            && member switch
            {
                IFieldSymbol field => field.AssociatedSymbol is null && symbols.IsChannelType(field.Type),
                IPropertySymbol property => symbols.IsChannelType(property.Type) && property.IsAutoProperty(),
                _ => false,
            };
}
