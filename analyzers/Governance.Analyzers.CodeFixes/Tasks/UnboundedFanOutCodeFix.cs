using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Governance.Analyzers.Editing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Governance.Analyzers.Tasks;

/// <summary>Which of the GOV1002 fixes to write.</summary>
internal enum FanOutFix
{
    Gate,
    ForEach,
}

/// <summary>
/// GOV1002: <c>await Task.WhenAll(source.Select(x =&gt; WorkAsync(x)));</c> (or a list filled by a loop) gets a bound.
/// Two actions: by default the same <c>Task.WhenAll</c> with each item waiting for a <c>SemaphoreSlim</c> slot, which
/// keeps what <c>WhenAll</c> does (every item runs, every failure is reported; see <see cref="GatedWhenAllBuilder"/>);
/// and <c>Parallel.ForEachAsync</c> (see <see cref="ParallelForEachAsyncBuilder"/>), shorter, which stops at the first
/// failure, as its title says. Only the form without results: <c>WhenAll&lt;T&gt;</c> returns an array.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UnboundedFanOutCodeFix)), Shared]
public sealed class UnboundedFanOutCodeFix : CodeFixProvider
{
    private const string GateKey = "GOV1002.SemaphoreSlim";
    private const string ForEachKey = "GOV1002.ParallelForEachAsync";

    /// <summary>The default: the same <c>Task.WhenAll</c>, each item waiting for a slot of a <c>SemaphoreSlim</c>.</summary>
    internal const string GateTitle = "Bound with a SemaphoreSlim (every item still runs, as with Task.WhenAll)";

