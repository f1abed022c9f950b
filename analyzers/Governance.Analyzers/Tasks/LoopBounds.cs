using System.Linq;
using Governance.Analyzers.Operations;
using Governance.Analyzers.Symbols;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Governance.Analyzers.Tasks;

/// <summary>Whether a loop's iteration count is small or configured rather than driven by the size of its input.</summary>
internal static class LoopBounds
{
    /// <summary>
    /// True for a constant bound at or below <paramref name="maxConstant"/>; a <c>for</c> counting to a scalar
    /// that is not a collection's size (a configured worker count, <c>Environment.ProcessorCount</c>); a
    /// <c>foreach</c> over an array or collection literal or over <c>Enumerable.Range</c> with such a count.
    /// </summary>
    public static bool IsSmallOrConfigured(ILoopOperation loop, int maxConstant, TaskSymbols symbols)
    {
        switch (loop)
        {
            case IForLoopOperation { Condition: { } condition } forLoop:
                if (condition.WalkDownConversions() is not IBinaryOperation comparison || !IsCountingComparison(comparison.OperatorKind))
                {
                    return false;
                }

                var bound = ReferencesAny(comparison.LeftOperand, forLoop) ? comparison.RightOperand
                    : ReferencesAny(comparison.RightOperand, forLoop) ? comparison.LeftOperand
                    : null;
                return bound is not null && IsSmallOrConfiguredCount(bound, maxConstant, symbols);
            case IForEachLoopOperation forEach:
                return IsSmallOrConfiguredSource(forEach.Collection, maxConstant, symbols);
            default:
                return false;
        }
    }

    /// <summary>
    /// A <c>for</c> loop counting to a constant: a fixed number of repetitions (a stress test's thousand tasks),
    /// not a walk over a collection.
    /// </summary>
    public static bool HasConstantBound(ILoopOperation loop)
        => loop is IForLoopOperation { Condition: { } condition } forLoop
            && condition.WalkDownConversions() is IBinaryOperation comparison
            && IsCountingComparison(comparison.OperatorKind)
            && (ReferencesAny(comparison.LeftOperand, forLoop) ? comparison.RightOperand : comparison.LeftOperand).ConstantValue.HasValue;

    /// <summary>The same judgement for the source of a <c>Select</c> or <c>foreach</c>.</summary>
    public static bool IsSmallOrConfiguredSource(IOperation source, int maxConstant, TaskSymbols symbols)
    {
        source = source.WalkDownConversions();
        if (source is ILocalReferenceOperation local)
        {
            if (IsBatchOfChunk(local, symbols))
            {
                return true;
            }

            if (FindInitializer(local) is { } initializer)
            {
                source = initializer.WalkDownConversions();
            }
        }

        return source switch
        {
            IFieldReferenceOperation { Field.IsReadOnly: true } field => HasLiteralInitializer(field.Field),
            IArrayCreationOperation { Initializer: not null } => true,
            ICollectionExpressionOperation => true,
            IObjectCreationOperation { Initializer: IObjectOrCollectionInitializerOperation { Initializers.Length: > 0 } } => true,
            // `source.Take(n)` is bounded by the code itself: the author chose n.
            IInvocationOperation { TargetMethod.Name: "Take" } take when take.TargetMethod.ContainingType.IsType(symbols.Enumerable) => true,
            IInvocationOperation { TargetMethod.Name: "Range", Arguments.Length: 2 } range when range.TargetMethod.ContainingType.IsType(symbols.Enumerable)
                => IsSmallOrConfiguredCount(range.Arguments[1].Value, maxConstant, symbols),

            // Partitioner.Create(source).GetPartitions(dop): the classic bounded fan-out, one worker per partition.
            IInvocationOperation { TargetMethod.Name: "GetPartitions" or "GetOrderablePartitions" } partitions
                when partitions.TargetMethod.ContainingType.IsOrDerivesFrom(symbols.Partitioner) && partitions.Arguments.GetArgumentValue("partitionCount") is { } count
                => IsSmallOrConfiguredCount(count, maxConstant, symbols),
            _ => false,
        };
    }

