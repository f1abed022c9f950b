using Microsoft.CodeAnalysis;

namespace Governance.Analyzers.Editing;

internal static class TypeSymbolExtensions
{
    /// <summary>
    /// The name <see cref="Compilation.GetTypeByMetadataName"/> finds the type by again after an edit has produced a
    /// new compilation (nested types joined with '+', generic arity kept).
    /// </summary>
    public static string GetFullMetadataName(this INamedTypeSymbol type)
    {
        var name = type.MetadataName;
        if (type.ContainingType is { } containing)
        {
            return containing.GetFullMetadataName() + "+" + name;
        }

        return type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() + "." + name : name;
    }
}
