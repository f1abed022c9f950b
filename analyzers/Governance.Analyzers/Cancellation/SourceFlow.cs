using System.Collections.Generic;
using Governance.Analyzers.Operations;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Governance.Analyzers.Cancellation;

/// <summary>Where a new source goes, and whether its token is still in use after the method that owns it returns.</summary>
internal static class SourceFlow
{
    /// <summary>
    /// The operation that stores (or otherwise consumes) a value, looking through conversions, parentheses and the
    /// branches of <c>?:</c>, <c>??</c> and <c>switch</c> expressions: <c>var s = c ? CreateLinkedTokenSource(t) : null;</c>
    /// stores the linked source in <c>s</c>.
    /// </summary>
    public static IOperation? GetStorageConsumer(IOperation value, out IOperation child)
    {
        child = value;
        var parent = value.Parent;
        while (true)
        {
            switch (parent)
            {
                case IConversionOperation { OperatorMethod: null }:
                case IParenthesizedOperation:
                case IConditionalOperation conditional when conditional.Condition != child:
                case ICoalesceOperation coalesce when coalesce.WhenNull == child:
                case ISwitchExpressionArmOperation arm when arm.Value == child:
                case ISwitchExpressionOperation switchExpression when switchExpression.Value != child:
                    child = parent;
                    parent = parent.Parent;
                    break;
                default:
                    return parent;
            }
        }
    }

    /// <summary>
    /// A lambda that runs while its method waits: its delegate is passed to a call that is awaited right there
    /// (<c>await policy.ExecuteAsync(() => SendAsync(cts.Token))</c>) or that returns nothing (<c>list.ForEach(...)</c>).
    /// </summary>
    public static bool RunsWhileMethodWaits(IOperation function)
    {
        if (function is not IAnonymousFunctionOperation)
        {
            return false;
        }

        var consumer = function.GetConsumer(out var child);
        if (consumer is IDelegateCreationOperation delegateCreation)
        {
            consumer = delegateCreation.GetConsumer(out child);
        }

        return consumer is IArgumentOperation { Parent: IInvocationOperation call }
            && (call.TargetMethod.ReturnsVoid || IsAwaited(call));
    }

    /// <summary>Whether the value of <paramref name="call"/> is awaited where it is made, with or without <c>ConfigureAwait</c>.</summary>
    public static bool IsAwaited(IOperation call)
    {
        var consumer = call.GetConsumer(out var child);
        if (consumer is IInvocationOperation { TargetMethod.Name: "ConfigureAwait" } configure && configure.Instance == child)
        {
            consumer = configure.GetConsumer(out _);
        }

        return consumer is IAwaitOperation || consumer is IForEachLoopOperation { IsAsynchronous: true };
    }

    /// <summary>
    /// Whether every use of the source's <c>Token</c> ends before the method returns, so that disposing the source at
    /// the end of its scope (<c>using var</c>) cannot stop anything from being cancelled: the token goes only to calls
    /// that are awaited there or that return plain data, to a task awaited later in the method, or is only tested.
    /// A token handed to a task that is returned or stored un-awaited, to a new object, or to a callback registration
    /// may be needed after the method returns.
    /// </summary>
    public static bool TokenEndsWithMethod(IEnumerable<IOperation> sourceReferences, IOperation root)
    {
        foreach (var reference in sourceReferences)
        {
            var consumer = reference.GetConsumer(out var child);
            IOperation? token = consumer switch
            {
                IPropertyReferenceOperation { Property.Name: "Token" } property when property.Instance == child => property,
                IConditionalAccessOperation { WhenNotNull: IPropertyReferenceOperation { Property.Name: "Token" } } access when access.Operation == child => access,
                _ => null,
            };

            if (token is not null && !TokenUseEndsWithMethod(token, root, depth: 0))
            {
                return false;
            }
        }

        return true;
    }

