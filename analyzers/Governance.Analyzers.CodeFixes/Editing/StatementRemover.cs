using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Governance.Analyzers.Editing;

/// <summary>
/// Removes a statement from its block, or replaces a block-bodied statement with the statements of its body, keeping
/// the comments written above it and the block's layout: no blank line left at the top of a block, no doubled blank
/// line, the moved statements re-indented by their own whitespace and nothing else.
/// </summary>
internal static class StatementRemover
{
    /// <summary>Whether <see cref="Remove"/> can remove <paramref name="statement"/>: it sits directly in a block.</summary>
    public static bool CanRemove(StatementSyntax statement) => statement.Parent is BlockSyntax;

    /// <summary>Removes <paramref name="statement"/>; its comments move to the statement that follows it.</summary>
    public static SyntaxNode Remove(SyntaxNode root, StatementSyntax statement)
    {
        var block = (BlockSyntax)statement.Parent!;
        var index = block.Statements.IndexOf(statement);
        var (removedHadBlank, removedRest) = SplitBlankLines(statement.GetLeadingTrivia());
        var comments = HasComments(removedRest) ? TrimTrailingWhitespace(removedRest) : SyntaxFactory.TriviaList();
        var trailing = statement.GetTrailingTrivia();
        if (HasComments(trailing))
        {
            // `statement; // note` keeps its note, on a line of its own.
            comments = comments.Add(SyntaxFactory.Whitespace(Indentation(statement))).AddRange(trailing.SkipWhile(t => t.IsKind(SyntaxKind.WhitespaceTrivia)));
        }

        BlockSyntax newBlock;
        if (index + 1 < block.Statements.Count)
        {
            var next = block.Statements[index + 1];
            var (nextHadBlank, nextRest) = SplitBlankLines(next.GetLeadingTrivia());
            var blank = index > 0 && (removedHadBlank || nextHadBlank);
            var leading = SyntaxFactory.TriviaList()
                .AddRange(blank ? new[] { SyntaxFactory.EndOfLine(statement.GetNewLine()) } : Enumerable.Empty<SyntaxTrivia>())
                .AddRange(comments)
                .AddRange(nextRest);
            newBlock = block.ReplaceNode(next, next.WithLeadingTrivia(leading));
            newBlock = newBlock.WithStatements(newBlock.Statements.RemoveAt(index));
        }
        else
        {
            newBlock = block.WithStatements(block.Statements.RemoveAt(index));
            if (comments.Count > 0)
            {
                newBlock = newBlock.WithCloseBraceToken(newBlock.CloseBraceToken.WithLeadingTrivia(comments.AddRange(newBlock.CloseBraceToken.LeadingTrivia)));
            }
        }

        return root.ReplaceNode(block, newBlock);
    }

    /// <summary>
    /// Whether <paramref name="statement"/>'s block body can take its place: its statements declare no name that the
    /// enclosing block declares too, and its braces carry no comments that would be lost.
    /// </summary>
    public static bool CanUnwrap(StatementSyntax statement, BlockSyntax body)
    {
        if (HasComments(body.OpenBraceToken.TrailingTrivia) || HasComments(body.CloseBraceToken.LeadingTrivia) || HasComments(body.CloseBraceToken.TrailingTrivia))
        {
            return false;
        }

        if (statement.Parent is not BlockSyntax outer)
        {
            return true;
        }

        var inner = new HashSet<string>(DeclaredNames(body).Select(n => n.Name));
        return !DeclaredNames(outer).Where(n => !n.Node.Ancestors().Contains(statement)).Any(n => inner.Contains(n.Name));
    }

    /// <summary>
    /// Replaces <paramref name="statement"/> with the statements of <paramref name="body"/>, one level less indented; the
    /// statement's leading comments go to the first of them. Where the statement is not in a block (an <c>if</c>'s
    /// embedded statement), the body block itself takes its place.
    /// </summary>
    public static SyntaxNode Unwrap(SyntaxNode root, StatementSyntax statement, BlockSyntax body)
    {
        if (statement.Parent is not BlockSyntax || body.Statements.Count == 0)
        {
            return root.ReplaceNode(statement, body.WithTriviaFrom(statement));
        }

        var indentation = Indentation(statement);
        var innerIndentation = Indentation(body.Statements[0]);
        var statements = body.Statements.Select(s => Dedent(s, innerIndentation, indentation)).ToList();
        var (_, firstRest) = SplitBlankLines(statements[0].GetLeadingTrivia());
        var (_, statementRest) = SplitBlankLines(statement.GetLeadingTrivia());
        var (hadBlank, _) = SplitBlankLines(statement.GetLeadingTrivia());
        var leading = SyntaxFactory.TriviaList()
            .AddRange(hadBlank ? new[] { SyntaxFactory.EndOfLine(statement.GetNewLine()) } : Enumerable.Empty<SyntaxTrivia>())
            .AddRange(HasComments(statementRest) ? TrimTrailingWhitespace(statementRest) : SyntaxFactory.TriviaList())
            .AddRange(firstRest);
        statements[0] = statements[0].WithLeadingTrivia(leading);
        return root.ReplaceNode(statement, statements);
    }

