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
/// GOV1001: a <c>foreach</c> whose body is one discarded spawn gets a bound, and the method then waits for the work,
/// which the titles say. By default every spawn still runs, each waiting for a <c>SemaphoreSlim</c> slot, and all are
/// awaited together (see <see cref="GatedWhenAllBuilder"/>); the second action is <c>Parallel.ForEachAsync</c> (see
/// <see cref="ParallelForEachAsyncBuilder"/>), which stops at the first failure; where Governance is referenced, a third
/// runs the loop in a <c>TaskGroup</c>.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UnboundedSpawnInLoopCodeFix)), Shared]
public sealed class UnboundedSpawnInLoopCodeFix : CodeFixProvider
{
    private const string GateKey = "GOV1001.SemaphoreSlim";
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
            if (Rewrite(model, node, FanOutFix.Gate, context.CancellationToken) is not null)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(
                        "Bound with a SemaphoreSlim and wait for the work (every item still runs; the method then waits for them and throws a failure)",
                        ct => FixAsync(context.Document, diagnostic, FanOutFix.Gate, ct),
                        GateKey),
                    diagnostic);
            }

            if (Rewrite(model, node, FanOutFix.ForEach, context.CancellationToken) is not null)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(
                        "Bound with Parallel.ForEachAsync (the loop then waits for the work, and stops and throws at its first failure)",
                        ct => FixAsync(context.Document, diagnostic, FanOutFix.ForEach, ct),
                        EquivalenceKey),
                    diagnostic);
            }

            if (TaskGroupRewriter.Rewrite(model, node, context.CancellationToken) is not null)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(
                        "Run the work in a Governance TaskGroup with a limit (the method then waits for it, and stops and throws at its first failure)",
                        ct => FixWithTaskGroupAsync(context.Document, diagnostic, ct),
                        TaskGroupKey),
                    diagnostic);
            }
        }
    }

    private static async Task<Document> FixAsync(Document document, Diagnostic diagnostic, FanOutFix kind, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        var node = root!.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
        if (Rewrite(model!, node, kind, cancellationToken) is not { } rewrite)
        {
            return document;
        }

        var changed = document.WithSyntaxRoot(root.ReplaceNode(rewrite.Loop, rewrite.Replacement));
        changed = await ParallelForEachAsyncBuilder.AddImportsAsync(changed, cancellationToken).ConfigureAwait(false);

        // The gate's Task.WhenAll(source.Select(...)) calls a System.Linq extension method; a file that calls one
        // already imports System.Linq, in its own usings or globally.
        return kind == FanOutFix.Gate && !Editing.ImportEditor.CallsExtensionFrom(model!, "System.Linq", cancellationToken)
            ? await Editing.ImportEditor.EnsureUsingAsync(changed, "System.Linq", cancellationToken).ConfigureAwait(false)
            : changed;
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
    private static (ForEachStatementSyntax Loop, StatementSyntax Replacement)? Rewrite(SemanticModel model, SyntaxNode node, FanOutFix kind, CancellationToken cancellationToken)
    {
        if (node.FirstAncestorOrSelf<InvocationExpressionSyntax>() is not { } spawn
            || spawn.FirstAncestorOrSelf<ExpressionStatementSyntax>() is not { } statement
            || !IsDiscarded(statement, spawn)
            || GetLoop(statement) is not { } loop
            || !loop.AwaitKeyword.IsKind(SyntaxKind.None)
            || (kind == FanOutFix.ForEach && !ParallelForEachAsyncBuilder.IsAvailable(model))
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
        StatementSyntax replacement;
        if (kind == FanOutFix.Gate)
        {
            // Every spawn still starts, each after a slot is free, and is awaited as written (Task.Run(...) or the call).
            if (WorkItem.FromExpression(model, spawn, spawn, cancellationToken) is not { } spawned)
            {
                return null;
            }

            var whenAll = SyntaxFactory.ParseExpression("global::System.Threading.Tasks.Task.WhenAll");
            replacement = GatedWhenAllBuilder.Build(model, loop, whenAll, loop.Expression, loop.Identifier.ValueText, spawned, AwaitConvention.Suffix(loop, loop));
        }
        else
        {
            replacement = ParallelForEachAsyncBuilder.Build(model, loop, loop.Expression, loop.Identifier.ValueText, work, AwaitConvention.Suffix(loop, loop), cancellationToken);
        }

        replacement = replacement.WithTriviaFrom(loop);
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
