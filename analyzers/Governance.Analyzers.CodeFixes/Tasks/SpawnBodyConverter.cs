using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Governance.Analyzers.Tasks;

/// <summary>Turns a spawn (<c>Task.Run(lambda)</c>, or a call that returns a task) into the work of a bounded loop's delegate.</summary>
internal static class SpawnBodyConverter
{
    /// <summary>The work the spawn starts, or null for a shape the fixes do not rewrite.</summary>
    public static WorkItem? Convert(SemanticModel model, InvocationExpressionSyntax spawn, CancellationToken cancellationToken)
    {
        if (model.GetSymbolInfo(spawn, cancellationToken).Symbol is not IMethodSymbol method)
        {
            return null;
        }

        var isTaskRun = method.Name == "Run" && method.ContainingType.ToDisplayString() == "System.Threading.Tasks.Task";
        if (!isTaskRun)
        {
            // A call that returns its task (an async method): the delegate returns that task.
            return WorkItem.FromExpression(model, spawn, spawn, cancellationToken);
        }

        if (spawn.ArgumentList.Arguments.FirstOrDefault()?.Expression is not ParenthesizedLambdaExpressionSyntax { ParameterList.Parameters.Count: 0 } lambda
            || WorkItem.FromLambda(model, lambda, allowSync: true, cancellationToken) is not { } work)
        {
            return null;
        }

        // `Task.Run(work, token)` starts nothing once the token is cancelled: the loop is given the same token.
        var startToken = spawn.ArgumentList.Arguments.Count == 2
            && model.GetTypeInfo(spawn.ArgumentList.Arguments[1].Expression, cancellationToken).Type?.ToDisplayString() == "System.Threading.CancellationToken"
                ? spawn.ArgumentList.Arguments[1].Expression
                : null;
        return work.WithRegion(spawn, startToken);
    }
}
