using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Governance.Analyzers.Editing;

internal static class SyntaxNodeExtensions
{
    /// <summary>
    /// The line ending the file already uses: the formatter does not rewrite an elastic line break to the
    /// workspace's, so generated code takes the file's own.
    /// </summary>
    public static string GetNewLine(this SyntaxNode node)
    {
        var root = node.SyntaxTree.GetRoot();
        var endOfLine = root.DescendantTrivia().FirstOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia));
        return endOfLine.IsKind(SyntaxKind.EndOfLineTrivia) ? endOfLine.ToString() : "\n";
    }

    public static SyntaxTrivia GetElasticNewLine(this SyntaxNode node) => SyntaxFactory.ElasticEndOfLine(node.GetNewLine());
}
