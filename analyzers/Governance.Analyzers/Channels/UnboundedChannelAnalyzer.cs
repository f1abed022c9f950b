using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Linq;
using Governance.Analyzers.Limiting;
using Governance.Analyzers.Operations;
using Governance.Analyzers.Options;
using Governance.Analyzers.Symbols;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Governance.Analyzers.Channels;

/// <summary>
/// GOV3002: an unbounded channel stored where it outlives its method — a field or property, a collection, DI,
/// or a return value.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UnboundedChannelAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.UnboundedChannel);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var symbols = ChannelSymbols.Create(start.Compilation);
            if (symbols is null)
            {
                return;
            }

            var limiters = new LimiterSymbols(start.Compilation);
            start.RegisterSymbolStartAction(typeStart => RegisterType(typeStart, symbols, limiters), SymbolKind.NamedType);
        });
    }

    private static void RegisterType(SymbolStartAnalysisContext context, ChannelSymbols symbols, LimiterSymbols limiters)
    {
        var type = (INamedTypeSymbol)context.Symbol;

        // A channel kept in one of this type's own members is reported at the end of the type, unless every write
        // to that member goes through a limiter.
        var pending = new ConcurrentBag<(ISymbol Member, IOperation Creation, string Destination)>();
        var writes = new ConcurrentBag<(ISymbol Member, bool Limited)>();

        context.RegisterOperationAction(
            operationContext =>
            {
                var creation = operationContext.Operation;
                if (!symbols.IsUnboundedCreation(creation))
                {
                    return;
                }

                var destination = FindLongLivedDestination(creation, symbols, out var ownMember);
                if (destination is null)
                {
                    return;
                }

                if (ownMember is not null && SymbolEqualityComparer.Default.Equals(ownMember.ContainingType, type))
                {
                    pending.Add((ownMember, creation, destination));
                }
                else
                {
                    operationContext.ReportDiagnostic(Diagnostic.Create(Descriptors.UnboundedChannel, creation.Syntax.GetLocation(), destination));
                }
            },
            OperationKind.Invocation);

        context.RegisterOperationAction(
            operationContext =>
            {
                // `_member.Writer.WriteAsync(...)` / `TryWrite(...)`
                var invocation = (IInvocationOperation)operationContext.Operation;
                if (invocation.TargetMethod.Name is not ("TryWrite" or "WriteAsync" or "WaitToWriteAsync")
                    || invocation.Instance?.WalkDownConversions() is not IPropertyReferenceOperation { Property.Name: "Writer", Instance: IMemberReferenceOperation member }
                    || !SymbolEqualityComparer.Default.Equals(member.Member.ContainingType, type))
                {
                    return;
                }

                var configured = limiters.GetConfiguredTypes(GovernanceOptions.For(operationContext.Options, invocation.Syntax.SyntaxTree));
                var limited = LimiterAcquisition.IsPrecededByAcquire(invocation, invocation.GetRoot(), limiters, configured);
                writes.Add((member.Member, limited));
            },
            OperationKind.Invocation);

        context.RegisterSymbolEndAction(endContext =>
        {
            foreach (var (member, creation, destination) in pending)
            {
                var memberWrites = writes.Where(w => SymbolEqualityComparer.Default.Equals(w.Member, member)).ToList();
                if (memberWrites.Count > 0 && memberWrites.All(w => w.Limited))
                {
                    continue;
                }

                endContext.ReportDiagnostic(Diagnostic.Create(Descriptors.UnboundedChannel, creation.Syntax.GetLocation(), destination));
            }
        });
    }

    /// <summary>
    /// Where the new channel goes, if that place outlives the method: described for the message, with the member
    /// of the analysed type it is stored in, if any. A local is followed to where its value goes.
    /// </summary>
    private static string? FindLongLivedDestination(IOperation creation, ChannelSymbols symbols, out ISymbol? ownMember)
    {
        ownMember = null;
        var consumer = creation.GetConsumer(out var child);
        if (consumer is IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator })
        {
            return FindLocalDestination(declarator.Symbol, creation.GetRoot(), symbols, out ownMember);
        }

        return DescribeDestination(consumer, child, symbols, out ownMember);
    }

    private static string? FindLocalDestination(ILocalSymbol local, IOperation root, ChannelSymbols symbols, out ISymbol? ownMember)
    {
        ownMember = null;
        foreach (var reference in root.Descendants().OfType<ILocalReferenceOperation>())
        {
            if (!SymbolEqualityComparer.Default.Equals(reference.Local, local))
            {
                continue;
            }

            var consumer = reference.GetConsumer(out var child);

            // `return channel.Reader;` hands out a view of the same channel.
            if (consumer is IPropertyReferenceOperation { Property.Name: "Reader" or "Writer" } view && view.Instance == child)
            {
                consumer = view.GetConsumer(out child);
            }

            if (DescribeDestination(consumer, child, symbols, out ownMember) is { } destination)
            {
                return destination;
            }
        }

        return null;
    }

    private static string? DescribeDestination(IOperation? consumer, IOperation child, ChannelSymbols symbols, out ISymbol? ownMember)
    {
        ownMember = null;
        switch (consumer)
        {
            case IFieldInitializerOperation initializer when initializer.InitializedFields.Length == 1:
                ownMember = initializer.InitializedFields[0];
                return $"stored in '{ownMember.Name}'";
            case IPropertyInitializerOperation initializer when initializer.InitializedProperties.Length == 1:
                ownMember = initializer.InitializedProperties[0];
                return $"stored in '{ownMember.Name}'";
            case IAssignmentOperation { Target: IMemberReferenceOperation target } assignment when assignment.Value == child:
                if (target.Instance is null or IInstanceReferenceOperation)
                {
                    ownMember = target.Member;
                }

                return target is IPropertyReferenceOperation { Property.IsIndexer: true } ? "added to a collection" : $"stored in '{target.Member.Name}'";
            case IReturnOperation:
                return "returned from its method";
            case IArgumentOperation { Parent: IInvocationOperation invocation } argument when argument.Value == child:
                return DescribeCall(invocation, symbols);
            default:
                return null;
        }
    }

    private static string? DescribeCall(IInvocationOperation invocation, ChannelSymbols symbols)
    {
        var method = invocation.TargetMethod;
        if (method.IsExtensionMethod && method.Parameters.Length > 0 && method.Parameters[0].Type.IsOrImplements(symbols.ServiceCollection))
        {
            return "registered in dependency injection";
        }

        var receiver = invocation.Instance?.Type ?? (method.IsExtensionMethod && method.Parameters.Length > 0 ? method.Parameters[0].Type : null);
        var isStore = method.Name.StartsWith("Add", System.StringComparison.Ordinal)
            || method.Name is "TryAdd" or "GetOrAdd" or "Insert" or "Push" or "Enqueue" or "Set" or "TryUpdate";
        return isStore && receiver.IsOrImplements(symbols.Collection) ? "added to a collection" : null;
    }
}
