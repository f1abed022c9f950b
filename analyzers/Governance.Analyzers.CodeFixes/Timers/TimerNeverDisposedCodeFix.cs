using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Governance.Analyzers.Editing;
using Governance.Analyzers.Operations;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Operations;

namespace Governance.Analyzers.Timers;

/// <summary>
/// GOV2001: a local becomes <c>using var</c>; a member is disposed in the type's disposal method (added when
/// missing); a re-assigned member disposes the timer it held first.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(TimerNeverDisposedCodeFix)), Shared]
public sealed class TimerNeverDisposedCodeFix : CodeFixProvider
{
    private const string UsingKey = "GOV2001.UsingVar";
    private const string DisposeInTypeKey = "GOV2001.DisposeInType";
    private const string DisposePreviousKey = "GOV2001.DisposePrevious";

    private static readonly SequentialFixAllProvider s_fixAll = new(FixAsync, (diagnostic, key) => GetEquivalenceKey(diagnostic) == key);

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.TimerNeverDisposed);

    public override FixAllProvider GetFixAllProvider() => s_fixAll;

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
            var key = GetEquivalenceKey(diagnostic);
            var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            var disposable = key == DisposeInTypeKey && FindMember(model, node, context.CancellationToken) is { } owned
                && await DisposalEditor.CanAddDisposalAsync(context.Document.Project.Solution, owned.ContainingType, owned, context.CancellationToken).ConfigureAwait(false);
            string? title = key switch
            {
                UsingKey when FindUsingCandidate(node) is not null => "Dispose the timer with 'using var'",
                DisposeInTypeKey when disposable && FindMember(model, node, context.CancellationToken) is { } member
                    => $"Dispose '{member.Name}' when '{member.ContainingType.Name}' is disposed",
                DisposePreviousKey when FindMember(model, node, context.CancellationToken) is { } member && CanDisposePrevious(node)
                    => $"Dispose the timer '{member.Name}' held before replacing it",
                _ => null,
            };
            if (title is not null)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(title, ct => s_fixAll.FixOneAsync(context.Document, diagnostic, ct), key),
                    diagnostic);
            }
        }
    }

    private static string? GetEquivalenceKey(Diagnostic diagnostic)
    {
        diagnostic.Properties.TryGetValue(TimerNeverDisposedAnalyzer.KindProperty, out var kind);
        diagnostic.Properties.TryGetValue(TimerNeverDisposedAnalyzer.CanUseUsingProperty, out var canUseUsing);
        return kind switch
        {
            TimerNeverDisposedAnalyzer.LocalKind when canUseUsing == "true" => UsingKey,
            TimerNeverDisposedAnalyzer.MemberKind => DisposeInTypeKey,
            TimerNeverDisposedAnalyzer.ReassignedKind => DisposePreviousKey,
            _ => null,
        };
    }

    private static async Task<Solution> FixAsync(Solution solution, DocumentId documentId, SyntaxAnnotation mark, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var context = await FixContext.CreateAsync(solution, documentId, mark, cancellationToken).ConfigureAwait(false);
        if (context is null)
        {
            return solution;
        }

        switch (GetEquivalenceKey(diagnostic))
        {
            case UsingKey when FindUsingCandidate(context.Node) is { } declaration:
                return solution.WithDocumentSyntaxRoot(documentId, context.Root.ReplaceNode(declaration, AddUsing(declaration)));
            case DisposeInTypeKey when FindMember(context.Model, context.Node, cancellationToken) is { } member:
                // Fix All reaches here for every member report: a type whose new Dispose nobody would call is left alone.
                return await DisposalEditor.CanAddDisposalAsync(solution, member.ContainingType, member, cancellationToken).ConfigureAwait(false)
                    ? await DisposalEditor.AddDisposalAsync(solution, member.ContainingType, member, cancellationToken).ConfigureAwait(false)
                    : solution;
            case DisposePreviousKey when FindMember(context.Model, context.Node, cancellationToken) is { } member
                && CanDisposePrevious(context.Node)
                && context.Node.FirstAncestorOrSelf<ExpressionStatementSyntax>() is { Parent: BlockSyntax block } statement:
                var dispose = SyntaxFactory.ParseStatement($"{member.Name}?.Dispose();")
                    .WithLeadingTrivia(statement.GetLeadingTrivia())
                    .WithTrailingTrivia(statement.GetElasticNewLine())
                    .WithAdditionalAnnotations(Formatter.Annotation);
                var newBlock = block.WithStatements(block.Statements.Insert(block.Statements.IndexOf(statement), dispose));
                return solution.WithDocumentSyntaxRoot(documentId, context.Root.ReplaceNode(block, newBlock));
            default:
                return solution;
        }
    }

    /// <summary>
    /// The re-assignment is a statement of a block, outside a loop: in a loop, disposing the previous timer would
    /// leave only the last one running, where the code started one per turn (each with its own state).
    /// </summary>
    private static bool CanDisposePrevious(SyntaxNode node)
    {
        if (node.FirstAncestorOrSelf<ExpressionStatementSyntax>() is not { Parent: BlockSyntax } statement)
        {
            return false;
        }

        foreach (var ancestor in statement.Ancestors())
        {
            switch (ancestor)
            {
                case CommonForEachStatementSyntax or ForStatementSyntax or WhileStatementSyntax or DoStatementSyntax:
                    return false;
                case AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or MemberDeclarationSyntax:
                    return true;
            }
        }

        return true;
    }

    /// <summary>
    /// A single-variable declaration directly in a block (<c>using var</c> is not allowed in a switch section), in
    /// C# 8 or later.
    /// </summary>
    private static LocalDeclarationStatementSyntax? FindUsingCandidate(SyntaxNode node)
        => node.SyntaxTree.Options is CSharpParseOptions { LanguageVersion: >= LanguageVersion.CSharp8 }
            && node.FirstAncestorOrSelf<LocalDeclarationStatementSyntax>() is { Parent: BlockSyntax, Declaration.Variables.Count: 1, UsingKeyword.RawKind: 0, IsConst: false } declaration
                ? declaration
                : null;

    private static LocalDeclarationStatementSyntax AddUsing(LocalDeclarationStatementSyntax declaration)
    {
        var first = declaration.GetFirstToken();
        var usingKeyword = SyntaxFactory.Token(SyntaxKind.UsingKeyword)
            .WithLeadingTrivia(first.LeadingTrivia)
            .WithTrailingTrivia(SyntaxFactory.Space);
        return declaration
            .ReplaceToken(first, first.WithLeadingTrivia(SyntaxFactory.TriviaList()))
            .WithUsingKeyword(usingKeyword);
    }

    /// <summary>The field or property the timer created at <paramref name="node"/> is stored into.</summary>
    private static ISymbol? FindMember(SemanticModel model, SyntaxNode node, CancellationToken cancellationToken)
    {
        var creation = model.GetOperation(node, cancellationToken);
        var consumer = creation?.GetConsumer(out _);
        return consumer switch
        {
            IFieldInitializerOperation { InitializedFields.Length: 1 } initializer => initializer.InitializedFields[0],
            IPropertyInitializerOperation { InitializedProperties.Length: 1 } initializer => initializer.InitializedProperties[0],
            IAssignmentOperation { Target: IMemberReferenceOperation target } => target.Member,
            _ => null,
        };
    }
}
