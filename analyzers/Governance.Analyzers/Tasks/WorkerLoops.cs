using System.Linq;
using Governance.Analyzers.Operations;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Governance.Analyzers.Tasks;

/// <summary>
/// Workers rather than per-item work: a spawn whose work is itself a loop that runs until cancellation or until
/// its source completes (a consumer), started from a loop that does not walk incoming data.
/// </summary>
internal static class WorkerLoops
{
    /// <summary>
    /// Whether the spawned work — its lambda, the method group it is given, or the called method — is a loop:
    /// <c>while</c>, <c>do</c>, <c>for (;;)</c> or <c>await foreach</c>. Read from syntax, so a method declared in
    /// another file is followed without binding it.
    /// </summary>
    public static bool IsWorker(Spawn spawn, System.Threading.CancellationToken cancellationToken)
    {
        if (spawn.Work is { } work)
        {
            if (ContainsLoop(work.Syntax))
            {
                return true;
            }

            // `() => ConsumeAsync(reader, ct)`: the work is the called method.
            return work.Body.DescendantsInSameFunction().OfType<IInvocationOperation>().Take(3)
                .Any(call => CalleeIsLoop(call.TargetMethod, cancellationToken));
        }

        if (spawn.Operation is not IInvocationOperation invocation)
        {
            return false;
        }

        // `Task.Factory.StartNew(Worker, state)`: a method group.
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Value.WalkDownConversions() is IDelegateCreationOperation { Target: IMethodReferenceOperation method })
            {
                return CalleeIsLoop(method.Method, cancellationToken);
            }
        }

        return spawn.Kind == SpawnKind.Task && CalleeIsLoop(invocation.TargetMethod, cancellationToken);
    }

    /// <summary>
    /// Whether the loop walks data that arrives at run time: a <c>while</c> or <c>do</c> loop (one message per
    /// turn), an <c>await foreach</c>, or a <c>foreach</c> over a parameter. A <c>for</c> to a count and a
    /// <c>foreach</c> over the object's own members start a set of workers fixed by configuration.
    /// </summary>
    public static bool WalksIncomingData(ILoopOperation loop)
        => loop switch
        {
            IWhileLoopOperation => true,
            IForEachLoopOperation { IsAsynchronous: true } => true,
            IForEachLoopOperation forEach => IsReceived(forEach.Collection),
            _ => false,
        };

    private static bool IsReceived(IOperation collection)
    {
        for (var depth = 0; depth < 8; depth++)
        {
            switch (collection.WalkDownConversions())
            {
                case IParameterReferenceOperation or IAwaitOperation:
                    return true;
                case IInvocationOperation { Instance: { } instance }:
                    collection = instance;
                    break;
                case IInvocationOperation { TargetMethod.IsExtensionMethod: true, Arguments.Length: > 0 } extension:
                    collection = extension.Arguments[0].Value;
                    break;
                default:
                    return false;
            }
        }

        return false;
    }

    private static bool CalleeIsLoop(IMethodSymbol method, System.Threading.CancellationToken cancellationToken)
    {
        foreach (var reference in method.OriginalDefinition.DeclaringSyntaxReferences)
        {
            var body = reference.GetSyntax(cancellationToken) switch
            {
                BaseMethodDeclarationSyntax declaration => (SyntaxNode?)declaration.Body ?? declaration.ExpressionBody,
                LocalFunctionStatementSyntax local => (SyntaxNode?)local.Body ?? local.ExpressionBody,
                _ => null,
            };
            if (body is not null && ContainsLoop(body))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A loop in the body itself, not in a lambda it creates (that runs elsewhere).</summary>
    private static bool ContainsLoop(SyntaxNode body)
        => body.DescendantNodes(node => node == body || node is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax))
            .Any(node => node switch
            {
                WhileStatementSyntax or DoStatementSyntax => true,
                ForStatementSyntax forStatement => forStatement.Condition is null,
                ForEachStatementSyntax forEach => forEach.AwaitKeyword.IsKind(SyntaxKind.AwaitKeyword),
                _ => false,
            });
}
