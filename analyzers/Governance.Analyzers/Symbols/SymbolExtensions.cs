using Microsoft.CodeAnalysis;

namespace Governance.Analyzers.Symbols;

internal static class SymbolExtensions
{
    public static bool IsOrDerivesFrom(this ITypeSymbol? type, INamedTypeSymbol? baseType)
    {
        if (baseType is null)
        {
            return false;
        }

        for (var current = type; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, baseType))
            {
                return true;
            }
        }

        return false;
    }

    public static bool IsOrImplements(this ITypeSymbol? type, INamedTypeSymbol? interfaceType)
    {
        if (type is null || interfaceType is null)
        {
            return false;
        }

        if (SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, interfaceType))
        {
            return true;
        }

        foreach (var implemented in type.AllInterfaces)
        {
            if (SymbolEqualityComparer.Default.Equals(implemented.OriginalDefinition, interfaceType))
            {
                return true;
            }
        }

        return false;
    }

    public static bool IsType(this ITypeSymbol? type, INamedTypeSymbol? expected)
        => type is not null && expected is not null && SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, expected);

    /// <summary>
    /// Private members are the only ones whose every use is visible in the type's own declarations: anything wider
    /// may be disposed, read or completed by code we cannot see.
    /// </summary>
    public static bool IsPrivateToType(this ISymbol member) => member.DeclaredAccessibility == Accessibility.Private;

    /// <summary>The field or auto-property a member reference points at, if it is a member we can track.</summary>
    public static bool IsTrackableStorage(this ISymbol? member)
        => member switch
        {
            IFieldSymbol field => !field.IsConst && field.AssociatedSymbol is null,
            IPropertySymbol property => property.IsAutoProperty(),
            _ => false,
        };

    /// <summary>An auto-property is one whose backing field the compiler generated.</summary>
    public static bool IsAutoProperty(this IPropertySymbol property)
    {
        if (property.IsIndexer || property.IsAbstract || property.IsExtern)
        {
            return false;
        }

        foreach (var member in property.ContainingType.GetMembers())
        {
            if (member is IFieldSymbol { IsImplicitlyDeclared: true } field
                && SymbolEqualityComparer.Default.Equals(field.AssociatedSymbol, property))
            {
                return true;
            }
        }

        return false;
    }
}
