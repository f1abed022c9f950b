using System.Collections.Generic;
using Governance.Analyzers.Operations;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Governance.Analyzers.Timers;

/// <summary>
/// Finds an explicit <c>return</c> that leaves the scope of a local timer without passing one of the calls that
/// stop it: the code disposes the timer on some paths, so the path through that return leaks it.
/// </summary>
/// <remarks>
/// Deliberately syntactic and conservative: a stop counts as guarding a return when it runs unconditionally
/// earlier in a block that contains the return, or in a <c>finally</c> (or <c>using</c>) around it. A stop that runs
/// only under a condition guards nothing; a return reached only through such a condition is still reported.
/// </remarks>
internal static class TimerExitPaths
{
    public static IReturnOperation? FindReturnSkippingStop(IOperation creation, IReadOnlyList<IOperation> stops)
    {
        var function = creation.GetEnclosingFunction();
        var scope = FindScope(creation);
        if (scope is null)
        {
            return null;
        }

        var createdAt = creation.Syntax.Span.End;
        foreach (var operation in scope.DescendantsInSameFunction())
        {
            if (operation is IReturnOperation { Kind: OperationKind.Return, IsImplicit: false } exit
                && exit.Syntax.SpanStart > createdAt
                && exit.GetEnclosingFunction() == function
                && !IsGuarded(exit, stops))
            {
                return exit;
            }
        }

        return null;
    }

    // The block in which the statement holding the creation sits: the local (or the value it was given) lives there.
    private static IBlockOperation? FindScope(IOperation creation)
    {
        for (var current = creation; current.Parent is not null; current = current.Parent)
        {
            if (current.Parent is IBlockOperation block)
            {
                return block;
            }

            if (current.Parent is IAnonymousFunctionOperation or ILocalFunctionOperation)
            {
                return null;
            }
        }

        return null;
    }

    private static bool IsGuarded(IOperation exit, IReadOnlyList<IOperation> stops)
    {
        foreach (var stop in stops)
        {
            if (RunsBefore(stop, exit))
            {
                return true;
            }
        }

        return false;
    }

    private static bool RunsBefore(IOperation stop, IOperation exit)
    {
        var conditional = false;
        for (var current = stop; current.Parent is not null; current = current.Parent)
        {
            var parent = current.Parent;
            switch (parent)
            {
                // `try { ... return; } finally { timer.Dispose(); }`, `using (timer) { ... return; }`; a return after
                // the statement is judged by the walk on up, as for any other statement.
                case ITryOperation tryOperation when tryOperation.Finally == current && !conditional && (exit.IsWithin(tryOperation.Body) || IsWithinCatch(exit, tryOperation)):
                case IUsingOperation usingOperation when current == usingOperation.Resources && !conditional && exit.IsWithin(usingOperation.Body):
                    return true;
                case IBlockOperation block when !conditional:
                    if (exit.IsWithin(block) && current.Syntax.SpanStart < exit.Syntax.SpanStart && !exit.IsWithin(current))
                    {
                        return true;
                    }

                    break;
                case IConditionalOperation condition when condition.Condition != current:
                case ILoopOperation:
                case ISwitchCaseOperation:
                case ICatchClauseOperation:
                case IConditionalAccessOperation access when access.WhenNotNull == current && !IsOnTimer(access):
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr } logical when logical.RightOperand == current:
                case ICoalesceOperation coalesce when coalesce.WhenNull == current:
                    conditional = true;
                    break;
                case IAnonymousFunctionOperation:
                case ILocalFunctionOperation:
                    return false;
            }
        }

        return false;
    }

    // A return from a catch clause leaves through the finally as well.
    private static bool IsWithinCatch(IOperation exit, ITryOperation tryOperation)
    {
        foreach (var clause in tryOperation.Catches)
        {
            if (exit.IsWithin(clause))
            {
                return true;
            }
        }

        return false;
    }

    // `timer?.Dispose()` runs whenever there is a timer to stop: not a condition that can skip the stop.
    private static bool IsOnTimer(IConditionalAccessOperation access) => access.Operation is ILocalReferenceOperation;
}
