using System.Collections.Concurrent;
using System.Collections.Generic;
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
    /// <summary>
    /// Set (to the member's name) on a report whose channel can be bounded with <c>FullMode = Wait</c> without changing
    /// what happens to an item: the channel is created straight into a private member of the type, neither it nor its
    /// writer escapes, and every write in the type (all partial declarations) is a <c>WriteAsync</c> that is awaited
    /// or returned to the caller. A <c>TryWrite</c> would return false on a full channel, and a caller that ignores it
    /// would drop the item.
    /// </summary>
    public const string BoundableMemberProperty = "BoundableMember";

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

        // A channel kept in one of this type's own members is reported at the end of the type, unless what is written
        // to that member shows that its backlog is bounded or costs nothing (see IsBacklogBounded).
        var pending = new ConcurrentBag<(ISymbol Member, IOperation Creation, string Destination)>();
        var writes = new ConcurrentBag<(ISymbol Member, ChannelWrite Write)>();
        var boundedMembers = new ConcurrentBag<ISymbol>();

        // For the code fix: which members have a use that a bounded channel would change (a TryWrite, a write nobody
        // waits for, an escape), and which have an awaited write.
        var unboundableMembers = new ConcurrentBag<ISymbol>();
        var awaitedWriteMembers = new ConcurrentBag<ISymbol>();

        context.RegisterOperationAction(
            operationContext =>
            {
                var creation = operationContext.Operation;
                if (symbols.IsBoundedCreation(creation))
                {
                    if (FindLongLivedDestination(creation, symbols, out var boundedMember) is not null && boundedMember is not null)
                    {
                        boundedMembers.Add(boundedMember);
                    }

                    return;
                }

                if (!symbols.IsUnboundedCreation(creation) || IsSignalType(creation))
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
                var item = ChannelWriteFacts.GetItem(invocation);
                writes.Add((member.Member, new ChannelWrite(
                    limited,
                    item is not null && ChannelWriteFacts.IsPayloadFree(item),
                    item is not null && !limited && ChannelWriteFacts.AwaitsItsItem(invocation, item),
                    item is null || ChannelWriteFacts.IsParameterPassedThrough(item))));
            },
            OperationKind.Invocation);

        if (HasChannelMembers(type, symbols))
        {
            context.RegisterOperationAction(
                operationContext =>
                {
                    var reference = (IMemberReferenceOperation)operationContext.Operation;
                    if (!SymbolEqualityComparer.Default.Equals(reference.Member.ContainingType, type) || !symbols.IsChannelType(MemberType(reference.Member)))
                    {
                        return;
                    }

                    switch (ClassifyForBound(reference, symbols))
                    {
                        case BoundUse.Unboundable:
                            unboundableMembers.Add(reference.Member);
                            break;
                        case BoundUse.AwaitedWrite:
                            awaitedWriteMembers.Add(reference.Member);
                            break;
                    }
                },
                OperationKind.FieldReference,
                OperationKind.PropertyReference);
        }

        context.RegisterSymbolEndAction(endContext =>
        {
            var bounded = new HashSet<ISymbol>(boundedMembers, SymbolEqualityComparer.Default);
            foreach (var (member, creation, destination) in pending)
            {
                // The same member is given a bounded channel elsewhere in the type (another constructor): whether
                // to bound is the choice of whoever creates the object, a configured choice, not an oversight.
                if (bounded.Contains(member))
                {
                    continue;
                }

                var memberWrites = writes.Where(w => SymbolEqualityComparer.Default.Equals(w.Member, member)).Select(w => w.Write).ToList();
                if (IsBacklogBounded(memberWrites) || IsGenericContainer(creation, type, memberWrites))
                {
                    continue;
                }

                var properties = ImmutableDictionary<string, string?>.Empty;
                if (IsBoundable(member, creation, unboundableMembers, awaitedWriteMembers, type, endContext.CancellationToken))
                {
                    properties = properties.Add(BoundableMemberProperty, member.Name);
                }

                endContext.ReportDiagnostic(Diagnostic.Create(Descriptors.UnboundedChannel, creation.Syntax.GetLocation(), properties, destination));
            }
        });
    }

    private static bool HasChannelMembers(INamedTypeSymbol type, ChannelSymbols symbols)
    {
        foreach (var member in type.GetMembers())
        {
            if (member is IFieldSymbol or IPropertySymbol && symbols.IsChannelType(MemberType(member)))
            {
                return true;
            }
        }

        return false;
    }

    private static ITypeSymbol? MemberType(ISymbol member)
        => member switch
        {
            IFieldSymbol field => field.Type,
            IPropertySymbol property => property.Type,
            _ => null,
        };

    /// <summary>
    /// Whether bounding the channel with <c>FullMode = Wait</c> keeps every item: see <see cref="BoundableMemberProperty"/>.
    /// </summary>
    private static bool IsBoundable(
        ISymbol member, IOperation creation, ConcurrentBag<ISymbol> unboundable, ConcurrentBag<ISymbol> awaitedWrites, INamedTypeSymbol type, System.Threading.CancellationToken cancellationToken)
    {
        var stored = creation.GetConsumer(out var child);
        var direct = stored is IFieldInitializerOperation or IPropertyInitializerOperation
            || (stored is ISimpleAssignmentOperation assignment && assignment.Value == child);
        return direct
            && member.IsPrivateToType()
            && member.IsTrackableStorage()
            && awaitedWrites.Contains(member, SymbolEqualityComparer.Default)
            && !unboundable.Contains(member, SymbolEqualityComparer.Default)
            && !type.IsNamedInNestedTypes(member.Name, cancellationToken);
    }

    /// <summary>What one reference to a channel member means for bounding that channel.</summary>
    private static BoundUse ClassifyForBound(IMemberReferenceOperation reference, ChannelSymbols symbols)
    {
        var consumer = reference.GetConsumer(out var child);
        switch (consumer)
        {
            case IAssignmentOperation assignment when assignment.Target == child:
                // Only a channel created here, or null, may be stored: a channel from elsewhere has writers we cannot see.
                var value = assignment.Value.WalkDownConversions();
                return assignment is ISimpleAssignmentOperation && (symbols.IsChannelCreation(value) || value.IsNullLiteral() || value is IDefaultValueOperation)
                    ? BoundUse.Neutral
                    : BoundUse.Unboundable;
            case IBinaryOperation:
            case IIsPatternOperation:
            case IIsTypeOperation:
            case INameOfOperation:
                return BoundUse.Neutral;
            case IPropertyReferenceOperation { Property.Name: "Writer" } writer when writer.Instance == child:
                return ClassifyWriterForBound(writer);
            case IPropertyReferenceOperation { Property.Name: "Reader" } reader when reader.Instance == child:
                return ClassifyReaderForBound(reader, reference.Member);
            case IMemberReferenceOperation member when member.Instance == child:
            case IInvocationOperation invocation when invocation.Instance == child:
                // The reader, the completion, ToString(): nothing that writes.
                return BoundUse.Neutral;
            default:
                return BoundUse.Unboundable;
        }
    }

    private static BoundUse ClassifyWriterForBound(IOperation writer)
    {
        var consumer = writer.GetConsumer(out var child);
        if (consumer is not IInvocationOperation invocation || invocation.Instance != child)
        {
            // The writer is stored, passed or returned: writes we cannot see.
            return consumer is IBinaryOperation or IIsPatternOperation or IInvalidOperation ? BoundUse.Neutral : BoundUse.Unboundable;
        }

        return invocation.TargetMethod.Name switch
        {
            "Complete" or "TryComplete" or "WaitToWriteAsync" => BoundUse.Neutral,
            "WriteAsync" => IsAwaitedOrReturned(invocation) ? BoundUse.AwaitedWrite : BoundUse.Unboundable,
            _ => BoundUse.Unboundable,
        };
    }

    /// <summary>
    /// With <c>FullMode = Wait</c> a writer waits for the reader. If the loop that reads also awaits other work per
    /// item (delivering it, handling it), that work may be a writer of the same channel waiting for room while the
    /// reader waits for it: a deadlock the unbounded channel could not have. So the reader may await only the channel
    /// itself (<c>ReadAsync</c>, <c>WaitToReadAsync</c>, <c>await foreach</c> over <c>ReadAllAsync()</c>) in the loop
    /// that drains it, and may not leave the type (a reader handed out is drained by code we cannot see).
    /// </summary>
    private static BoundUse ClassifyReaderForBound(IOperation reader, ISymbol member)
    {
        var consumer = reader.GetConsumer(out var child);
        if (consumer is IPropertyReferenceOperation { Property.Name: "Completion" or "Count" or "CanCount" or "CanPeek" } && ((IPropertyReferenceOperation)consumer).Instance == child)
        {
            return BoundUse.Neutral;
        }

        if (consumer is not IInvocationOperation { TargetMethod.Name: "ReadAsync" or "WaitToReadAsync" or "TryRead" or "TryPeek" or "ReadAllAsync" } read || read.Instance != child)
        {
            return consumer is IBinaryOperation or IIsPatternOperation or IInvalidOperation ? BoundUse.Neutral : BoundUse.Unboundable;
        }

        // The loop that drains the channel: an `await foreach` over ReadAllAsync(), or the loop around the read.
        var loop = read.TargetMethod.Name == "ReadAllAsync"
            ? FindForEachOver(read)
            : FindEnclosingLoop(read);
        if (loop is null)
        {
            return read.TargetMethod.Name is "TryRead" or "TryPeek" && !IsReturned(read) ? BoundUse.Neutral : BoundUse.Unboundable;
        }

        foreach (var awaited in loop.Body.DescendantsAndSelf().OfType<IAwaitOperation>())
        {
            if (awaited.IsInsideNestedFunction(loop) || !IsReadOfMember(awaited.Operation, member))
            {
                return BoundUse.Unboundable;
            }
        }

        return loop.Body.DescendantsAndSelf().Any(o => o is IForEachLoopOperation { IsAsynchronous: true } or IUsingOperation { IsAsynchronous: true } or IUsingDeclarationOperation { IsAsynchronous: true })
            ? BoundUse.Unboundable
            : BoundUse.Neutral;
    }

    private static bool IsReturned(IOperation operation) => operation.GetConsumer(out _) is IReturnOperation;

    private static ILoopOperation? FindForEachOver(IOperation read)
    {
        for (var current = read.Parent; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case IForEachLoopOperation { IsAsynchronous: true } loop when read.IsWithin(loop.Collection):
                    return loop;
                case IAnonymousFunctionOperation or ILocalFunctionOperation or IBlockOperation:
                    return null;
            }
        }

        return null;
    }

    private static ILoopOperation? FindEnclosingLoop(IOperation read)
    {
        for (var current = read.Parent; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case ILoopOperation loop:
                    return loop;
                case IAnonymousFunctionOperation or ILocalFunctionOperation:
                    return null;
            }
        }

        return null;
    }

    // `await _channel.Reader.ReadAsync(token)`, through `.ConfigureAwait(...)` or `.AsTask()`.
    private static bool IsReadOfMember(IOperation awaited, ISymbol member)
    {
        var operand = awaited.WalkDownConversions();
        while (operand is IInvocationOperation { TargetMethod.Name: "ConfigureAwait" or "AsTask", Instance: { } inner })
        {
            operand = inner.WalkDownConversions();
        }

        return operand is IInvocationOperation { TargetMethod.Name: "ReadAsync" or "WaitToReadAsync", Instance: IPropertyReferenceOperation { Property.Name: "Reader", Instance: IMemberReferenceOperation owner } }
            && SymbolEqualityComparer.Default.Equals(owner.Member, member);
    }

    // `await writer.WriteAsync(x)`, through `.ConfigureAwait(...)` or `.AsTask()`, or `return writer.WriteAsync(x);`:
    // the writer (or its caller) waits while the channel is full, and the item is written when there is room.
    private static bool IsAwaitedOrReturned(IOperation write)
    {
        var consumer = write.GetConsumer(out var child);
        while (consumer is IInvocationOperation { TargetMethod.Name: "ConfigureAwait" or "AsTask" } wrapper && wrapper.Instance == child)
        {
            consumer = wrapper.GetConsumer(out child);
        }

        // A lambda's return goes to whoever calls the delegate, who may ignore it.
        return consumer is IAwaitOperation
            || (consumer is IReturnOperation && write.GetEnclosingFunction() is not IAnonymousFunctionOperation);
    }

    private enum BoundUse
    {
        Neutral,
        AwaitedWrite,
        Unboundable,
    }

    /// <summary>
    /// Every write goes through a limiter or is awaited by its writer until the item is handled (the backlog is
    /// bounded by the callers), or every write is payload-free (a signal).
    /// </summary>
    private static bool IsBacklogBounded(List<ChannelWrite> writes)
        => writes.Count > 0
            && (writes.All(w => w.Limited || w.AwaitsItem) || writes.All(w => w.PayloadFree));

    /// <summary>
    /// A channel of the type's own type parameter, fed only with items its callers pass in: a general-purpose
    /// queue like <c>ConcurrentQueue&lt;T&gt;</c>. Whether its backlog is bounded depends on its users, which this rule
    /// does not see.
    /// </summary>
    private static bool IsGenericContainer(IOperation creation, INamedTypeSymbol type, List<ChannelWrite> writes)
        => ElementType(creation) is ITypeParameterSymbol { TypeParameterKind: TypeParameterKind.Type } element
            && SymbolEqualityComparer.Default.Equals(element.DeclaringType?.OriginalDefinition, type.OriginalDefinition)
            && writes.All(w => w.PassesParameter);

    /// <summary><c>Channel&lt;bool&gt;</c>: a payload-free signal, whatever is written.</summary>
    private static bool IsSignalType(IOperation creation)
        => ElementType(creation) is { SpecialType: SpecialType.System_Boolean };

    private static ITypeSymbol? ElementType(IOperation creation)
        => creation is IInvocationOperation { TargetMethod.TypeArguments: { Length: 1 } arguments } ? arguments[0] : null;

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

/// <summary>One write to a channel member, as far as the bound of its backlog is concerned.</summary>
internal readonly struct ChannelWrite
{
    public ChannelWrite(bool limited, bool payloadFree, bool awaitsItem, bool passesParameter)
    {
        Limited = limited;
        PayloadFree = payloadFree;
        AwaitsItem = awaitsItem;
        PassesParameter = passesParameter;
    }

    /// <summary>A limiter is acquired before the write.</summary>
    public bool Limited { get; }

    /// <summary>The item carries nothing (a constant, <c>null</c>, <c>default</c>, <c>new object()</c>).</summary>
    public bool PayloadFree { get; }

    /// <summary>The writer then awaits the completion of the item it wrote.</summary>
    public bool AwaitsItem { get; }

    /// <summary>The item is a parameter of the writing method, passed straight through (or nothing is written).</summary>
    public bool PassesParameter { get; }
}
