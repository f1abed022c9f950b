using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace Governance.Analyzers.Tasks;

/// <summary>
/// Builds <c>await Parallel.ForEachAsync(source, new ParallelOptions { MaxDegreeOfParallelism = ..., CancellationToken = ... }, async (item, token) =&gt; ...);</c>
/// for the GOV1001 and GOV1002 fixes.
/// </summary>
internal static class ParallelForEachAsyncBuilder
{
    /// <summary>
    /// Where the work runs concurrently, one slot per core is a safe start; I/O-bound work usually wants more, which
    /// the author tunes. The documentation of both rules says so.
    /// </summary>
    private const string DefaultParallelism = "global::System.Environment.ProcessorCount";

    /// <summary>A <c>CancellationToken</c> parameter or local visible at <paramref name="position"/>, parameters first.</summary>
    public static string? FindTokenInScope(SemanticModel model, int position)
    {
        var token = model.Compilation.GetTypeByMetadataName("System.Threading.CancellationToken");
        var candidates = model.LookupSymbols(position)
            .Where(s => s is IParameterSymbol or ILocalSymbol && SymbolEqualityComparer.Default.Equals(GetType(s), token))
            .OrderBy(s => s is IParameterSymbol ? 0 : 1)
            .ToList();
        return candidates.FirstOrDefault()?.Name;
    }

    /// <summary>
    /// The name of the body's token parameter: the in-scope token's own name, so that the body's uses of it now see
    /// the loop's token (cancelled with the outer one, and when another item fails); otherwise a free name.
    /// </summary>
    public static string ChooseTokenParameterName(SemanticModel model, int position, string? scopeToken)
    {
        if (scopeToken is not null)
        {
            return scopeToken;
        }

        foreach (var name in new[] { "cancellationToken", "ct", "token" })
        {
            if (model.LookupSymbols(position, name: name).IsEmpty)
            {
                return name;
            }
        }

        return "cancellationToken";
    }

    /// <summary>The statement, annotated for formatting and name simplification.</summary>
    /// <param name="awaitSuffix">Text after the call inside the await, such as <c>.ConfigureAwait(false)</c>.</param>
    public static StatementSyntax Build(string source, string item, string? scopeToken, string tokenParameter, string lambdaBody, bool isAsync, string awaitSuffix = "")
    {
        var options = scopeToken is null
            ? $"new global::System.Threading.Tasks.ParallelOptions {{ MaxDegreeOfParallelism = {DefaultParallelism} }}"
            : $"new global::System.Threading.Tasks.ParallelOptions {{ MaxDegreeOfParallelism = {DefaultParallelism}, CancellationToken = {scopeToken} }}";
        var text = $"await global::System.Threading.Tasks.Parallel.ForEachAsync({source}, {options}, {(isAsync ? "async " : string.Empty)}({item}, {tokenParameter}) => {lambdaBody}){awaitSuffix};";
        return AnnotateForCleanup(SyntaxFactory.ParseStatement(text));
    }

    /// <summary>
    /// Marks <c>global::</c>-qualified names for simplification (and the usings they need) and the statement for
    /// formatting, which the code action's clean-up then applies.
    /// </summary>
    public static StatementSyntax AnnotateForCleanup(StatementSyntax statement)
    {
        var annotated = statement.ReplaceNodes(
            statement.DescendantNodes().OfType<QualifiedNameSyntax>().Where(n => n.Parent is not QualifiedNameSyntax)
                .Concat<SyntaxNode>(statement.DescendantNodes().OfType<MemberAccessExpressionSyntax>().Where(IsGlobalQualified)),
            (_, rewritten) => rewritten.WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation));
        return annotated.WithAdditionalAnnotations(Formatter.Annotation);
    }

    /// <summary>Adds the usings the generated names need; the code action's clean-up then shortens them.</summary>
    public static Task<Document> AddImportsAsync(Document document, CancellationToken cancellationToken)
        => Editing.ImportEditor.AddImportsAsync(document, cancellationToken);

    /// <summary>
    /// Whether the target framework has <c>Parallel.ForEachAsync</c> (.NET 6 and later) and the language has the
    /// lambda shapes the fix writes (C# 8: a lambda parameter may shadow the token in scope).
    /// </summary>
    public static bool IsAvailable(SemanticModel model)
        => model.Compilation.GetTypeByMetadataName("System.Threading.Tasks.Parallel")?.GetMembers("ForEachAsync").Length > 0
            && model.SyntaxTree.Options is CSharpParseOptions { LanguageVersion: >= LanguageVersion.CSharp8 };

    /// <summary>Whether the function containing <paramref name="node"/> may use <c>await</c>.</summary>
    public static bool IsInAsyncContext(SyntaxNode node)
    {
        foreach (var ancestor in node.Ancestors())
        {
            switch (ancestor)
            {
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

    private static bool IsGlobalQualified(MemberAccessExpressionSyntax access)
        => access.Parent is not MemberAccessExpressionSyntax
            && access.DescendantNodesAndSelf().OfType<AliasQualifiedNameSyntax>().Any();

    private static ITypeSymbol? GetType(ISymbol symbol)
        => symbol switch
        {
            IParameterSymbol parameter => parameter.Type,
            ILocalSymbol local => local.Type,
            _ => null,
        };
}
