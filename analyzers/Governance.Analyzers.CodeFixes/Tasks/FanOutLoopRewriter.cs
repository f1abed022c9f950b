using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Governance.Analyzers.Tasks;

/// <summary>
/// The GOV1002 fix for the list form, three statements of one block:
/// <c>var tasks = new List&lt;Task&gt;(); foreach (var x in source) { tasks.Add(WorkAsync(x)); } await Task.WhenAll(tasks);</c>
/// become one <c>await Parallel.ForEachAsync(source, ..., (x, _) =&gt; new ValueTask(WorkAsync(x)));</c>. Only when the
/// list is used for nothing else, so that removing it changes nothing but the concurrency.
/// </summary>
internal static class FanOutLoopRewriter
{
    public static (BlockSyntax Block, BlockSyntax Replacement)? Rewrite(SemanticModel model, SyntaxNode node, FanOutFix kind, CancellationToken cancellationToken)
    {
        if (node.FirstAncestorOrSelf<InvocationExpressionSyntax>() is not { ArgumentList.Arguments.Count: 1 } whenAll
            || model.GetSymbolInfo(whenAll, cancellationToken).Symbol is not IMethodSymbol { Name: "WhenAll", IsGenericMethod: false }
            || UnboundedFanOutCodeFix.GetAwaitStatement(whenAll, out var awaitSuffix) is not { Parent: BlockSyntax block } waitStatement
            || whenAll.ArgumentList.Arguments[0].Expression is not IdentifierNameSyntax listName
            || model.GetSymbolInfo(listName, cancellationToken).Symbol is not ILocalSymbol list)
        {
            return null;
        }

        var declaration = block.Statements.OfType<LocalDeclarationStatementSyntax>()
            .FirstOrDefault(d => d.Declaration.Variables.Count == 1 && SymbolEqualityComparer.Default.Equals(model.GetDeclaredSymbol(d.Declaration.Variables[0], cancellationToken), list));
        var loop = block.Statements.OfType<ForEachStatementSyntax>().FirstOrDefault(l => IsFillingLoop(model, l, list, cancellationToken));
        // The wait follows the loop: a statement between them ran while the tasks ran, and would now run after them.
        if (declaration is null || loop is null
            || block.Statements.IndexOf(declaration) > block.Statements.IndexOf(loop)
            || block.Statements.IndexOf(loop) + 1 != block.Statements.IndexOf(waitStatement)
            || !loop.AwaitKeyword.IsKind(SyntaxKind.None)
            || !ParallelForEachAsyncBuilder.IsPlainIterationVariable(model, loop, cancellationToken)
            || HasComments(waitStatement.GetLeadingTrivia())
            || declaration.Declaration.Variables[0].Initializer?.Value is not (ObjectCreationExpressionSyntax or ImplicitObjectCreationExpressionSyntax or CollectionExpressionSyntax)
            || CountReferences(model, block, list, cancellationToken) != 2)
        {
            return null;
        }

        var add = (InvocationExpressionSyntax)((ExpressionStatementSyntax)GetSingleStatement(loop)!).Expression;
        if (add.ArgumentList.Arguments[0].Expression is not InvocationExpressionSyntax spawn
            || SpawnBodyConverter.Convert(model, spawn, cancellationToken) is not { } work)
        {
            return null;
        }

        // The comments above the list and above the loop stay above the call; a list declared further up keeps its
        // comments only where they can stay with the code they describe, so a commented declaration apart from the
        // loop is not rewritten.
        var adjacent = block.Statements.IndexOf(declaration) + 1 == block.Statements.IndexOf(loop);
        if (!adjacent && HasComments(declaration.GetLeadingTrivia()))
        {
            return null;
        }

        var leading = adjacent
            ? WithoutTrailingWhitespace(declaration.GetLeadingTrivia()).AddRange(loop.GetLeadingTrivia())
            : loop.GetLeadingTrivia();
        StatementSyntax built;
        if (kind == FanOutFix.Gate)
        {
            // The gate awaits the very task the loop added: Task.Run(...) or the call, as written.
            if (WorkItem.FromExpression(model, spawn, spawn, cancellationToken) is not { } added)
            {
                return null;
            }

            built = GatedWhenAllBuilder.Build(model, loop, whenAll.Expression, loop.Expression, loop.Identifier.ValueText, added, awaitSuffix);
        }
        else
        {
            built = ParallelForEachAsyncBuilder.Build(model, loop, loop.Expression, loop.Identifier.ValueText, work, awaitSuffix, cancellationToken);
        }

        var replacement = built
            .WithLeadingTrivia(leading)
            .WithTrailingTrivia(waitStatement.GetTrailingTrivia());

        var statements = block.Statements
            .Where(s => s != declaration && s != waitStatement)
            .Select(s => s == loop ? replacement : s);
        return (block, block.WithStatements(SyntaxFactory.List(statements)));
    }

    private static bool HasComments(SyntaxTriviaList trivia)
        => trivia.Any(t => t.IsKind(SyntaxKind.SingleLineCommentTrivia) || t.IsKind(SyntaxKind.MultiLineCommentTrivia) || t.IsKind(SyntaxKind.SingleLineDocumentationCommentTrivia));

    private static SyntaxTriviaList WithoutTrailingWhitespace(SyntaxTriviaList trivia)
    {
        var count = trivia.Count;
        while (count > 0 && trivia[count - 1].IsKind(SyntaxKind.WhitespaceTrivia))
        {
            count--;
        }

        return SyntaxFactory.TriviaList(trivia.Take(count));
    }

    private static bool IsFillingLoop(SemanticModel model, ForEachStatementSyntax loop, ILocalSymbol list, CancellationToken cancellationToken)
        => GetSingleStatement(loop) is ExpressionStatementSyntax
        {
            Expression: InvocationExpressionSyntax
            {
                Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Add", Expression: IdentifierNameSyntax receiver },
                ArgumentList.Arguments.Count: 1,
            },
        }
            && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(receiver, cancellationToken).Symbol, list);

    private static StatementSyntax? GetSingleStatement(ForEachStatementSyntax loop)
        => loop.Statement switch
        {
            BlockSyntax { Statements.Count: 1 } body => body.Statements[0],
            BlockSyntax => null,
            var statement => statement,
        };

    private static int CountReferences(SemanticModel model, BlockSyntax block, ILocalSymbol list, CancellationToken cancellationToken)
        => block.DescendantNodes().OfType<IdentifierNameSyntax>()
            .Count(name => name.Identifier.ValueText == list.Name && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name, cancellationToken).Symbol, list));
}