    private static bool TokenUseEndsWithMethod(IOperation token, IOperation root, int depth)
    {
        var consumer = token.GetConsumer(out var child);
        switch (consumer)
        {
            case IPropertyReferenceOperation { Property.Name: "IsCancellationRequested" or "CanBeCanceled" } when depth < 4:
                return true;
            case IInvocationOperation { TargetMethod.Name: "ThrowIfCancellationRequested" } check when check.Instance == child:
                return true;
            case IBinaryOperation:
                return true;
            case ICoalesceOperation:
            case IConditionalOperation conditional when conditional.Condition != child:
                return depth < 4 && TokenUseEndsWithMethod(consumer, root, depth + 1);
            case IArgumentOperation { Parent: IInvocationOperation call }:
                return CallEndsWithMethod(call, root, depth);
            case IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator } when depth == 0:
                // `var token = cts.Token;`: every use of the copy must end with the method too.
                foreach (var use in root.Descendants())
                {
                    if (use is ILocalReferenceOperation local && SymbolEqualityComparer.Default.Equals(local.Local, declarator.Symbol)
                        && !TokenUseEndsWithMethod(use, root, depth + 1))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return false;
        }
    }

    private static bool CallEndsWithMethod(IInvocationOperation call, IOperation root, int depth)
    {
        if (IsAwaited(call))
        {
            return true;
        }

        var consumer = call.GetConsumer(out var child);
        var returned = call.Type;
        if (call.TargetMethod.ReturnsVoid)
        {
            return true;
        }

        if (!IsTaskLike(returned))
        {
            // A synchronous call that returns data (a count, a flag, a string) is done with the token; one that returns
            // an object (an enumerator, a registration, a stream) may keep using it.
            return returned is not null
                && (returned.SpecialType != SpecialType.None || returned.TypeKind == TypeKind.Enum)
                && consumer is not IReturnOperation;
        }

        // `await Task.WhenAny(work, Task.Delay(-1, cts.Token))`.
        if (depth < 4 && GetCallTakingArgument(call) is { } outer)
        {
            return CallEndsWithMethod(outer, root, depth + 1);
        }

        switch (consumer)
        {
            // The task a lambda returns to an awaited call (a retry policy) is awaited by that call.
            case IReturnOperation returnOperation when returnOperation.GetEnclosingFunction() is var function && function != root && RunsWhileMethodWaits(function):
                return true;

            // `var delay = Task.Delay(timeout, cts.Token); ... await Task.WhenAny(work, delay);`
            case IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator } when depth <= 1:
                var awaited = false;
                foreach (var use in root.Descendants())
                {
                    if (use is ILocalReferenceOperation local && SymbolEqualityComparer.Default.Equals(local.Local, declarator.Symbol))
                    {
                        var useConsumer = use.GetConsumer(out var useChild);
                        if (IsAwaited(use) || (GetCallTakingArgument(use) is { } outerUse && IsAwaited(outerUse)))
                        {
                            awaited = true;
                        }
                        else if (!(useConsumer is IMemberReferenceOperation member && member.Instance == useChild) && useConsumer is not IBinaryOperation)
                        {
                            return false;
                        }
                    }
                }

                return awaited;
            default:
                return false;
        }
    }

    /// <summary>The call <paramref name="value"/> is an argument of, directly or as an element of a <c>params</c> array or collection.</summary>
    private static IInvocationOperation? GetCallTakingArgument(IOperation value)
    {
        var consumer = value.GetConsumer(out _);
        if (consumer is IArrayInitializerOperation { Parent: IArrayCreationOperation array })
        {
            consumer = array.GetConsumer(out _);
        }
        else if (consumer is ICollectionExpressionOperation collection)
        {
            consumer = collection.GetConsumer(out _);
        }

        return consumer is IArgumentOperation { Parent: IInvocationOperation call } ? call : null;
    }

    private static bool IsTaskLike(ITypeSymbol? type)
        => type is INamedTypeSymbol { Name: "Task" or "ValueTask" } named
            && named.ContainingNamespace?.ToDisplayString() == "System.Threading.Tasks";
}