    /// <summary>
    /// <c>Task.WhenAll</c> runs every item and reports every failure; <c>Parallel.ForEachAsync</c> starts no new item
    /// after the first failure: the title says so.
    /// </summary>
    internal const string ForEachTitle = "Bound with Parallel.ForEachAsync (unlike Task.WhenAll, it stops at the first failure)";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.UnboundedFanOut);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            foreach (var (kind, title, key) in new[] { (FanOutFix.Gate, GateTitle, GateKey), (FanOutFix.ForEach, ForEachTitle, ForEachKey) })
            {
                if (Rewrite(model, node, diagnostic, kind, context.CancellationToken) is not null)
                {
                    context.RegisterCodeFix(CodeAction.Create(title, ct => FixAsync(context.Document, diagnostic, kind, ct), key), diagnostic);
                }
            }
        }
    }

    private static async Task<Document> FixAsync(Document document, Diagnostic diagnostic, FanOutFix kind, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        var node = root!.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
        if (Rewrite(model!, node, diagnostic, kind, cancellationToken) is not { } rewrite)
        {
            return document;
        }

        var changed = document.WithSyntaxRoot(root.ReplaceNode(rewrite.Old, rewrite.New));
        changed = await ParallelForEachAsyncBuilder.AddImportsAsync(changed, cancellationToken).ConfigureAwait(false);

        // The gate's Task.WhenAll(source.Select(...)) calls a System.Linq extension method; a file that calls one
        // already imports System.Linq, in its own usings or globally.
        return kind == FanOutFix.Gate && !Editing.ImportEditor.CallsExtensionFrom(model!, "System.Linq", cancellationToken)
            ? await Editing.ImportEditor.EnsureUsingAsync(changed, "System.Linq", cancellationToken).ConfigureAwait(false)
            : changed;
    }

    private static (SyntaxNode Old, SyntaxNode New)? Rewrite(SemanticModel model, SyntaxNode node, Diagnostic diagnostic, FanOutFix kind, CancellationToken cancellationToken)
    {
        if (kind == FanOutFix.ForEach && !ParallelForEachAsyncBuilder.IsAvailable(model))
        {
            return null;
        }

        diagnostic.Properties.TryGetValue(UnboundedFanOutAnalyzer.ShapeProperty, out var shape);
        switch (shape)
        {
            case UnboundedFanOutAnalyzer.SelectShape:
                return RewriteSelect(model, node, kind, cancellationToken) is { } select ? (select.Statement, select.Replacement) : null;
            case UnboundedFanOutAnalyzer.LoopShape:
                return FanOutLoopRewriter.Rewrite(model, node, kind, cancellationToken) is { } loop ? (loop.Block, loop.Replacement) : null;
            default:
                return null;
        }
    }

    private static (ExpressionStatementSyntax Statement, StatementSyntax Replacement)? RewriteSelect(SemanticModel model, SyntaxNode node, FanOutFix kind, CancellationToken cancellationToken)
    {
        if (node.FirstAncestorOrSelf<InvocationExpressionSyntax>() is not { ArgumentList.Arguments.Count: 1 } whenAll
            || GetAwaitStatement(whenAll, out var awaitSuffix) is not { } statement
            || model.GetSymbolInfo(whenAll, cancellationToken).Symbol is not IMethodSymbol { Name: "WhenAll", IsGenericMethod: false }
            || StripMaterialization(whenAll.ArgumentList.Arguments[0].Expression) is not InvocationExpressionSyntax
            {
                Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Select" } select,
                ArgumentList.Arguments.Count: 1,
            } selectCall)
        {
            return null;
        }

        var selector = selectCall.ArgumentList.Arguments[0].Expression;
        string? item;
        WorkItem? work;
        switch (selector)
        {
            case SimpleLambdaExpressionSyntax lambda:
                item = lambda.Parameter.Identifier.ValueText;
                work = WorkItem.FromLambda(model, lambda, allowSync: false, cancellationToken);
                break;
            case ParenthesizedLambdaExpressionSyntax { ParameterList.Parameters.Count: 1 } lambda when lambda.ParameterList.Parameters[0].Type is null:
                item = lambda.ParameterList.Parameters[0].Identifier.ValueText;
                work = WorkItem.FromLambda(model, lambda, allowSync: false, cancellationToken);
                break;
            case IdentifierNameSyntax or MemberAccessExpressionSyntax when model.GetSymbolInfo(selector, cancellationToken).CandidateSymbols.Length == 0
                && model.GetSymbolInfo(selector, cancellationToken).Symbol is IMethodSymbol { Parameters.Length: 1 } method:
                item = null;
                work = WorkItem.FromMethodGroup(method, selector);
                break;
            default:
                return null;
        }

        if (work is null)
        {
            return null;
        }

        var replacement = kind == FanOutFix.Gate
            ? GatedWhenAllBuilder.Build(model, statement, whenAll.Expression, select.Expression, item, work, awaitSuffix)
            : ParallelForEachAsyncBuilder.Build(model, statement, select.Expression, item, work, awaitSuffix, cancellationToken);
        return (statement, kind == FanOutFix.Gate && IsEmbedded(statement) ? InBraces(statement, replacement) : replacement.WithTriviaFrom(statement));
    }

    // The statement of a braceless if, else or loop (`if (observers) await Task.WhenAll(...);`).
    private static bool IsEmbedded(StatementSyntax statement) => statement.Parent is not (BlockSyntax or SwitchSectionSyntax or GlobalStatementSyntax);

    // The gate's using block under a braceless if reads as if the if guarded only the using line: the rewrite puts it
    // in braces at the if's indentation, as a reviewer would.
    private static BlockSyntax InBraces(StatementSyntax statement, StatementSyntax replacement)
    {
        var newLine = statement.GetNewLine();
        var indentation = Layout.LineIndentation(statement.GetFirstToken());
        var outer = Layout.LineIndentation(statement.Parent!.GetFirstToken());
        var open = SyntaxFactory.Token(SyntaxKind.OpenBraceToken)
            .WithLeadingTrivia(SyntaxFactory.Whitespace(outer))
            .WithTrailingTrivia(SyntaxFactory.EndOfLine(newLine));
        var close = SyntaxFactory.Token(SyntaxKind.CloseBraceToken)
            .WithLeadingTrivia(SyntaxFactory.Whitespace(outer))
            .WithTrailingTrivia(statement.GetTrailingTrivia());
        var inner = replacement.WithLeadingTrivia(SyntaxFactory.Whitespace(indentation)).WithTrailingTrivia(SyntaxFactory.EndOfLine(newLine));
        return SyntaxFactory.Block(open, SyntaxFactory.SingletonList(inner), close);
    }

    /// <summary>
    /// The statement <c>await Task.WhenAll(...);</c>, also with <c>.ConfigureAwait(...)</c>, which the new call keeps
    /// (<paramref name="awaitSuffix"/>).
    /// </summary>
    internal static ExpressionStatementSyntax? GetAwaitStatement(InvocationExpressionSyntax whenAll, out string awaitSuffix)
    {
        awaitSuffix = string.Empty;
        switch (whenAll.Parent)
        {
            case AwaitExpressionSyntax { Parent: ExpressionStatementSyntax statement }:
                return statement;
            case MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ConfigureAwait", Parent: InvocationExpressionSyntax { Parent: AwaitExpressionSyntax { Parent: ExpressionStatementSyntax statement } } configure } access:
                awaitSuffix = "." + access.Name.WithoutTrivia() + configure.ArgumentList.WithoutTrivia();
                return statement;
            default:
                return null;
        }
    }

    private static ExpressionSyntax StripMaterialization(ExpressionSyntax expression)
    {
        while (expression is InvocationExpressionSyntax { ArgumentList.Arguments.Count: 0, Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ToArray" or "ToList" } access })
        {
            expression = access.Expression;
        }

        return expression;
    }
}