    private static string Indentation(SyntaxNode node)
    {
        var leading = node.GetLeadingTrivia();
        return leading.Count > 0 && leading[leading.Count - 1].IsKind(SyntaxKind.WhitespaceTrivia) ? leading[leading.Count - 1].ToString() : string.Empty;
    }

    /// <summary>Replaces the <paramref name="from"/> prefix of every line's indentation in <paramref name="node"/> with <paramref name="to"/>.</summary>
    private static StatementSyntax Dedent(StatementSyntax node, string from, string to)
    {
        if (!from.StartsWith(to, System.StringComparison.Ordinal))
        {
            return node;
        }

        return node.ReplaceTrivia(
            node.DescendantTrivia(descendIntoTrivia: true).Where(t => t.IsKind(SyntaxKind.WhitespaceTrivia) && IsAtLineStart(t)),
            (original, _) => original.ToString().StartsWith(from, System.StringComparison.Ordinal)
                ? SyntaxFactory.Whitespace(to + original.ToString().Substring(from.Length))
                : original);
    }

    private static bool IsAtLineStart(SyntaxTrivia trivia)
    {
        var list = trivia.Token.LeadingTrivia;
        var index = list.IndexOf(trivia);
        if (index < 0)
        {
            return false;
        }

        if (index > 0)
        {
            return list[index - 1].IsKind(SyntaxKind.EndOfLineTrivia);
        }

        var previous = trivia.Token.GetPreviousToken(includeZeroWidth: true, includeSkipped: true, includeDirectives: true, includeDocumentationComments: true);
        return previous.RawKind == 0 || previous.TrailingTrivia.Any(t => t.IsKind(SyntaxKind.EndOfLineTrivia));
    }

    private static IEnumerable<(string Name, SyntaxNode Node)> DeclaredNames(SyntaxNode scope)
    {
        foreach (var node in scope.DescendantNodes())
        {
            switch (node)
            {
                case VariableDeclaratorSyntax declarator:
                    yield return (declarator.Identifier.ValueText, node);
                    break;
                case SingleVariableDesignationSyntax designation:
                    yield return (designation.Identifier.ValueText, node);
                    break;
                case ForEachStatementSyntax forEach:
                    yield return (forEach.Identifier.ValueText, node);
                    break;
                case LocalFunctionStatementSyntax function:
                    yield return (function.Identifier.ValueText, node);
                    break;
                case CatchDeclarationSyntax { Identifier.RawKind: not 0 } catchDeclaration:
                    yield return (catchDeclaration.Identifier.ValueText, node);
                    break;
                case ParameterSyntax parameter:
                    yield return (parameter.Identifier.ValueText, node);
                    break;
            }
        }
    }

    /// <summary>Splits off the blank lines at the start of a leading-trivia list: whether there were any, and the rest.</summary>
    private static (bool HadBlank, SyntaxTriviaList Remainder) SplitBlankLines(SyntaxTriviaList trivia)
    {
        var start = 0;
        var hadBlank = false;
        for (var i = 0; i < trivia.Count; i++)
        {
            if (trivia[i].IsKind(SyntaxKind.EndOfLineTrivia))
            {
                hadBlank = true;
                start = i + 1;
            }
            else if (!trivia[i].IsKind(SyntaxKind.WhitespaceTrivia))
            {
                break;
            }
        }

        return (hadBlank, SyntaxFactory.TriviaList(trivia.Skip(start)));
    }

    private static bool HasComments(SyntaxTriviaList trivia)
        => trivia.Any(t => !t.IsKind(SyntaxKind.WhitespaceTrivia) && !t.IsKind(SyntaxKind.EndOfLineTrivia));

    private static SyntaxTriviaList TrimTrailingWhitespace(SyntaxTriviaList trivia)
    {
        var count = trivia.Count;
        while (count > 0 && trivia[count - 1].IsKind(SyntaxKind.WhitespaceTrivia))
        {
            count--;
        }

        return SyntaxFactory.TriviaList(trivia.Take(count));
    }
}
