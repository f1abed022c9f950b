using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Governance.Analyzers.Operations;

internal static class OperationExtensions
{
    /// <summary>
    /// The first ancestor that is not a conversion or parentheses, and the child it was reached from: what a
    /// value is used for is decided there, not by the implicit conversion to <c>object</c> or an interface.
    /// </summary>
    public static IOperation? GetConsumer(this IOperation operation, out IOperation child)
    {
        child = operation;
        var parent = operation.Parent;
        while (parent is IConversionOperation { OperatorMethod: null } or IParenthesizedOperation)
        {
            child = parent;
            parent = parent.Parent;
        }

        return parent;
    }

    /// <summary>The operand beneath any conversions and parentheses.</summary>
    public static IOperation WalkDownConversions(this IOperation operation)
    {
        while (true)
        {
            switch (operation)
            {
                case IConversionOperation { OperatorMethod: null } conversion:
                    operation = conversion.Operand;
                    break;
                case IParenthesizedOperation parenthesized:
                    operation = parenthesized.Operand;
                    break;
                default:
                    return operation;
            }
        }
    }

    /// <summary>
    /// Whether <paramref name="operation"/> sits inside a lambda or local function that is itself inside
    /// <paramref name="root"/>: code there runs when the delegate runs, not where it is written.
    /// </summary>
    public static bool IsInsideNestedFunction(this IOperation operation, IOperation root)
    {
        for (var current = operation.Parent; current is not null && current != root; current = current.Parent)
        {
            if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The root of the code block that contains <paramref name="operation"/>.</summary>
    public static IOperation GetRoot(this IOperation operation)
    {
        var current = operation;
        while (current.Parent is not null)
        {
            current = current.Parent;
        }

        return current;
    }

    /// <summary>The nearest enclosing lambda, local function or, failing those, the block's root.</summary>
    public static IOperation GetEnclosingFunction(this IOperation operation)
    {
        var current = operation;
        while (current.Parent is not null)
        {
            current = current.Parent;
            if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
            {
                return current;
            }
        }

        return current;
    }

    /// <summary>Descendants of <paramref name="operation"/>, not looking into nested lambdas or local functions.</summary>
    public static IEnumerable<IOperation> DescendantsInSameFunction(this IOperation operation)
    {
        var stack = new Stack<IOperation>();
        stack.Push(operation);
        while (stack.Count > 0)
        {
            var current = stack.Pop();
            foreach (var child in current.ChildOperations)
            {
                yield return child;
                if (child is not (IAnonymousFunctionOperation or ILocalFunctionOperation))
                {
                    stack.Push(child);
                }
            }
        }
    }

    public static bool IsNullLiteral(this IOperation operation)
        => operation.WalkDownConversions() is ILiteralOperation { ConstantValue: { HasValue: true, Value: null } }
            or IDefaultValueOperation { Type.IsReferenceType: true };

    /// <summary>Whether <paramref name="operation"/> is <paramref name="ancestor"/> or lies within it.</summary>
    public static bool IsWithin(this IOperation operation, IOperation ancestor)
    {
        for (var current = operation; current is not null; current = current.Parent)
        {
            if (current == ancestor)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The value given for the parameter named <paramref name="name"/>. Arguments come in evaluation order, which
    /// named arguments can make differ from parameter order, so position is not enough.
    /// </summary>
    public static IOperation? GetArgumentValue(this ImmutableArray<IArgumentOperation> arguments, string name)
    {
        foreach (var argument in arguments)
        {
            if (argument.Parameter?.Name == name)
            {
                return argument.Value;
            }
        }

        return null;
    }
}
