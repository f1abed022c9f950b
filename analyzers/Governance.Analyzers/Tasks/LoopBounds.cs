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
            case IWhileLoopOperation { Condition: { } whileCondition } whileLoop
                when whileCondition.WalkDownConversions() is IBinaryOperation counting && IsCountingComparison(counting.OperatorKind):
                // `while (i < n) { ...; i++; }` is a `for` written out: the counter is a local the body increments.
                var counter = IncrementedCounter(counting.LeftOperand, whileLoop) is not null ? counting.RightOperand
                    : IncrementedCounter(counting.RightOperand, whileLoop) is not null ? counting.LeftOperand
                    : null;
                return counter is not null && IsSmallOrConfiguredCount(counter, maxConstant, symbols);
            default:
                return false;
        }
    }

    private static ILocalSymbol? IncrementedCounter(IOperation side, IWhileLoopOperation loop)
        => side.WalkDownConversions() is ILocalReferenceOperation local
            && loop.Body.Descendants().Any(o => o is IIncrementOrDecrementOperation { Target: ILocalReferenceOperation target }
                && SymbolEqualityComparer.Default.Equals(target.Local, local.Local))
            ? local.Local
            : null;

    /// <summary>
    /// Whether <paramref name="symbol"/> (a local, parameter, field or property) is given a value inside
    /// <paramref name="scope"/>, lambdas included: declared with an initializer, assigned, compound-assigned,
    /// incremented, deconstructed into, or passed by <c>ref</c>/<c>out</c>.
    /// </summary>
    public static bool IsAssignedIn(ISymbol symbol, IOperation scope)
    {
        foreach (var operation in scope.Descendants())
        {
            var target = operation switch
            {
                IAssignmentOperation assignment => assignment.Target,
                IIncrementOrDecrementOperation increment => increment.Target,
                IArgumentOperation { Parameter.RefKind: RefKind.Out or RefKind.Ref } argument => argument.Value,
                _ => null,
            };
            if (operation is IVariableDeclaratorOperation { Initializer: not null } declared && SymbolEqualityComparer.Default.Equals(declared.Symbol, symbol))
            {
                return true;
            }

            if (target is null)
            {
                continue;
            }

            foreach (var written in WrittenTargets(target))
            {
                var writtenSymbol = written switch
                {
                    ILocalReferenceOperation local => (ISymbol)local.Local,
                    IParameterReferenceOperation parameter => parameter.Parameter,
                    IMemberReferenceOperation member => member.Member,
                    _ => null,
                };
                if (writtenSymbol is not null && SymbolEqualityComparer.Default.Equals(writtenSymbol.OriginalDefinition, symbol.OriginalDefinition))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>What an assignment writes: the target itself, or each element of a deconstruction (<c>(a, b) = ...</c>).</summary>
    private static System.Collections.Generic.IEnumerable<IOperation> WrittenTargets(IOperation target)
    {
        target = target.WalkDownConversions();
        if (target is IDeclarationExpressionOperation declaration)
        {
            target = declaration.Expression;
        }

        if (target is ITupleOperation tuple)
        {
            foreach (var element in tuple.Elements)
            {
                foreach (var written in WrittenTargets(element))
                {
                    yield return written;
                }
            }
        }
        else
        {
            yield return target;
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

    /// <summary>A field or property of this object (through <c>.Values</c>, <c>.Keys</c> and filters), not data the method was handed.</summary>
    public static bool IsOwnMemberSet(IOperation source, TaskSymbols symbols)
    {
        for (var depth = 0; depth < 8; depth++)
        {
            switch (source.WalkDownConversions())
            {
                case IPropertyReferenceOperation { Property.Name: "Values" or "Keys", Instance: { } holder }:
                    source = holder;
                    continue;
                case IInvocationOperation { TargetMethod.Name: "Where" or "ToList" or "ToArray" or "Select" or "OfType" } projection
                    when projection.TargetMethod.ContainingType.IsType(symbols.Enumerable) && projection.Arguments.Length > 0:
                    source = projection.Arguments[0].Value;
                    continue;
                case IMemberReferenceOperation { Instance: null or IInstanceReferenceOperation, Member: IFieldSymbol or IPropertySymbol }:
                    return true;
                default:
                    return false;
            }
        }

        return false;
    }

    /// <summary>
    /// A <c>for</c> loop counting to the size of something this object holds (<c>shards.Length</c> of its own field,
    /// <c>_cores.Reserved.Length</c>, or an array sized by one of them): the object's configured set, not data the
    /// method was handed or read.
    /// </summary>
    public static bool CountsOwnMember(ILoopOperation loop)
    {
        if (loop is not IForLoopOperation { Condition: { } condition } forLoop
            || condition.WalkDownConversions() is not IBinaryOperation comparison || !IsCountingComparison(comparison.OperatorKind))
        {
            return false;
        }

        IOperation? bound = ReferencesAny(comparison.LeftOperand, forLoop) ? comparison.RightOperand
            : ReferencesAny(comparison.RightOperand, forLoop) ? comparison.LeftOperand
            : null;
        for (var depth = 0; bound is not null && depth < 8; depth++)
        {
            switch (bound.WalkDownConversions())
            {
                case IPropertyReferenceOperation { Property.Name: "Length" or "Count", Instance: { } sized }:
                    bound = sized;
                    break;
                case ILocalReferenceOperation local:
                    bound = FindArraySize(local);
                    break;
                case IMemberReferenceOperation { Instance: null or IInstanceReferenceOperation, Member: IFieldSymbol or IPropertySymbol }:
                    return true;
                case IMemberReferenceOperation { Instance: { } holder }:
                    bound = holder;
                    break;
                default:
                    return false;
            }
        }

        return false;
    }

    /// <summary>The same judgement for the source of a <c>Select</c> or <c>foreach</c>.</summary>
    public static bool IsSmallOrConfiguredSource(IOperation source, int maxConstant, TaskSymbols symbols)
        => IsSmallOrConfiguredSource(source, maxConstant, symbols, depth: 0);

    private static bool IsSmallOrConfiguredSource(IOperation source, int maxConstant, TaskSymbols symbols, int depth)
    {
        if (depth > 8)
        {
            return false;
        }

        depth++;
        source = source.WalkDownConversions();
        if (source.Type is { } sourceType && GetElementType(sourceType, symbols) is { } element && IsBehaviour(element))
        {
            return true;
        }

        if (source is ILocalReferenceOperation local)
        {
            if (IsBatchOfChunk(local, symbols))
            {
                return true;
            }

            if (FindInitializer(local) is { } initializer)
            {
                return IsSmallOrConfiguredSource(initializer, maxConstant, symbols, depth);
            }
        }

        if (source is IFieldReferenceOperation { Instance: null or IInstanceReferenceOperation } ownField)
        {
            if (ownField.Field.IsReadOnly && HasLiteralInitializer(ownField.Field))
            {
                return true;
            }

            // What the field was given, when that is small; otherwise what the field holds may still be fixed below.
            if (FindFieldValue(ownField) is { } assigned && assigned.Syntax.SyntaxTree == ownField.Syntax.SyntaxTree && !IsParameterValue(assigned)
                && IsSmallOrConfiguredSource(assigned, maxConstant, symbols, depth))
            {
                return true;
            }
        }

        if (source is IMemberReferenceOperation { Instance: null or IInstanceReferenceOperation } own && IsFixedAtConstruction(own.Member, symbols))
        {
            return true;
        }

        // `_topology.Queues`: an array or read-only collection, behind a get-only property, of an object this one was
        // constructed with (a read-only field given a constructor parameter): the set was fixed before it arrived.
        if (source is IPropertyReferenceOperation { Property.SetMethod: null, Instance: IFieldReferenceOperation { Field.IsReadOnly: true, Instance: null or IInstanceReferenceOperation } holder } part
            && IsReadOnlyCollectionType(part.Type)
            && FindFieldValue(holder) is { } given && IsParameterValue(given))
        {
            return true;
        }

        return source switch
        {
            IArrayCreationOperation { Initializer: not null } => true,
            ICollectionExpressionOperation collection => collection.Elements.All(e => e is not ISpreadOperation spread
                || IsSmallOrConfiguredSource(spread.Operand, maxConstant, symbols, depth)),
            IObjectCreationOperation { Initializer: IObjectOrCollectionInitializerOperation { Initializers.Length: > 0 } } => true,
            // `provider.GetServices<IHostedService>()`: the services registered in the container, fixed at start-up.
            IInvocationOperation { TargetMethod: { Name: "GetServices", ContainingType.Name: "ServiceProviderServiceExtensions" } } => true,
            // `source.Take(n)` is bounded by the code itself: the author chose n.
            IInvocationOperation { TargetMethod.Name: "Take" } take when take.TargetMethod.ContainingType.IsType(symbols.Enumerable) => true,
            IInvocationOperation { TargetMethod.Name: "Range" or "Repeat", Arguments.Length: 2 } range when range.TargetMethod.ContainingType.IsType(symbols.Enumerable)
                => IsSmallOrConfiguredCount(range.Arguments[1].Value, maxConstant, symbols),

            // A projection, filter or copy of a set has at most as many items as the set.
            IInvocationOperation { TargetMethod.Name: "Select" or "Where" or "ToArray" or "ToList" or "ToHashSet" or "OrderBy" or "OrderByDescending" or "Distinct" or "AsEnumerable" or "Skip" or "Cast" or "OfType" } projection
                when projection.TargetMethod.ContainingType.IsType(symbols.Enumerable) && projection.Arguments.Length > 0
                => IsSmallOrConfiguredSource(projection.Arguments[0].Value, maxConstant, symbols, depth),

            // Partitioner.Create(source).GetPartitions(dop): the classic bounded fan-out, one worker per partition.
            IInvocationOperation { TargetMethod.Name: "GetPartitions" or "GetOrderablePartitions" } partitions
                when partitions.TargetMethod.ContainingType.IsOrDerivesFrom(symbols.Partitioner) && partitions.Arguments.GetArgumentValue("partitionCount") is { } count
                => IsSmallOrConfiguredCount(count, maxConstant, symbols),
            _ => false,
        };
    }

    private static bool IsParameterValue(IOperation value) => value.WalkDownConversions() is IParameterReferenceOperation;

    /// <summary>
    /// A member of this type that holds a set fixed when the object was built rather than data arriving at run
    /// time: a set of behaviours (providers, listeners, handlers — an interface or abstract element type, as DI
    /// injects them), or a read-only field or get-only property holding an array or a read-only collection.
    /// A read-only field holding a mutable list or dictionary is filled at run time and is not fixed.
    /// </summary>
    private static bool IsFixedAtConstruction(ISymbol member, TaskSymbols symbols)
    {
        var type = member switch
        {
            IFieldSymbol field => field.Type,
            IPropertySymbol property => property.Type,
            _ => null,
        };
        if (type is null)
        {
            return false;
        }

        var element = GetElementType(type, symbols);
        if (element is { TypeKind: TypeKind.Interface } or { IsAbstract: true, TypeKind: TypeKind.Class })
        {
            return true;
        }

        var readOnly = member switch
        {
            IFieldSymbol field => field.IsReadOnly,
            IPropertySymbol property => property.SetMethod is null && property.IsAutoProperty(),
            _ => false,
        };
        return readOnly && IsReadOnlyCollectionType(type);
    }

    private static bool IsReadOnlyCollectionType(ITypeSymbol? type)
        => type is IArrayTypeSymbol || type?.Name is "IEnumerable" or "IReadOnlyList" or "IReadOnlyCollection" or "ImmutableArray" or "ImmutableList" or "FrozenSet";

    /// <summary>
    /// A set of behaviours rather than of data: an interface or abstract class named as a plugin role (providers,
    /// services, handlers, listeners, ...). Such a set is as large as the implementations the application registers,
    /// which code fixes, wherever the set was read from.
    /// </summary>
    private static bool IsBehaviour(ITypeSymbol element)
    {
        if (element is not ({ TypeKind: TypeKind.Interface } or { IsAbstract: true, TypeKind: TypeKind.Class }))
        {
            return false;
        }

        var name = element.Name;
        foreach (var role in s_behaviourRoles)
        {
            if (name.EndsWith(role, System.StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static readonly string[] s_behaviourRoles =
    [
        "Provider", "Service", "Handler", "Listener", "Plugin", "Observer", "Subscriber", "Exporter", "Notifier",
        "Resolver", "Filter", "Middleware", "Interceptor", "Strategy", "Hook", "Module", "Contributor", "Validator",
    ];

    private static ITypeSymbol? GetElementType(ITypeSymbol type, TaskSymbols symbols)
    {
        if (type is IArrayTypeSymbol array)
        {
            return array.ElementType;
        }

        if (type is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } generic && type.IsOrImplements(symbols.Enumerable1))
        {
            return generic.TypeArguments[0];
        }

        return null;
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

    /// <summary>
    /// Whether a count is fixed by code or configuration: a constant at or below <paramref name="maxConstant"/>, a
    /// parameter, field or property (an options value), <c>Environment.ProcessorCount</c>, or arithmetic on those.
    /// A collection's size, <c>Count()</c>, or a number read from an awaited answer (a page count from a server) is
    /// run-time data. What is subtracted from or divides a count cannot make it grow: <c>Limit() - _running.Count</c>
    /// is bounded by <c>Limit()</c>.
    /// </summary>
    private static bool IsSmallOrConfiguredCount(IOperation bound, int maxConstant, TaskSymbols symbols, int depth = 0)
    {
        bound = bound.WalkDownConversions();
        if (bound.ConstantValue is { HasValue: true, Value: { } constant } && IsNumeric(constant))
        {
            return System.Convert.ToDouble(constant, System.Globalization.CultureInfo.InvariantCulture) <= maxConstant;
        }

        if (depth > 8)
        {
            return true;
        }

        depth++;
        switch (bound)
        {
            case ILocalReferenceOperation local:
                // `var count = items.Count; for (var i = 0; i < count; i++)` still walks the collection.
                return FindInitializer(local) is not { } initializer || IsSmallOrConfiguredCount(initializer, maxConstant, symbols, depth);
            case IAwaitOperation:
                return false;
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Subtract or BinaryOperatorKind.Divide or BinaryOperatorKind.RightShift or BinaryOperatorKind.Remainder } shrinking:
                return IsSmallOrConfiguredCount(shrinking.LeftOperand, maxConstant, symbols, depth);
            case IBinaryOperation binary:
                return IsSmallOrConfiguredCount(binary.LeftOperand, maxConstant, symbols, depth)
                    && IsSmallOrConfiguredCount(binary.RightOperand, maxConstant, symbols, depth);
            case IConditionalOperation conditional:
                return IsSmallOrConfiguredCount(conditional.WhenTrue, maxConstant, symbols, depth)
                    && (conditional.WhenFalse is null || IsSmallOrConfiguredCount(conditional.WhenFalse, maxConstant, symbols, depth));
            case IInvocationOperation { TargetMethod.ContainingType.Name: "Math", TargetMethod.Name: "Min" } min:
                return min.Arguments.Any(a => IsSmallOrConfiguredCount(a.Value, maxConstant, symbols, depth));
            case IInvocationOperation { TargetMethod.ContainingType.Name: "Math", TargetMethod.Name: "Clamp", Arguments.Length: 3 } clamp:
                return IsSmallOrConfiguredCount(clamp.Arguments[2].Value, maxConstant, symbols, depth);
            case IInvocationOperation { TargetMethod.ContainingType.Name: "Math" } math:
                return math.Arguments.All(a => IsSmallOrConfiguredCount(a.Value, maxConstant, symbols, depth));
            case IInvocationOperation { TargetMethod.Name: "Count" or "LongCount" } count when count.TargetMethod.ContainingType.IsType(symbols.Enumerable):
                return false;
            case IPropertyReferenceOperation { Property.Name: "Length" or "LongLength" or "Count" } size when size.Instance is not null:
                // `threads.Length` of `new Thread[workers]` counts to `workers`, not to an input's size.
                if (FindArraySize(size.Instance) is { } arraySize)
                {
                    return IsSmallOrConfiguredCount(arraySize, maxConstant, symbols, depth);
                }

                if (size.Instance.WalkDownConversions() is IFieldReferenceOperation { Instance: null or IInstanceReferenceOperation } sizedField
                    && IsCreatedWithScalarSize(sizedField.Field))
                {
                    return true;
                }

                // The size of a set fixed by code or at construction (`_listeners.Length`) is as fixed as the set.
                return (!IsCollection(size.Instance.Type, symbols) && !ComesFromAnswer(size.Instance))
                    || IsSmallOrConfiguredSource(size.Instance, maxConstant, symbols, depth);
            case IMemberReferenceOperation { Instance: { } instance }:
                return !ComesFromAnswer(instance);
            default:
                return !bound.DescendantsInSameFunction().Any(o => o is IAwaitOperation || IsCollectionSize(o, symbols));
        }
    }

    private static bool IsCollectionSize(IOperation operation, TaskSymbols symbols)
        => operation switch
        {
            IPropertyReferenceOperation { Property.Name: "Length" or "LongLength" or "Count", Instance: { } instance } => IsCollection(instance.Type, symbols),
            IInvocationOperation { TargetMethod.Name: "Count" or "LongCount" } count => count.TargetMethod.ContainingType.IsType(symbols.Enumerable),
            _ => false,
        };

    /// <summary>Whether a value is, or is read from, the result of an <c>await</c>: the answer of a server or a store.</summary>
    private static bool ComesFromAnswer(IOperation value)
    {
        for (var depth = 0; depth < 8; depth++)
        {
            switch (value.WalkDownConversions())
            {
                case IAwaitOperation:
                    return true;
                case ILocalReferenceOperation local when FindInitializer(local) is { } initializer:
                    value = initializer;
                    break;
                case IMemberReferenceOperation { Instance: { } instance }:
                    value = instance;
                    break;
                case IInvocationOperation { Instance: { } instance }:
                    value = instance;
                    break;
                default:
                    return false;
            }
        }

        return false;
    }

    /// <summary>
    /// The size an array was created with, for an array held in a local or one of this type's own fields and
    /// created without elements (<c>new Task[workers]</c>): its length is that size, not the size of an input.
    /// </summary>
    private static IOperation? FindArraySize(IOperation array)
    {
        IOperation? created = array.WalkDownConversions() switch
        {
            ILocalReferenceOperation local => FindInitializer(local),
            IFieldReferenceOperation { Instance: null or IInstanceReferenceOperation } field => FindFieldValue(field),
            _ => null,
        };
        return created?.WalkDownConversions() is IArrayCreationOperation { Initializer: null, DimensionSizes.Length: 1 } creation
            ? creation.DimensionSizes[0]
            : null;
    }

    /// <summary>
    /// The value a field of this type is given, when it is given exactly one: in the same code block, or else in
    /// its initializer or a constructor (read from syntax, without binding other trees).
    /// </summary>
    private static IOperation? FindFieldValue(IFieldReferenceOperation reference)
    {
        IOperation? value = null;
        var count = 0;
        foreach (var operation in reference.GetRoot().Descendants())
        {
            if (operation is ISimpleAssignmentOperation { Target: IFieldReferenceOperation target } assignment
                && SymbolEqualityComparer.Default.Equals(target.Field.OriginalDefinition, reference.Field.OriginalDefinition))
            {
                value = assignment.Value;
                count++;
            }
        }

        if (count == 1)
        {
            return value;
        }

        if (count > 1 || reference.SemanticModel is not { } model)
        {
            return null;
        }

        foreach (var declaration in reference.Field.ContainingType.DeclaringSyntaxReferences)
        {
            if (declaration.SyntaxTree != model.SyntaxTree)
            {
                continue;
            }

            foreach (var node in declaration.GetSyntax().DescendantNodes())
            {
                ExpressionSyntax? assigned = node switch
                {
                    VariableDeclaratorSyntax { Initializer.Value: var initializer } declarator when declarator.Identifier.ValueText == reference.Field.Name => initializer,
                    AssignmentExpressionSyntax { Left: var left } assignment when assignment.IsKind(SyntaxKind.SimpleAssignmentExpression) && IsFieldName(left, reference.Field.Name) => assignment.Right,
                    _ => null,
                };
                if (assigned is null)
                {
                    continue;
                }

                if (value is not null)
                {
                    return null;
                }

                value = model.GetOperation(assigned);
            }
        }

        return value;
    }

    /// <summary>
    /// An array field of this type, in any of its partial declarations, given exactly one value, and that value is
    /// <c>new T[size]</c> with a size that reads as a scalar (<c>workerCount</c>, <c>options.Workers</c>), not as the
    /// size of a collection or an awaited answer. Read from syntax alone: other partial files are not bound.
    /// </summary>
    private static bool IsCreatedWithScalarSize(IFieldSymbol field)
    {
        if (field.Type is not IArrayTypeSymbol)
        {
            return false;
        }

        ExpressionSyntax? size = null;
        var assignments = 0;
        foreach (var declaration in field.ContainingType.DeclaringSyntaxReferences)
        {
            foreach (var node in declaration.GetSyntax().DescendantNodes())
            {
                ExpressionSyntax? assigned = node switch
                {
                    VariableDeclaratorSyntax { Initializer.Value: var initializer } declarator when declarator.Identifier.ValueText == field.Name
                        && declarator.Parent?.Parent is FieldDeclarationSyntax => initializer,
                    AssignmentExpressionSyntax { Left: var left } assignment when IsFieldName(left, field.Name) => assignment.Right,
                    _ => null,
                };
                if (assigned is null)
                {
                    continue;
                }

                assignments++;
                size = assigned is ArrayCreationExpressionSyntax { Initializer: null } creation
                    && creation.Type.RankSpecifiers.Count == 1 && creation.Type.RankSpecifiers[0].Sizes.Count == 1
                    ? creation.Type.RankSpecifiers[0].Sizes[0]
                    : null;
            }
        }

        return assignments == 1 && size is not null && ReadsAsScalar(size);
    }

    private static bool ReadsAsScalar(ExpressionSyntax size)
        => !size.DescendantNodesAndSelf().Any(node => node switch
        {
            AwaitExpressionSyntax or InvocationExpressionSyntax => true,
            MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Length" or "LongLength" or "Count" } => true,
            _ => false,
        });

    private static bool IsFieldName(ExpressionSyntax left, string name)
        => left switch
        {
            IdentifierNameSyntax identifier => identifier.Identifier.ValueText == name,
            MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Name: var member } => member.Identifier.ValueText == name,
            _ => false,
        };

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
