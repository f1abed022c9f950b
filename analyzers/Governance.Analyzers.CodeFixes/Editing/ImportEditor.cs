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
    /// every using it would add is imported globally, the document keeps its usings as they are, unless the file lists
    /// System namespaces itself: then it does not rely on implicit usings (or they are a guess of a folder scan, which
    /// assumes them for a project that does not say), and gets the usings its new code needs.
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
        var kept = added.All(globals.Contains) && !ListsSystemUsings(before) ? before : after;
        return changed.WithSyntaxRoot(kept.ReplaceNodes(
            kept.GetAnnotatedNodes(Simplifier.AddImportsAnnotation),
            (_, rewritten) => rewritten.WithoutAnnotations(Simplifier.AddImportsAnnotation)));
    }

    /// <summary>
    /// Whether the file already calls an extension method declared in <paramref name="namespaceName"/> (a <c>Select</c>
    /// of System.Linq): then its usings, in the file or global, import the namespace in the real build, and a fix that
    /// calls another one needs no using. Ask the document before the fix, whose code the real build compiled.
    /// </summary>
    public static bool CallsExtensionFrom(SemanticModel model, string namespaceName, CancellationToken cancellationToken)
    {
        foreach (var invocation in model.SyntaxTree.GetRoot(cancellationToken).DescendantNodes().OfType<InvocationExpressionSyntax>())
        {
            if (invocation.Expression is MemberAccessExpressionSyntax
                && model.GetSymbolInfo(invocation, cancellationToken).Symbol is IMethodSymbol { IsExtensionMethod: true } method
                && method.ContainingNamespace?.ToDisplayString() == namespaceName)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Adds <c>using <paramref name="namespaceName"/>;</c> where the file and the project's global usings lack it, for
    /// an extension method the fix calls (<c>Select</c>), which the import adder cannot add: it only imports names it
    /// can bind. The directive goes among the file's usings in order (or first in a file without any).
    /// </summary>
    public static async Task<Document> EnsureUsingAsync(Document document, string namespaceName, CancellationToken cancellationToken)
    {
        if (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false) is not CompilationUnitSyntax root
            || Usings(root).Contains(namespaceName)
            || (!ListsSystemUsings(root) && (await GlobalUsingsAsync(document.Project, cancellationToken).ConfigureAwait(false)).Contains(namespaceName)))
        {
            return document;
        }

        // The usings live in the compilation unit, or in the first namespace when the file puts them there.
        var holder = root.Usings.Count == 0 && root.Members.FirstOrDefault() is BaseNamespaceDeclarationSyntax { Usings.Count: > 0 } ns ? (SyntaxNode)ns : root;
        var usings = holder is BaseNamespaceDeclarationSyntax namespaceDeclaration ? namespaceDeclaration.Usings : root.Usings;
        var newLine = root.GetNewLine();
        var directive = SyntaxFactory.UsingDirective(SyntaxFactory.ParseName(namespaceName).WithLeadingTrivia(SyntaxFactory.Space))
            .WithTrailingTrivia(SyntaxFactory.EndOfLine(newLine));
        var plain = usings.Where(u => u.Alias is null && !u.StaticKeyword.IsKind(SyntaxKind.StaticKeyword) && u.Name is not null).Select(u => Normalize(u.Name!)).ToList();
        var systemFirst = plain.Count == 0 || IsSystem(plain[0]) || !plain.Any(IsSystem);
        var index = 0;
        while (index < usings.Count
            && (usings[index].GlobalKeyword.IsKind(SyntaxKind.GlobalKeyword) || usings[index].Alias is not null || usings[index].StaticKeyword.IsKind(SyntaxKind.StaticKeyword)
                || ComesBefore(Normalize(usings[index].Name!), namespaceName, systemFirst)))
        {
            index++;
        }

        if (index < usings.Count && (usings[index].Alias is not null || usings[index].StaticKeyword.IsKind(SyntaxKind.StaticKeyword)))
        {
            // After the plain usings, before aliases and static usings.
            index = usings.TakeWhile(u => u.Alias is null && !u.StaticKeyword.IsKind(SyntaxKind.StaticKeyword)).Count();
        }

        if (usings.Count > 0)
        {
            var indentation = usings[0].GetLeadingTrivia().Where(t => t.IsKind(SyntaxKind.WhitespaceTrivia));
            directive = directive.WithLeadingTrivia(indentation);
            if (index == 0)
            {
                // The first using carries the file's header comments: they stay first.
                var first = usings[0];
                directive = directive.WithLeadingTrivia(first.GetLeadingTrivia());
                usings = usings.Replace(first, first.WithLeadingTrivia(indentation));
            }
        }
        else
        {
            directive = directive.WithTrailingTrivia(SyntaxFactory.EndOfLine(newLine), SyntaxFactory.EndOfLine(newLine));
        }

        usings = usings.Insert(index, directive);
        var changed = holder is BaseNamespaceDeclarationSyntax holderNamespace
            ? root.ReplaceNode(holderNamespace, holderNamespace.WithUsings(usings))
            : root.WithUsings(usings);
        return document.WithSyntaxRoot(changed);
    }

    // System namespaces first where the file sorts them so (the IDE's default), then alphabetical order.
    private static bool ComesBefore(string existing, string added, bool systemFirst)
    {
        if (systemFirst && IsSystem(existing) != IsSystem(added))
        {
            return IsSystem(existing);
        }

        return string.Compare(existing, added, System.StringComparison.OrdinalIgnoreCase) < 0;
    }

    private static bool IsSystem(string name) => name == "System" || name.StartsWith("System.", System.StringComparison.Ordinal);

    /// <summary>Whether the file imports System namespaces itself (<c>using System;</c>, <c>using System.Threading.Tasks;</c>).</summary>
    private static bool ListsSystemUsings(SyntaxNode root)
        => Usings(root).Any(u => u == "System" || u.StartsWith("System.", System.StringComparison.Ordinal));

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
