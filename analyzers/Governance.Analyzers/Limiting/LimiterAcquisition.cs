using System.Collections.Immutable;
using System.Threading;
using System.Linq;
using Governance.Analyzers.Operations;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Governance.Analyzers.Limiting;

/// <summary>Answers "is this work bounded by a limiter taken before it?" for one operation.</summary>
internal static class LimiterAcquisition
{
    /// <summary>
    /// Whether a limiter is acquired before <paramref name="operation"/> runs, looking no further out than
    /// <paramref name="scope"/>: in an earlier statement of an enclosing block, in the resources of an enclosing
    /// <c>using</c>, or in the condition of an enclosing <c>if</c> or <c>while</c>.
    /// </summary>
    public static bool IsPrecededByAcquire(IOperation operation, IOperation scope, LimiterSymbols symbols, ImmutableArray<INamedTypeSymbol> configured)
    {
        var child = operation;
        for (var parent = operation.Parent; parent is not null; child = parent, parent = parent.Parent)
        {
            switch (parent)
            {
                case IBlockOperation block:
                    foreach (var statement in block.Operations)
                    {
                        if (statement == child)
                        {
                            break;
                        }

                        if (ContainsAcquire(statement, symbols, configured))
                        {
                            return true;
                        }
                    }

                    break;
                case IUsingOperation usingOperation when usingOperation.Body == child:
                    if (ContainsAcquire(usingOperation.Resources, symbols, configured))
                    {
                        return true;
                    }

                    break;
                case IConditionalOperation conditional when conditional.Condition != child:
                    if (ContainsAcquire(conditional.Condition, symbols, configured))
                    {
                        return true;
                    }

                    break;
                case IWhileLoopOperation loop when loop.Body == child && loop.Condition is not null:
                    if (ContainsAcquire(loop.Condition, symbols, configured))
                    {
                        return true;
                    }

                    break;
                case IAnonymousFunctionOperation or ILocalFunctionOperation:
                    return false;
            }

            if (parent == scope)
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether the delegate's first awaited step (or a synchronous wait before it) acquires a limiter:
    /// <c>async () =&gt; { await gate.WaitAsync(); try { ... } finally { gate.Release(); } }</c>.
    /// </summary>
    public static bool AcquiresFirst(IAnonymousFunctionOperation function, LimiterSymbols symbols, ImmutableArray<INamedTypeSymbol> configured, CancellationToken cancellationToken)
    {
        if (FirstStepAcquires(function.Body, symbols, configured))
        {
            return true;
        }

        // `() => ProcessAsync(item)`: the work is the called method, whose first step may be the acquire.
        return function.Body.DescendantsInSameFunction().OfType<IReturnOperation>().FirstOrDefault()?.ReturnedValue?.WalkDownConversions() is IInvocationOperation call
            && CalleeAcquiresFirst(call.TargetMethod, function.SemanticModel, symbols, configured, cancellationToken);
    }

    /// <summary>
    /// Whether a method of this syntax tree starts by acquiring a limiter: the common throttling helper
    /// <c>async Task ProcessAsync(T item) { await _gate.WaitAsync(); try { ... } finally { _gate.Release(); } }</c>.
    /// Only the current tree's semantic model is used, so a callee declared in another file is not followed.
    /// </summary>
    public static bool CalleeAcquiresFirst(IMethodSymbol method, SemanticModel? model, LimiterSymbols symbols, ImmutableArray<INamedTypeSymbol> configured, CancellationToken cancellationToken)
    {
        if (model is null)
        {
            return false;
        }

        foreach (var reference in method.OriginalDefinition.DeclaringSyntaxReferences)
        {
            if (reference.SyntaxTree != model.SyntaxTree)
            {
                continue;
            }

            var body = reference.GetSyntax(cancellationToken) switch
            {
                MethodDeclarationSyntax declaration => (SyntaxNode?)declaration.Body ?? declaration.ExpressionBody,
                LocalFunctionStatementSyntax local => (SyntaxNode?)local.Body ?? local.ExpressionBody,
                _ => null,
            };
            if (body is not null && model.GetOperation(body, cancellationToken) is { } operation && FirstStepAcquires(operation, symbols, configured))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the first awaited step under <paramref name="body"/>, or a synchronous wait before it, acquires a limiter.</summary>
    private static bool FirstStepAcquires(IOperation body, LimiterSymbols symbols, ImmutableArray<INamedTypeSymbol> configured)
    {
        IOperation? firstAwait = null;
        IOperation? firstAcquire = null;
        foreach (var operation in body.DescendantsInSameFunction())
        {
            if (operation is IAwaitOperation awaitOperation && (firstAwait is null || awaitOperation.Syntax.SpanStart < firstAwait.Syntax.SpanStart))
            {
                firstAwait = awaitOperation;
            }
            else if (operation is IInvocationOperation invocation && symbols.IsAcquire(invocation, configured)
                && (firstAcquire is null || invocation.Syntax.SpanStart < firstAcquire.Syntax.SpanStart))
            {
                firstAcquire = invocation;
            }
            else if (operation is IInvalidOperation { Syntax: InvocationExpressionSyntax } unbound && PassesLimiter(unbound, symbols, configured)
                && (firstAcquire is null || unbound.Syntax.SpanStart < firstAcquire.Syntax.SpanStart))
            {
                // A call that did not bind (a third-party type unresolved in a folder scan) still hands over a limiter.
                firstAcquire = unbound;
            }
        }

        return firstAcquire is not null
            && (firstAwait is null || firstAcquire.Syntax.SpanStart <= firstAwait.Syntax.SpanStart || firstAcquire.IsWithin(firstAwait));
    }

    private static bool PassesLimiter(IInvalidOperation call, LimiterSymbols symbols, ImmutableArray<INamedTypeSymbol> configured)
        => call.ChildOperations
            .Where(child => child.Syntax != ((InvocationExpressionSyntax)call.Syntax).Expression)
            .Any(argument => symbols.IsLimiterType(argument.WalkDownConversions().Type, configured));

    private static bool ContainsAcquire(IOperation root, LimiterSymbols symbols, ImmutableArray<INamedTypeSymbol> configured)
        => (root is IInvocationOperation self && symbols.IsAcquire(self, configured))
            || root.DescendantsInSameFunction().OfType<IInvocationOperation>().Any(invocation => symbols.IsAcquire(invocation, configured));
}
