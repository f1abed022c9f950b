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

/// <summary>
/// GOV1001: a <c>foreach</c> whose body is one discarded spawn becomes <c>Parallel.ForEachAsync</c> with a bound (see
/// <see cref="ParallelForEachAsyncBuilder"/>). The loop then waits for the work, and a failure that nobody observed
/// before now stops the loop and is thrown: the title says so.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UnboundedSpawnInLoopCodeFix)), Shared]
public sealed class UnboundedSpawnInLoopCodeFix : CodeFixProvider
{
    private const string EquivalenceKey = "GOV1001.ParallelForEachAsync";
    private const string TaskGroupKey = "GOV1001.TaskGroup";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.UnboundedSpawnInLoop);

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
            if (Rewrite(model, node, context.CancellationToken) is not null)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(
                        "Bound with Parallel.ForEachAsync (the loop then waits for the work, and stops and throws at its first failure)",
                        ct => FixAsync(context.Document, diagnostic, ct),
                        EquivalenceKey),
                    diagnostic);
            }

            if (TaskGroupRewriter.Rewrite(model, node, context.CancellationToken) is not null)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(
                        "Run the work in a Governance TaskGroup with a limit (the method then waits for it, and throws its first failure)",
                        ct => FixWithTaskGroupAsync(context.Document, diagnostic, ct),
                        TaskGroupKey),
                    diagnostic);
            }
        }
    }

    private static async Task<Document> FixAsync(Document document, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        var node = root!.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
        if (Rewrite(model!, node, cancellationToken) is not { } rewrite)
        {
            return document;
        }

        var changed = document.WithSyntaxRoot(root.ReplaceNode(rewrite.Loop, rewrite.Replacement));
        return await ParallelForEachAsyncBuilder.AddImportsAsync(changed, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<Document> FixWithTaskGroupAsync(Document document, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        var node = root!.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
        if (TaskGroupRewriter.Rewrite(model!, node, cancellationToken) is not { } rewrite)
        {
            return document;
        }

        var newRoot = rewrite.Replacement.Count == 1 ? root.ReplaceNode(rewrite.Loop, rewrite.Replacement[0]) : root.ReplaceNode(rewrite.Loop, rewrite.Replacement);
        var changed = document.WithSyntaxRoot(newRoot);
        return await ParallelForEachAsyncBuilder.AddImportsAsync(changed, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The loop to replace and its replacement, or null when the shape is not one the fix rewrites.</summary>
    private static (ForEachStatementSyntax Loop, StatementSyntax Replacement)? Rewrite(SemanticModel model, SyntaxNode node, CancellationToken cancellationToken)
    {
        if (node.FirstAncestorOrSelf<InvocationExpressionSyntax>() is not { } spawn
            || spawn.FirstAncestorOrSelf<ExpressionStatementSyntax>() is not { } statement
            || !IsDiscarded(statement, spawn)
            || GetLoop(statement) is not { } loop
            || !loop.AwaitKeyword.IsKind(SyntaxKind.None)
            || !ParallelForEachAsyncBuilder.IsAvailable(model)
            || !ParallelForEachAsyncBuilder.IsInAsyncContext(loop)
            || !ParallelForEachAsyncBuilder.IsPlainIterationVariable(model, loop, cancellationToken))
        {
            return null;
        }

        if (SpawnBodyConverter.Convert(model, spawn, cancellationToken) is not { } work)
        {
            return null;
        }

        // The await is new: it follows the awaits around it (ConfigureAwait(false) where they use it).
        var replacement = ParallelForEachAsyncBuilder.Build(model, loop, loop.Expression, loop.Identifier.ValueText, work, AwaitConvention.Suffix(loop, loop), cancellationToken)
            .WithTriviaFrom(loop);
        return (loop, replacement);
    }

    private static bool IsDiscarded(ExpressionStatementSyntax statement, InvocationExpressionSyntax spawn)
        => statement.Expression == spawn
            || statement.Expression is AssignmentExpressionSyntax { Left: IdentifierNameSyntax { Identifier.ValueText: "_" } } discard && discard.Right == spawn;

    /// <summary>The <c>foreach</c> whose whole body is <paramref name="statement"/>.</summary>
    private static ForEachStatementSyntax? GetLoop(ExpressionStatementSyntax statement)
        => statement.Parent switch
        {
            ForEachStatementSyntax loop => loop,
            BlockSyntax { Statements.Count: 1, Parent: ForEachStatementSyntax loop } => loop,
            _ => null,
        };
}
