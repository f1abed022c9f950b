using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Governance.Analyzers.Symbols;

internal static class NamedTypeSymbolExtensions
{
    /// <summary>
    /// Whether code in a type nested in <paramref name="type"/> names <paramref name="memberName"/>. A symbol-start
    /// action on a type does not see the operations of its nested types, which may dispose, read or complete the
    /// outer type's private members; a mention there is taken as such a use. Read from syntax, and only for a
    /// member about to be reported, so that the common case costs nothing.
    /// </summary>
    public static bool IsNamedInNestedTypes(this INamedTypeSymbol type, string memberName, CancellationToken cancellationToken)
    {
        foreach (var nested in type.GetTypeMembers())
        {
            foreach (var reference in nested.DeclaringSyntaxReferences)
            {
                foreach (var token in reference.GetSyntax(cancellationToken).DescendantTokens())
                {
                    if (token.IsKind(SyntaxKind.IdentifierToken) && token.ValueText == memberName)
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }
}
