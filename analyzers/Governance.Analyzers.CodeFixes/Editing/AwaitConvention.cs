using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Governance.Analyzers.Editing;

/// <summary>
/// Whether the code around an edit awaits with <c>.ConfigureAwait(false)</c>: library code that does so everywhere
/// (and enforces it with CA2007 or MA0004) expects the awaits a fix writes to do so too.
/// </summary>
internal static class AwaitConvention
{
    /// <summary>The text to append to an awaited task: <c>.ConfigureAwait(false)</c> or nothing.</summary>
    public static string Suffix(SyntaxNode near, SyntaxNode? replaced = null)
        => UsesConfigureAwaitFalse(near, replaced) ? ".ConfigureAwait(false)" : string.Empty;

    /// <summary>
    /// True when most awaits of the method around <paramref name="near"/> use <c>.ConfigureAwait(false)</c>, or, when
    /// that method has no other await, most awaits of the file. Awaits inside <paramref name="replaced"/> (the code the
    /// fix rewrites) and awaits that cannot be configured (<c>Task.Yield()</c>) are not counted.
    /// </summary>
    public static bool UsesConfigureAwaitFalse(SyntaxNode near, SyntaxNode? replaced = null)
    {
        var member = near.AncestorsAndSelf().FirstOrDefault(n => n is BaseMethodDeclarationSyntax or AccessorDeclarationSyntax or GlobalStatementSyntax)
            ?? near.AncestorsAndSelf().OfType<MemberDeclarationSyntax>().FirstOrDefault();
        if (member is not null && Count(member, replaced) is { Total: > 0 } inMember)
        {
            return inMember.Configured * 2 > inMember.Total;
        }

        var inFile = Count(near.SyntaxTree.GetRoot(), replaced);
        return inFile.Total > 0 && inFile.Configured * 2 > inFile.Total;
    }

    private static (int Configured, int Total) Count(SyntaxNode scope, SyntaxNode? replaced)
    {
        var configured = 0;
        var total = 0;
        foreach (var node in scope.DescendantNodes())
        {
            ExpressionSyntax? awaited = node switch
            {
                AwaitExpressionSyntax awaitExpression => awaitExpression.Expression,
                CommonForEachStatementSyntax { AwaitKeyword.RawKind: (int)SyntaxKind.AwaitKeyword } loop => loop.Expression,
                _ => null,
            };
            if (awaited is null || (replaced is not null && replaced.Span.Contains(node.Span)) || IsYield(awaited))
            {
                continue;
            }

            total++;
            if (awaited is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ConfigureAwait" }, ArgumentList.Arguments.Count: 1 } configure
                && configure.ArgumentList.Arguments[0].Expression.IsKind(SyntaxKind.FalseLiteralExpression))
            {
                configured++;
            }
        }

        return (configured, total);
    }

    private static bool IsYield(ExpressionSyntax awaited)
        => awaited is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Yield" } };
}
