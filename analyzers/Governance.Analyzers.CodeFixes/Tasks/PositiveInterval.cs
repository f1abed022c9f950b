using System.Linq;
using System.Threading;
using Governance.Analyzers.Operations;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Governance.Analyzers.Tasks;

/// <summary>
/// Whether a delay's interval is known to be more than zero. <c>Task.Delay(0)</c> returns at once, but
/// <c>new PeriodicTimer(TimeSpan.Zero)</c> throws: a fix that swaps one for the other must not meet a zero at run time.
/// </summary>
internal static class PositiveInterval
{
    /// <summary>
    /// A positive constant (<c>5000</c>, <c>IntervalMs</c>), <c>TimeSpan.FromX</c> of one, a read-only field initialised
    /// with one (in the same file), sums and products of such values, or a local, parameter or field that the method
    /// checks before <paramref name="loop"/>: <c>Debug.Assert(x &gt; 0)</c>,
    /// <c>ArgumentOutOfRangeException.ThrowIfNegativeOrZero(x)</c>, <c>if (x &lt;= 0) return;</c> (or <c>throw</c>), or an
    /// enclosing <c>if (x &gt; 0)</c>. A value from configuration that is checked elsewhere is not known here.
    /// </summary>
    public static bool IsKnown(IOperation interval, IOperation loop, CancellationToken cancellationToken, int depth = 0)
    {
        interval = interval.WalkDownConversions();
        if (depth > 6)
        {
            return false;
        }

        if (interval.ConstantValue is { HasValue: true, Value: { } constant } && IsNumber(constant))
        {
            return System.Convert.ToDouble(constant, System.Globalization.CultureInfo.InvariantCulture) > 0;
        }

        depth++;
        switch (interval)
        {
            case IInvocationOperation { TargetMethod: { IsStatic: true, Name: var name, ContainingType.Name: "TimeSpan" }, Arguments.Length: 1 } from
                when name.StartsWith("From", System.StringComparison.Ordinal):
                return IsKnown(from.Arguments[0].Value, loop, cancellationToken, depth);
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Multiply or BinaryOperatorKind.Add } binary:
                return IsKnown(binary.LeftOperand, loop, cancellationToken, depth) && IsKnown(binary.RightOperand, loop, cancellationToken, depth);
            case IFieldReferenceOperation { Field: { IsReadOnly: true } field } when InitializerOf(field, interval, cancellationToken) is { } initializer
                && IsKnown(initializer, loop, cancellationToken, depth):
                return true;
            case ILocalReferenceOperation local when InitializerOf(local) is { } initializer && IsKnown(initializer, loop, cancellationToken, depth):
                return true;
            case ILocalReferenceOperation or IParameterReferenceOperation or IFieldReferenceOperation:
                return IsCheckedBefore(interval, loop);
            default:
                return false;
        }
    }

    private static bool IsNumber(object value) => value is int or long or double or float or short or byte or uint or ulong or decimal;

    /// <summary>The initializer of a read-only field declared in the same file, as an operation.</summary>
    private static IOperation? InitializerOf(IFieldSymbol field, IOperation reference, CancellationToken cancellationToken)
    {
        foreach (var declaration in field.DeclaringSyntaxReferences)
        {
            if (declaration.SyntaxTree == reference.Syntax.SyntaxTree
                && declaration.GetSyntax(cancellationToken) is Microsoft.CodeAnalysis.CSharp.Syntax.VariableDeclaratorSyntax { Initializer.Value: { } value }
                && reference.SemanticModel?.GetOperation(value, cancellationToken) is { } operation)
            {
                return operation;
            }
        }

        return null;
    }

    /// <summary>The value a local is declared with, when nothing assigns it afterwards.</summary>
    private static IOperation? InitializerOf(ILocalReferenceOperation reference)
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
                case IIncrementOrDecrementOperation { Target: ILocalReferenceOperation changed } when SymbolEqualityComparer.Default.Equals(changed.Local, reference.Local):
                    return null;
            }
        }

        return initializer;
    }

    private static bool IsCheckedBefore(IOperation value, IOperation loop)
    {
        var symbol = SymbolOf(value);
        if (symbol is null)
        {
            return false;
        }

        // An enclosing `if (x > 0) { ... loop ... }`.
        var child = loop;
        for (var parent = loop.Parent; parent is not null; child = parent, parent = parent.Parent)
        {
            if (parent is IConditionalOperation conditional && child == conditional.WhenTrue && IsPositiveTest(conditional.Condition, symbol))
            {
                return true;
            }
        }

        // A check earlier in the method: an assertion, a guard clause, a throw helper.
        foreach (var operation in loop.GetRoot().Descendants())
        {
            if (operation.Syntax.SpanStart >= loop.Syntax.SpanStart)
            {
                continue;
            }

            switch (operation)
            {
                case IInvocationOperation { TargetMethod: { Name: "Assert", ContainingType.Name: "Debug" }, Arguments.Length: > 0 } assert
                    when IsPositiveTest(assert.Arguments[0].Value, symbol):
                case IInvocationOperation { TargetMethod.Name: "ThrowIfNegativeOrZero" or "ThrowIfZero", Arguments.Length: > 0 } throwIf
                    when SymbolEqualityComparer.Default.Equals(SymbolOf(throwIf.Arguments[0].Value), symbol):
                    return true;
                case IConditionalOperation { WhenFalse: null } guard
                    when IsNonPositiveTest(guard.Condition, symbol) && Leaves(guard.WhenTrue):
                    return true;
            }
        }

        return false;
    }

    private static bool Leaves(IOperation branch)
    {
        var last = branch is IBlockOperation block ? block.Operations.LastOrDefault() : branch;
        return last is IReturnOperation or IThrowOperation or IExpressionStatementOperation { Operation: IThrowOperation };
    }

    /// <summary><c>x &gt; 0</c>, <c>x &gt;= 1</c>, <c>0 &lt; x</c>, <c>x &gt; TimeSpan.Zero</c>.</summary>
    private static bool IsPositiveTest(IOperation condition, ISymbol symbol)
        => condition.WalkDownConversions() is IBinaryOperation comparison
            && (comparison.OperatorKind switch
            {
                BinaryOperatorKind.GreaterThan => Is(comparison.LeftOperand, symbol) && IsZero(comparison.RightOperand),
                BinaryOperatorKind.LessThan => Is(comparison.RightOperand, symbol) && IsZero(comparison.LeftOperand),
                BinaryOperatorKind.GreaterThanOrEqual => Is(comparison.LeftOperand, symbol) && IsOne(comparison.RightOperand),
                BinaryOperatorKind.ConditionalAnd => IsPositiveTest(comparison.LeftOperand, symbol) || IsPositiveTest(comparison.RightOperand, symbol),
                _ => false,
            });

    /// <summary><c>x &lt;= 0</c>, <c>x &lt; 1</c>, <c>0 &gt;= x</c>, <c>x &lt;= TimeSpan.Zero</c>, or one of those in an <c>||</c>.</summary>
    private static bool IsNonPositiveTest(IOperation condition, ISymbol symbol)
        => condition.WalkDownConversions() is IBinaryOperation comparison
            && (comparison.OperatorKind switch
            {
                BinaryOperatorKind.LessThanOrEqual => Is(comparison.LeftOperand, symbol) && IsZero(comparison.RightOperand),
                BinaryOperatorKind.GreaterThanOrEqual => Is(comparison.RightOperand, symbol) && IsZero(comparison.LeftOperand),
                BinaryOperatorKind.LessThan => Is(comparison.LeftOperand, symbol) && IsOne(comparison.RightOperand),
                BinaryOperatorKind.ConditionalOr => IsNonPositiveTest(comparison.LeftOperand, symbol) || IsNonPositiveTest(comparison.RightOperand, symbol),
                _ => false,
            });

    private static bool Is(IOperation operand, ISymbol symbol) => SymbolEqualityComparer.Default.Equals(SymbolOf(operand.WalkDownConversions()), symbol);

    private static bool IsZero(IOperation operand)
        => operand.WalkDownConversions() is { ConstantValue: { HasValue: true, Value: { } zero } } && IsNumber(zero)
                && System.Convert.ToDouble(zero, System.Globalization.CultureInfo.InvariantCulture) == 0
            || operand.WalkDownConversions() is IFieldReferenceOperation { Field: { Name: "Zero", ContainingType.Name: "TimeSpan" } };

    private static bool IsOne(IOperation operand)
        => operand.WalkDownConversions() is { ConstantValue: { HasValue: true, Value: { } one } } && IsNumber(one)
            && System.Convert.ToDouble(one, System.Globalization.CultureInfo.InvariantCulture) == 1;

    private static ISymbol? SymbolOf(IOperation operation)
        => operation.WalkDownConversions() switch
        {
            ILocalReferenceOperation local => local.Local,
            IParameterReferenceOperation parameter => parameter.Parameter,
            IFieldReferenceOperation field => field.Field,
            _ => null,
        };
}
