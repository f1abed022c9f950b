using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Simplification;

namespace Governance.Analyzers.Editing;

/// <summary>Adds the usings that names marked with <see cref="Simplifier.AddImportsAnnotation"/> need.</summary>
internal static class ImportEditor
{
    /// <summary>
    /// Adds the usings now and removes the annotation, so that the code action's clean-up does not run the import adder
    /// again. The import adder ignores global usings (the SDK's implicit usings): a using it adds for a namespace that a
    /// global using already imports is later removed by the clean-up, leaving a blank line at the top of the file. When
    /// every using it would add is imported globally, the document keeps its usings as they are.
    /// </summary>
    public static async Task<Document> AddImportsAsync(Document document, CancellationToken cancellationToken)
    {
        var before = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var changed = await ImportAdder.AddImportsAsync(document, Simplifier.AddImportsAnnotation, cancellationToken: cancellationToken).ConfigureAwait(false);
        var after = await changed.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (before is null || after is null)
        {
            return changed;
        }

        var existing = new HashSet<string>(Usings(before));
        var added = Usings(after).Where(u => !existing.Contains(u)).ToList();
        var globals = await GlobalUsingsAsync(document.Project, cancellationToken).ConfigureAwait(false);
        var kept = added.All(globals.Contains) ? before : after;
        return changed.WithSyntaxRoot(kept.ReplaceNodes(
            kept.GetAnnotatedNodes(Simplifier.AddImportsAnnotation),
            (_, rewritten) => rewritten.WithoutAnnotations(Simplifier.AddImportsAnnotation)));
    }

    private static IEnumerable<string> Usings(SyntaxNode root)
        => root.DescendantNodes(n => n is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax).OfType<UsingDirectiveSyntax>()
            .Where(u => u.Alias is null && u.StaticKeyword.IsKind(SyntaxKind.None) && u.Name is not null)
            .Select(u => Normalize(u.Name!));

    // The SDK writes `global using global::System;`.
    private static string Normalize(NameSyntax name)
    {
        var text = name.ToString();
        return text.StartsWith("global::", System.StringComparison.Ordinal) ? text.Substring("global::".Length) : text;
    }

    private static async Task<HashSet<string>> GlobalUsingsAsync(Project project, CancellationToken cancellationToken)
    {
        var globals = new HashSet<string>();
        foreach (var document in project.Documents)
        {
            if (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false) is CompilationUnitSyntax unit)
            {
                globals.UnionWith(unit.Usings.Where(u => u.GlobalKeyword.IsKind(SyntaxKind.GlobalKeyword) && u.Alias is null && u.StaticKeyword.IsKind(SyntaxKind.None) && u.Name is not null)
                    .Select(u => Normalize(u.Name!)));
            }
        }

        return globals;
    }
}
