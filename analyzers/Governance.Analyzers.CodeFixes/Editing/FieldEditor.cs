using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Governance.Analyzers.Editing;

/// <summary>Names and places a new field the way the type's existing fields are named and placed.</summary>
internal static class FieldEditor
{
    /// <summary>
    /// A name for a new private static field, after the type's own private static fields (<c>s_name</c>, <c>_name</c>,
    /// <c>name</c>, or <c>PascalName</c> prefixed with <paramref name="pascalPrefix"/>); <c>s_name</c> when it has none.
    /// </summary>
    public static string StaticFieldName(INamedTypeSymbol type, string camelName, string pascalPrefix)
    {
        var statics = type.GetMembers().OfType<IFieldSymbol>()
            .Where(f => f.IsStatic && !f.IsConst && !f.IsImplicitlyDeclared && f.DeclaredAccessibility == Accessibility.Private)
            .Select(f => f.Name)
            .ToList();
        string name;
        if (statics.Count == 0 || statics.Any(n => n.StartsWith("s_", System.StringComparison.Ordinal)))
        {
            name = "s_" + camelName;
        }
        else if (statics.Any(n => n.StartsWith("_", System.StringComparison.Ordinal)))
        {
            name = "_" + camelName;
        }
        else if (statics.Any(n => char.IsUpper(n[0])))
        {
            name = pascalPrefix + char.ToUpperInvariant(camelName[0]) + camelName.Substring(1);
        }
        else
        {
            name = camelName;
        }

        return Unique(type, name);
    }

    /// <summary>
    /// A name for a new private instance field, after the type's own private instance fields (<c>_name</c>,
    /// <c>m_name</c>, <c>name</c>); <c>_name</c> when it has none.
    /// </summary>
    public static string InstanceFieldName(INamedTypeSymbol type, string camelName)
    {
        var fields = type.GetMembers().OfType<IFieldSymbol>()
            .Where(f => !f.IsStatic && !f.IsConst && !f.IsImplicitlyDeclared && f.DeclaredAccessibility == Accessibility.Private)
            .Select(f => f.Name)
            .ToList();
        var name = fields.Count == 0 || fields.Any(n => n.StartsWith("_", System.StringComparison.Ordinal))
            ? "_" + camelName
            : fields.Any(n => n.StartsWith("m_", System.StringComparison.Ordinal)) ? "m_" + camelName : camelName;
        return Unique(type, name);
    }

    /// <summary><paramref name="name"/>, or <paramref name="name"/> with the first free number appended.</summary>
    public static string Unique(INamedTypeSymbol type, string name)
    {
        var candidate = name;
        for (var suffix = 2; IsTaken(type, candidate); suffix++)
        {
            candidate = name + suffix.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return candidate;
    }

    private static bool IsTaken(INamedTypeSymbol type, string name)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (current.GetMembers(name).Length > 0 || current.TypeParameters.Any(t => t.Name == name))
            {
                return true;
            }
        }

        return type.Name == name;
    }

    /// <summary>
    /// Inserts <paramref name="field"/> after the last field of <paramref name="declaration"/> or, with
    /// <paramref name="first"/>, before the first one (a static field that other static initializers read must come
    /// first: static fields are initialized in the order they are written).
    /// </summary>
    public static TypeDeclarationSyntax Insert(TypeDeclarationSyntax declaration, MemberDeclarationSyntax field, bool first = false)
    {
        var fields = declaration.Members.Where(m => m is FieldDeclarationSyntax).ToList();
        int index;
        if (fields.Count == 0)
        {
            index = 0;
            if (declaration.Members.Count > 0)
            {
                // A blank line between the new field and the members that follow it.
                field = field.WithTrailingTrivia(field.GetTrailingTrivia().Add(declaration.GetElasticNewLine()));
            }
        }
        else
        {
            index = first ? declaration.Members.IndexOf(fields[0]) : declaration.Members.IndexOf(fields[fields.Count - 1]) + 1;
        }

        return declaration.WithMembers(declaration.Members.Insert(index, field));
    }
}
