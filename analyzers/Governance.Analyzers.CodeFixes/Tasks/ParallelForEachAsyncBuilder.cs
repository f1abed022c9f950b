using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Governance.Analyzers.Editing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;

namespace Governance.Analyzers.Tasks;

/// <summary>
/// Builds, for the GOV1001 and GOV1002 fixes,
/// <code>
/// await Parallel.ForEachAsync(
///     source,
///     new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
///     (item, _) =&gt; WorkAsync(item, cancellationToken)).ConfigureAwait(false);
/// </code>
/// laid out across lines as the file indents. The work keeps the token it was given (see <see cref="WorkItem"/>); the
/// loop gets a token only where the spawn had one that kept it from starting (<c>Task.Run(work, token)</c>).
/// </summary>
internal static class ParallelForEachAsyncBuilder
{
    /// <summary>
    /// Where the work runs concurrently, one slot per core is a safe start; I/O-bound work usually wants more, which
    /// the author tunes. The documentation of both rules says so.
    /// </summary>
    private const string DefaultParallelism = "global::System.Environment.ProcessorCount";

    /// <param name="anchor">The first statement replaced: where the new one starts, and its indentation.</param>
    /// <param name="source">The collection, in the original tree.</param>
    /// <param name="itemName">The loop variable or lambda parameter; for a method group, null (a free name is chosen).</param>
    /// <param name="awaitSuffix">Text after the call inside the await, such as <c>.ConfigureAwait(false)</c>.</param>
    public static StatementSyntax Build(SemanticModel model, StatementSyntax anchor, ExpressionSyntax source, string? itemName, WorkItem work, string awaitSuffix, CancellationToken cancellationToken)
    {
        var newLine = anchor.GetNewLine();
        var indentation = Layout.LineIndentation(anchor.GetFirstToken());
        var unit = Layout.IndentUnit(anchor);
        var argument = indentation + unit;

        var item = itemName ?? ChooseItemName(model, anchor.SpanStart);
        var tokenName = work.ChooseTokenName(model, anchor.SpanStart, item);
        var lambda = work.Render($"({item}, {tokenName})", item, returnsValueTask: true, argument, unit, newLine, AwaitConvention.Suffix(anchor, work.Region));

        var options = work.StartToken is null
            ? $"new global::System.Threading.Tasks.ParallelOptions {{ MaxDegreeOfParallelism = {DefaultParallelism} }}"
            : $"new global::System.Threading.Tasks.ParallelOptions{newLine}{argument}{{{newLine}"
                + $"{argument}{unit}MaxDegreeOfParallelism = {DefaultParallelism},{newLine}"
                + $"{argument}{unit}CancellationToken = {work.StartToken.WithoutTrivia()}{newLine}{argument}}}";
        var text = $"await global::System.Threading.Tasks.Parallel.ForEachAsync({newLine}"
            + $"{argument}{Layout.Reindent(source, argument, newLine)},{newLine}"
            + $"{argument}{options},{newLine}"
            + $"{argument}{lambda}){awaitSuffix};";
        return AnnotateForCleanup(SyntaxFactory.ParseStatement(text));
    }

    /// <summary>
    /// Marks <c>global::</c>-qualified names for simplification (and the usings they need), which the code action's
    /// clean-up then applies.
    /// </summary>
    public static StatementSyntax AnnotateForCleanup(StatementSyntax statement)
        => statement.ReplaceNodes(
            statement.DescendantNodes().OfType<QualifiedNameSyntax>().Where(n => n.Parent is not QualifiedNameSyntax)
                .Concat<SyntaxNode>(statement.DescendantNodes().OfType<MemberAccessExpressionSyntax>().Where(IsGlobalQualified)),
            (_, rewritten) => rewritten.WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation));

    /// <summary>Adds the usings the generated names need; the code action's clean-up then shortens them.</summary>
    public static Task<Document> AddImportsAsync(Document document, CancellationToken cancellationToken)
        => ImportEditor.AddImportsAsync(document, cancellationToken);

    /// <summary>
    /// Whether the target framework has <c>Parallel.ForEachAsync</c> (.NET 6 and later) and the language has the
    /// shapes the fix writes (C# 8).
    /// </summary>
    public static bool IsAvailable(SemanticModel model)
        => model.Compilation.GetTypeByMetadataName("System.Threading.Tasks.Parallel")?.GetMembers("ForEachAsync").Length > 0
            && model.SyntaxTree.Options is CSharpParseOptions { LanguageVersion: >= LanguageVersion.CSharp8 };

    /// <summary>Whether the function containing <paramref name="node"/> may use <c>await</c> there (not inside a <c>lock</c>).</summary>
    public static bool IsInAsyncContext(SyntaxNode node)
    {
        foreach (var ancestor in node.Ancestors())
        {
            switch (ancestor)
            {
                case LockStatementSyntax:
                    return false;
                case AnonymousFunctionExpressionSyntax lambda:
                    return lambda.AsyncKeyword.IsKind(SyntaxKind.AsyncKeyword);
                case LocalFunctionStatementSyntax local:
                    return local.Modifiers.Any(SyntaxKind.AsyncKeyword);
                case MethodDeclarationSyntax method:
                    return method.Modifiers.Any(SyntaxKind.AsyncKeyword);
                case GlobalStatementSyntax:
                    return true;
                case MemberDeclarationSyntax:
                    return false;
            }
        }

        return false;
    }

    // The lambda's item parameter takes the collection's element type; an explicit, different type, or a
    // non-generic collection, would not compile.
    public static bool IsPlainIterationVariable(SemanticModel model, ForEachStatementSyntax loop, CancellationToken cancellationToken)
    {
        var info = model.GetForEachStatementInfo(loop);
        var local = model.GetDeclaredSymbol(loop, cancellationToken);
        var collection = model.GetTypeInfo(loop.Expression, cancellationToken).Type;
        var isGeneric = collection is IArrayTypeSymbol
            || (collection is INamedTypeSymbol named
                && (named.OriginalDefinition.SpecialType == SpecialType.System_Collections_Generic_IEnumerable_T
                    || named.AllInterfaces.Any(i => i.OriginalDefinition.SpecialType == SpecialType.System_Collections_Generic_IEnumerable_T)));
        return isGeneric && info.ElementType is not null && local is not null && SymbolEqualityComparer.Default.Equals(info.ElementType, local.Type);
    }

    public static string ChooseItemName(SemanticModel model, int position)
    {
        foreach (var name in new[] { "item", "element", "value" })
        {
            if (model.LookupSymbols(position, name: name).IsEmpty)
            {
                return name;
            }
        }

        return "item2";
    }

    private static bool IsGlobalQualified(MemberAccessExpressionSyntax access)
        => access.Parent is not MemberAccessExpressionSyntax
            && access.DescendantNodesAndSelf().OfType<AliasQualifiedNameSyntax>().Any();
}
