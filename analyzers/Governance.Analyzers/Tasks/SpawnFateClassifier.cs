using System.Linq;
using Governance.Analyzers.Operations;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Governance.Analyzers.Tasks;

internal static class SpawnFateClassifier
{
    /// <summary>
    /// Follows the task a spawn returns to where it ends up. <paramref name="storage"/> is the local collection
    /// (<see cref="SpawnFate.Collected"/>) or the member (<see cref="SpawnFate.Stored"/>) that keeps it.
    /// </summary>
    public static SpawnFate Classify(IOperation spawn, out ISymbol? storage)
        => ClassifyValue(spawn, followLocals: true, out storage);

    private static SpawnFate ClassifyValue(IOperation value, bool followLocals, out ISymbol? storage)
    {
        storage = null;
        var consumer = value.GetConsumer(out var child);
        while (true)
        {
            switch (consumer)
            {
                case IAwaitOperation:
                    return SpawnFate.Awaited;
                case IExpressionStatementOperation:
                    return SpawnFate.Discarded;
                case IInvocationOperation invocation when invocation.Instance == child:
                    switch (invocation.TargetMethod.Name)
                    {
                        case "ConfigureAwait" or "ContinueWith" or "WaitAsync" or "AsTask" or "Preserve":
                            consumer = invocation.GetConsumer(out child);
                            continue;
                        case "Wait" or "GetAwaiter" or "Join":
                            // `thread.Join()` waits for a thread as `task.Wait()` waits for a task.
                            return SpawnFate.Awaited;
                        default:
                            return SpawnFate.Discarded;
                    }

                case IPropertyReferenceOperation { Property.Name: "Result" } result when result.Instance == child:
                    return SpawnFate.Awaited;
                case IMemberReferenceOperation member when member.Instance == child:
                    return SpawnFate.Discarded;
                case IArgumentOperation { Parent: IInvocationOperation call } argument:
                    if (call.TargetMethod.IsExtensionMethod && call.Arguments.Length > 0 && call.Arguments[0] == argument)
                    {
                        // `task.Forget()` drops the task; `task.Unwrap()` or `task.WithTimeout(...)` hands back another
                        // task for the same work, to follow.
                        if (call.TargetMethod.ReturnsVoid)
                        {
                            return SpawnFate.Discarded;
                        }

                        if (IsTask(call.TargetMethod.ReturnType))
                        {
                            consumer = call.GetConsumer(out child);
                            continue;
                        }

                        return SpawnFate.Escaped;
                    }

                    if (IsCollectionAdd(call.TargetMethod.Name))
                    {
                        switch (call.Instance?.WalkDownConversions())
                        {
                            case ILocalReferenceOperation local:
                                storage = local.Local;
                                return SpawnFate.Collected;
                            case IMemberReferenceOperation member:
                                storage = member.Member;
                                return SpawnFate.Stored;
                        }
                    }

                    return SpawnFate.Escaped;
                case ISimpleAssignmentOperation assignment when assignment.Value == child:
                    return ClassifyStore(assignment.Target, value, followLocals, out storage);
                case IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator }:
                    return followLocals ? ClassifyLocal(declarator.Symbol, value, out storage) : SpawnFate.Escaped;
                default:
                    return SpawnFate.Escaped;
            }
        }
    }

    private static SpawnFate ClassifyStore(IOperation target, IOperation value, bool followLocals, out ISymbol? storage)
    {
        storage = null;
        switch (target)
        {
            case IDiscardOperation:
                return SpawnFate.Discarded;
            case ILocalReferenceOperation local:
                return followLocals ? ClassifyLocal(local.Local, value, out storage) : SpawnFate.Escaped;
            case IArrayElementReferenceOperation element:
                return ClassifyCollection(element.ArrayReference, value, out storage);
            case IPropertyReferenceOperation { Property.IsIndexer: true } indexer when indexer.Instance is not null:
                return ClassifyCollection(indexer.Instance, value, out storage);
            case IMemberReferenceOperation member:
                storage = member.Member;
                return IsMemberAwaitedAfter(member.Member, value) ? SpawnFate.Awaited : SpawnFate.Stored;
            default:
                return SpawnFate.Escaped;
        }
    }

    /// <summary>
    /// Whether the function that stores the task in <paramref name="member"/> goes on to await that member
    /// (<c>_next = RenewAsync(); ... await _next;</c>): the member is only the place the task waits in.
    /// </summary>
    private static bool IsMemberAwaitedAfter(ISymbol member, IOperation store)
    {
        foreach (var operation in store.GetEnclosingFunction().DescendantsInSameFunction())
        {
            if (operation is IMemberReferenceOperation reference
                && reference.Syntax.SpanStart > store.Syntax.SpanStart
                && SymbolEqualityComparer.Default.Equals(reference.Member.OriginalDefinition, member.OriginalDefinition)
                && ClassifyValue(reference, followLocals: false, out _) == SpawnFate.Awaited)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether the function that fills the member collection goes on to hand the whole collection to someone
    /// (<c>return Task.WhenAll(_pending)</c>, <c>await Task.WhenAll(_pending)</c>): the member is only where the tasks
    /// wait to be awaited together.
    /// </summary>
    private static bool IsMemberPassedOnAfter(ISymbol member, IOperation store)
    {
        foreach (var operation in store.GetEnclosingFunction().DescendantsInSameFunction())
        {
            if (operation is IMemberReferenceOperation reference
                && reference.Syntax.SpanStart > store.Syntax.SpanStart
                && SymbolEqualityComparer.Default.Equals(reference.Member.OriginalDefinition, member.OriginalDefinition)
                && reference.GetConsumer(out _) is IArgumentOperation or IReturnOperation or IAwaitOperation)
            {
                return true;
            }
        }

        return false;
    }

    private static SpawnFate ClassifyCollection(IOperation collection, IOperation store, out ISymbol? storage)
    {
        switch (collection.WalkDownConversions())
        {
            case ILocalReferenceOperation local:
                storage = local.Local;
                return SpawnFate.Collected;
            case IMemberReferenceOperation member:
                storage = member.Member;
                return IsMemberPassedOnAfter(member.Member, store) ? SpawnFate.Escaped : SpawnFate.Stored;
            default:
                storage = null;
                return SpawnFate.Escaped;
        }
    }

    /// <summary>A task kept in a local: what the method does with the local decides.</summary>
    private static SpawnFate ClassifyLocal(ILocalSymbol local, IOperation spawn, out ISymbol? storage)
    {
        storage = null;
        var result = SpawnFate.Discarded;
        foreach (var reference in spawn.GetEnclosingFunction().Descendants().OfType<ILocalReferenceOperation>())
        {
            if (!SymbolEqualityComparer.Default.Equals(reference.Local, local)
                || reference.GetConsumer(out var child) is IAssignmentOperation assignment && assignment.Target == child)
            {
                continue;
            }

            var fate = ClassifyValue(reference, followLocals: false, out var referenceStorage);
            switch (fate)
            {
                case SpawnFate.Awaited or SpawnFate.Escaped or SpawnFate.Collected:
                    storage = referenceStorage;
                    return fate;
                case SpawnFate.Stored:
                    storage = referenceStorage;
                    result = SpawnFate.Stored;
                    break;
            }
        }

        return result;
    }

    private static bool IsTask(ITypeSymbol type)
        => type.Name is "Task" or "ValueTask" && type.ContainingNamespace?.ToDisplayString() == "System.Threading.Tasks";

    public static bool IsCollectionAdd(string name)
        => name is "Add" or "AddRange" or "Enqueue" or "Push" or "Insert" or "TryAdd" or "AddLast" or "AddFirst" or "TryEnqueue";

    /// <summary>
    /// Whether the method does anything with a local task collection besides filling it: awaiting it, passing it
    /// on or returning it makes it structured fan-out (GOV1002's concern), not fire-and-forget.
    /// </summary>
    public static bool IsCollectionConsumed(ISymbol collection, IOperation anyOperationInFunction)
        => FindConsumption(collection, anyOperationInFunction) is not null;

    /// <summary>
    /// The last place where the method waits for everything in a local task or thread collection: the collection
    /// passed to <c>WhenAll</c>/<c>WaitAll</c> or awaited, or walked by a <c>foreach</c> that joins, waits for or awaits
    /// each element. Null when nothing waits for the collection (starting each element is not waiting for it).
    /// </summary>
    public static IOperation? FindWait(ISymbol collection, IOperation anyOperationInFunction)
    {
        IOperation? last = null;
        foreach (var reference in anyOperationInFunction.GetRoot().Descendants().OfType<ILocalReferenceOperation>())
        {
            if (!SymbolEqualityComparer.Default.Equals(reference.Local, collection))
            {
                continue;
            }

            var consumer = reference.GetConsumer(out var child);
            var waits = consumer switch
            {
                IAwaitOperation => true,
                IArgumentOperation { Parent: IInvocationOperation { TargetMethod.Name: "WhenAll" or "WaitAll" } } => true,
                IForEachLoopOperation loop when loop.Collection.DescendantsAndSelf().Contains(reference) => loop.Body.DescendantsAndSelf().Any(o =>
                    o is IAwaitOperation || o is IInvocationOperation { TargetMethod.Name: "Join" or "Wait" }),
                _ => false,
            };
            if (waits && (last is null || reference.Syntax.SpanStart > last.Syntax.SpanStart))
            {
                last = reference;
            }
        }

        return last;
    }

    /// <summary>
    /// The first reference to a local task or thread collection that does something besides filling it (awaits it,
    /// joins its threads, passes it on), or null when the method only fills it.
    /// </summary>
    public static IOperation? FindConsumption(ISymbol collection, IOperation anyOperationInFunction)
    {
        foreach (var reference in anyOperationInFunction.GetRoot().Descendants().OfType<ILocalReferenceOperation>())
        {
            if (!SymbolEqualityComparer.Default.Equals(reference.Local, collection))
            {
                continue;
            }

            var consumer = reference.GetConsumer(out var child);
            var fills = consumer switch
            {
                IAssignmentOperation assignment => assignment.Target == child,
                IInvocationOperation invocation => invocation.Instance == child && (IsCollectionAdd(invocation.TargetMethod.Name) || invocation.TargetMethod.Name is "Clear"),
                IPropertyReferenceOperation { Property.Name: "Count" or "Length" } property => property.Instance == child,
                IArrayElementReferenceOperation element => element.ArrayReference == child && element.Parent is IAssignmentOperation store && store.Target == element,
                _ => false,
            };
            if (!fills)
            {
                return reference;
            }
        }

        return null;
    }
}