    /// <summary>
    /// The batch of <c>foreach (var batch in items.Chunk(size))</c>: at most <c>size</c> items, a bound the author
    /// chose, so fanning out over one batch at a time is the batching throttle, not an unbounded fan-out.
    /// </summary>
    private static bool IsBatchOfChunk(ILocalReferenceOperation reference, TaskSymbols symbols)
    {
        for (var current = reference.Parent; current is not null; current = current.Parent)
        {
            if (current is IForEachLoopOperation { LoopControlVariable: IVariableDeclaratorOperation declarator } loop
                && SymbolEqualityComparer.Default.Equals(declarator.Symbol, reference.Local))
            {
                return loop.Collection.WalkDownConversions() is IInvocationOperation { TargetMethod.Name: "Chunk" } chunk
                    && chunk.TargetMethod.ContainingType.IsType(symbols.Enumerable);
            }
        }

        return false;
    }

    /// <summary>
    /// A read-only field initialised with a literal (<c>static readonly string[] Endpoints = { a, b };</c>) is a
    /// fixed set the author listed by hand. Read from syntax: the field's initializer may be in another tree.
    /// </summary>
    private static bool HasLiteralInitializer(IFieldSymbol field)
    {
        foreach (var reference in field.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax() is VariableDeclaratorSyntax { Initializer.Value: var value }
                && value is InitializerExpressionSyntax or ImplicitArrayCreationExpressionSyntax or CollectionExpressionSyntax
                    or ArrayCreationExpressionSyntax { Initializer: not null }
                    or BaseObjectCreationExpressionSyntax { Initializer.RawKind: (int)SyntaxKind.CollectionInitializerExpression })
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsCountingComparison(BinaryOperatorKind kind)
        => kind is BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual or BinaryOperatorKind.GreaterThan
            or BinaryOperatorKind.GreaterThanOrEqual or BinaryOperatorKind.NotEquals;

    private static bool ReferencesAny(IOperation operand, IForLoopOperation loop)
        => operand.DescendantsAndSelf().OfType<ILocalReferenceOperation>().Any(r => loop.Locals.Contains(r.Local, SymbolEqualityComparer.Default));

    private static bool IsSmallOrConfiguredCount(IOperation bound, int maxConstant, TaskSymbols symbols)
    {
        // `var count = items.Count; for (var i = 0; i < count; i++)` still walks the collection.
        if (bound.WalkDownConversions() is ILocalReferenceOperation local && FindInitializer(local) is { } initializer)
        {
            return IsSmallOrConfiguredCount(initializer, maxConstant, symbols);
        }

        if (bound.ConstantValue is { HasValue: true, Value: { } constant } && IsNumeric(constant))
        {
            return System.Convert.ToDouble(constant, System.Globalization.CultureInfo.InvariantCulture) <= maxConstant;
        }

        foreach (var operation in bound.DescendantsAndSelf())
        {
            switch (operation)
            {
                // `threads.Length` of `new Thread[workers]` counts to `workers`, not to an input's size.
                case IPropertyReferenceOperation { Property.Name: "Length" or "LongLength" or "Count" } size
                    when size.Instance is ILocalReferenceOperation sized && FindInitializer(sized)?.WalkDownConversions() is IArrayCreationOperation { Initializer: null, DimensionSizes.Length: 1 } array:
                    return IsSmallOrConfiguredCount(array.DimensionSizes[0], maxConstant, symbols);
                case IPropertyReferenceOperation { Property.Name: "Length" or "LongLength" or "Count" } size when IsCollection(size.Instance?.Type, symbols):
                    return false;
                case IInvocationOperation { TargetMethod.Name: "Count" or "LongCount" } count when count.TargetMethod.ContainingType.IsType(symbols.Enumerable):
                    return false;
            }
        }

        return true;
    }

    private static bool IsCollection(ITypeSymbol? type, TaskSymbols symbols)
        => type is IArrayTypeSymbol || type.IsOrImplements(symbols.Enumerable1);

    private static bool IsNumeric(object value)
        => value is int or long or short or byte or uint or ulong or ushort or sbyte or double or float or decimal;

    /// <summary>The initializer of a local declared in the same code block, when it is never re-assigned there.</summary>
    private static IOperation? FindInitializer(ILocalReferenceOperation reference)
    {
        IOperation? initializer = null;
        foreach (var operation in reference.GetRoot().Descendants())
        {
            switch (operation)
            {
                case IVariableDeclaratorOperation declarator when SymbolEqualityComparer.Default.Equals(declarator.Symbol, reference.Local):
                    initializer = declarator.Initializer?.Value;
                    break;
                case IAssignmentOperation { Target: ILocalReferenceOperation target } when SymbolEqualityComparer.Default.Equals(target.Local, reference.Local):
                    return null;
            }
        }

        return initializer;
    }
}
