using System;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Governance.Analyzers.Editing;

/// <summary>
/// Indentation for code that a fix writes as text across several lines, laid out as the file lays out its own:
/// the formatter re-indents blocks but does not wrap arguments, so multi-line calls are written indented already.
/// </summary>
internal static class Layout
{
    /// <summary>The whitespace at the start of the line where <paramref name="token"/> is.</summary>
    public static string LineIndentation(SyntaxToken token)
    {
        var text = token.SyntaxTree?.GetText();
        if (text is null)
        {
            return string.Empty;
        }

        var line = text.Lines.GetLineFromPosition(token.SpanStart);
        var builder = new StringBuilder();
        for (var i = line.Start; i < line.End && (text[i] == ' ' || text[i] == '\t'); i++)
        {
            builder.Append(text[i]);
        }

        return builder.ToString();
    }

    /// <summary>
    /// One level of indentation as the file writes it: the step from the enclosing block's brace to
    /// <paramref name="statement"/>, or four spaces.
    /// </summary>
    public static string IndentUnit(SyntaxNode statement)
    {
        var own = LineIndentation(statement.GetFirstToken());
        if (statement.Parent is BlockSyntax block)
        {
            var outer = LineIndentation(block.OpenBraceToken);
            if (own.Length > outer.Length && own.StartsWith(outer, StringComparison.Ordinal))
            {
                return own.Substring(outer.Length);
            }
        }

        return own.Contains("\t") ? "\t" : "    ";
    }

    /// <summary>
    /// The text of <paramref name="node"/> (without its outer trivia) moved so that the line where it starts is
    /// indented by <paramref name="newIndentation"/>: its other lines move by the same amount. Text with a string
    /// literal that spans lines keeps its lines as they are.
    /// </summary>
    /// <param name="node">The node in its original tree, which tells where its lines were.</param>
    /// <param name="rewritten">The node's replacement to write instead, if the fix changed it (on the same lines).</param>
    public static string Reindent(SyntaxNode node, string newIndentation, string newLine, SyntaxNode? rewritten = null)
    {
        var text = (rewritten ?? node).WithoutTrivia().ToFullString();
        if (!text.Contains("\n") || (rewritten ?? node).DescendantTokens().Any(t => IsMultiLineLiteral(t)))
        {
            return text;
        }

        var oldIndentation = LineIndentation(node.GetFirstToken());
        var lines = text.Replace("\r\n", "\n").Split('\n');
        var builder = new StringBuilder(lines[0]);
        for (var i = 1; i < lines.Length; i++)
        {
            builder.Append(newLine);
            var line = lines[i];
            if (line.Trim().Length == 0)
            {
                continue;
            }

            builder.Append(line.StartsWith(oldIndentation, StringComparison.Ordinal)
                ? newIndentation + line.Substring(oldIndentation.Length)
                : newIndentation + line.TrimStart(' ', '\t'));
        }

        return builder.ToString();
    }

    /// <summary>
    /// The statements inside <paramref name="block"/>, with their comments and blank lines, each line indented by
    /// <paramref name="newIndentation"/> plus what it had beyond the block's first statement; every line ends with
    /// <paramref name="newLine"/>.
    /// </summary>
    public static string InnerLines(BlockSyntax block, string newIndentation, string newLine)
    {
        var text = block.SyntaxTree.GetText();
        var first = text.Lines.GetLineFromPosition(block.OpenBraceToken.SpanStart);
        var last = text.Lines.GetLineFromPosition(block.CloseBraceToken.SpanStart);
        var opensLine = first.End == block.OpenBraceToken.Span.End || text.ToString(Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(block.OpenBraceToken.Span.End, first.End)).Trim().Length == 0;
        var closesLine = text.ToString(Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(last.Start, block.CloseBraceToken.SpanStart)).Trim().Length == 0;
        var builder = new StringBuilder();
        if (first.LineNumber == last.LineNumber || !opensLine || !closesLine || block.DescendantTokens().Any(IsMultiLineLiteral))
        {
            // `{ A(); B(); }` on one line (or an unusual layout): one statement per line.
            foreach (var statement in block.Statements)
            {
                builder.Append(newIndentation).Append(Reindent(statement, newIndentation, newLine)).Append(newLine);
            }

            return builder.ToString();
        }

        var oldIndentation = block.Statements.Count > 0 ? LineIndentation(block.Statements[0].GetFirstToken()) : string.Empty;
        for (var number = first.LineNumber + 1; number < last.LineNumber; number++)
        {
            var line = text.Lines[number].ToString();
            if (line.Trim().Length > 0)
            {
                builder.Append(line.StartsWith(oldIndentation, StringComparison.Ordinal)
                    ? newIndentation + line.Substring(oldIndentation.Length)
                    : newIndentation + line.TrimStart(' ', '\t'));
            }

            builder.Append(newLine);
        }

        return builder.ToString();
    }

    // Only a string literal's token text can hold a line break (trivia is not part of it).
    private static bool IsMultiLineLiteral(SyntaxToken token) => token.Text.IndexOf('\n') >= 0;
}
