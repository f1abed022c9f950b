using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Governance.Cli.Scanning;

/// <summary>
/// How well a source-mode compilation binds: the files that use a core type the rules look for (<c>Task</c>,
/// <c>Timer</c>, <c>Channel</c>, <c>List&lt;T&gt;</c>…) by its simple name where that name does not resolve. Such a file
/// compiles as error types, and every rule is blind in it.
/// </summary>
/// <remarks>
/// Perf: a name lookup at one position per type and name, never a bound method body; each file is checked once per
/// name, at the first place that uses it (a file's usings are the same everywhere in it, nested namespaces aside).
/// </remarks>
internal static class BindingCheck
{
    /// <summary>The names checked, each resolved with any arity (<c>Task</c> and <c>Task&lt;T&gt;</c> alike).</summary>
    internal static readonly string[] CoreTypeNames = ["Task", "ValueTask", "Timer", "PeriodicTimer", "Channel", "List", "CancellationToken", "CancellationTokenSource"];

    private static readonly HashSet<string> s_names = new(CoreTypeNames, StringComparer.Ordinal);

    /// <summary>Per file of <paramref name="trees"/> that uses a core name: the names that do not resolve there (empty when all do).</summary>
    internal static List<(SyntaxTree Tree, List<string> Unresolved)> Run(Compilation compilation, IEnumerable<SyntaxTree> trees, CancellationToken cancellationToken)
    {
        var result = new List<(SyntaxTree, List<string>)>();
        foreach (var tree in trees)
        {
            var uses = FirstUses(tree.GetRoot(cancellationToken));
            if (uses.Count == 0)
            {
                continue;
            }

            var model = compilation.GetSemanticModel(tree);
            var unresolved = new List<string>();
            var usesAType = false;
            foreach (var (name, node) in uses)
            {
                var position = LookupPosition(node);
                if (model.LookupNamespacesAndTypes(position, name: name).Any(s => s is INamedTypeSymbol))
                {
                    usesAType = true;
                }
                else if (!model.LookupSymbols(position, name: name).Any())
                {
                    // Not a property or field of that name in scope (a Channel property, say, is what the name means there).
                    usesAType = true;
                    unresolved.Add(name);
                }
            }

            if (!usesAType)
            {
                continue;
            }

            result.Add((tree, unresolved));
        }

        return result;
    }

    /// <summary>The first use of each core name in the file where it stands as a type or the start of a member access (not after a dot).</summary>
    private static Dictionary<string, SyntaxNode> FirstUses(SyntaxNode root)
    {
        var uses = new Dictionary<string, SyntaxNode>(StringComparer.Ordinal);
        foreach (var token in root.DescendantTokens())
        {
            if (token.IsKind(SyntaxKind.IdentifierToken) && s_names.Contains(token.ValueText) && !uses.ContainsKey(token.ValueText) &&
                token.Parent is SimpleNameSyntax name && IsUnqualified(name) && name.Parent is not UsingDirectiveSyntax)
            {
                uses.Add(token.ValueText, name);
            }
        }

        return uses;
    }

    private static bool IsUnqualified(SimpleNameSyntax name) => name.Parent switch
    {
        QualifiedNameSyntax q => q.Left == name,
        MemberAccessExpressionSyntax m => m.Expression == name,
        AliasQualifiedNameSyntax => false,
        MemberBindingExpressionSyntax => false,
        NameColonSyntax or NameEqualsSyntax => false,
        _ => true,
    };

    /// <summary>Inside the outermost type around the use (its members in scope), or the use itself for top-level statements.</summary>
    private static int LookupPosition(SyntaxNode node) =>
        node.Ancestors().OfType<BaseTypeDeclarationSyntax>().LastOrDefault() is { OpenBraceToken.IsMissing: false } type
            ? type.OpenBraceToken.Span.End
            : node.SpanStart;
}
