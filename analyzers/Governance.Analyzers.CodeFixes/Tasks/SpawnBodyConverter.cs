using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Governance.Analyzers.Tasks;

/// <summary>Turns a spawn (<c>Task.Run(lambda)</c>, or a call to an async method) into the body of a bounded loop's delegate.</summary>
internal static class SpawnBodyConverter
{
    /// <summary>
    /// The body of a lambda that does the spawn's work when called with an item and a token, and whether it is
    /// async; a synchronous body ends by returning <paramref name="completedTask"/>.
    /// </summary>
    public static (string Text, bool IsAsync)? Convert(SemanticModel model, InvocationExpressionSyntax spawn, string completedTask, CancellationToken cancellationToken)
    {
        if (model.GetSymbolInfo(spawn, cancellationToken).Symbol is not IMethodSymbol method)
        {
            return null;
        }

        var isTaskRun = method.Name == "Run" && method.ContainingType.ToDisplayString() == "System.Threading.Tasks.Task";
        if (!isTaskRun)
        {
            // A call to an async method: the body awaits it.
            return ("await " + spawn.WithoutTrivia().ToString(), true);
        }

        if (spawn.ArgumentList.Arguments.FirstOrDefault()?.Expression is not ParenthesizedLambdaExpressionSyntax { ParameterList.Parameters.Count: 0 } lambda)
        {
            return null;
        }

        var isAsync = lambda.AsyncKeyword.IsKind(SyntaxKind.AsyncKeyword);
        switch (lambda.Body)
        {
            case ExpressionSyntax expression when isAsync:
                return (expression.WithoutTrivia().ToString(), true);
            case ExpressionSyntax expression when IsAwaitable(model.GetTypeInfo(expression, cancellationToken).Type):
                return ("await " + expression.WithoutTrivia().ToString(), true);
            case ExpressionSyntax expression:
                return ($"{{ {expression.WithoutTrivia()}; return {completedTask}; }}", false);
            case BlockSyntax block when isAsync:
                return (block.ToString(), true);
            case BlockSyntax block when !block.DescendantNodes().OfType<ReturnStatementSyntax>().Any():
                var statements = string.Concat(block.Statements.Select(s => s.ToFullString()));
                return ($"{{ {statements} return {completedTask}; }}", false);
            default:
                return null;
        }
    }

    private static bool IsAwaitable(ITypeSymbol? type)
        => type?.ContainingNamespace?.ToDisplayString() == "System.Threading.Tasks" && type.Name is "Task" or "ValueTask";
}
