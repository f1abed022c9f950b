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
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Operations;

namespace Governance.Analyzers.Cancellation;

/// <summary>
/// GOV5001 and GOV5002: a local becomes <c>using var</c> (only where its token is not used after the scope ends); a
/// member is disposed in the disposal method of a type that someone disposes; a member re-assigned after it was
/// cancelled disposes the source it held first.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(CancellationSourceCodeFix)), Shared]
public sealed class CancellationSourceCodeFix : CodeFixProvider
{
    private const string UsingKey = "GOV5000.UsingVar";
    private const string DisposeInTypeKey = "GOV5000.DisposeInType";
    private const string DisposePreviousKey = "GOV5000.DisposePrevious";

    private static readonly SequentialFixAllProvider s_fixAll = new(FixAsync, (diagnostic, key) => GetEquivalenceKey(diagnostic) == key);

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.LinkedSourceNeverDisposed, DiagnosticIds.TimerSourceNeverDisposed);

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
            var what = diagnostic.Id == DiagnosticIds.LinkedSourceNeverDisposed ? "the linked source" : "the source";
            string? title = key switch
            {
                UsingKey when FindUsingCandidate(node) is not null => $"Dispose {what} with 'using var'",
                DisposeInTypeKey when FindMember(model, node, context.CancellationToken) is { Target: var member } && CanDisposeWithOwner(member)
                    => $"Dispose '{member.Name}' when '{member.ContainingType.Name}' is disposed",
                DisposePreviousKey when FindCancelledReplacement(model, node, context.CancellationToken) is { } replacement
                    => $"Dispose the source '{replacement.Member.Name}' held after cancelling it",
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
        diagnostic.Properties.TryGetValue(CancellationSourceAnalyzer.KindProperty, out var kind);
        diagnostic.Properties.TryGetValue(CancellationSourceAnalyzer.CanUseUsingProperty, out var canUseUsing);
        return kind switch
        {
            CancellationSourceAnalyzer.LocalKind when canUseUsing == "true" => UsingKey,
            CancellationSourceAnalyzer.MemberKind => DisposeInTypeKey,
            CancellationSourceAnalyzer.ReassignedKind => DisposePreviousKey,
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
            case DisposeInTypeKey when FindMember(context.Model, context.Node, cancellationToken) is { Target: var member } && CanDisposeWithOwner(member):
                return await DisposalEditor.AddDisposalAsync(solution, member.ContainingType, member, cancellationToken).ConfigureAwait(false);
            case DisposePreviousKey when FindCancelledReplacement(context.Model, context.Node, cancellationToken) is { } replacement:
                var statement = replacement.Statement;
                var block = (BlockSyntax)statement.Parent!;
                var dispose = SyntaxFactory.ParseStatement($"{replacement.TargetText}?.Dispose();")
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
    /// A single-variable declaration directly in a block (<c>using var</c> is not allowed in a switch section), in
    /// C# 8 or later, with no label after it in the block (a <c>goto</c> may not jump past a using declaration).
    /// </summary>
    private static LocalDeclarationStatementSyntax? FindUsingCandidate(SyntaxNode node)
        => node.SyntaxTree.Options is CSharpParseOptions { LanguageVersion: >= LanguageVersion.CSharp8 }
            && node.FirstAncestorOrSelf<LocalDeclarationStatementSyntax>() is { Parent: BlockSyntax block, Declaration.Variables.Count: 1, UsingKeyword.RawKind: 0, IsConst: false } declaration
            && !block.Statements.Any(s => s is LabeledStatementSyntax)
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

    /// <summary>
    /// A type that someone disposes: it implements <c>IDisposable</c> or <c>IAsyncDisposable</c>, or declares a
    /// <c>Dispose</c> / <c>DisposeAsync</c> method, and has (or inherits a virtual) disposal method to put the disposal
    /// in. A type that nobody disposes gets no new <c>Dispose</c> method: nothing would call it.
    /// </summary>
    private static bool CanDisposeWithOwner(ISymbol member)
        => member.ContainingType is { } type
            && (type.AllInterfaces.Any(i => i.SpecialType == SpecialType.System_IDisposable || i is { Name: "IAsyncDisposable", ContainingNamespace.Name: "System" })
                || type.GetMembers().Any(m => m is IMethodSymbol { Name: "Dispose" or "DisposeAsync", IsStatic: false, DeclaringSyntaxReferences.Length: > 0 }))
            && DisposalEditor.CanAppendDisposal(type, member);

    /// <summary>The field or property the source created at <paramref name="node"/> is stored into, and the store.</summary>
    private static (ISymbol Target, IOperation? Assignment)? FindMember(SemanticModel model, SyntaxNode node, CancellationToken cancellationToken)
    {
        var creation = model.GetOperation(node, cancellationToken);
        if (creation is null)
        {
            return null;
        }

        var consumer = SourceFlow.GetStorageConsumer(creation, out _);
        return consumer switch
        {
            IFieldInitializerOperation { InitializedFields.Length: 1 } initializer => (initializer.InitializedFields[0], null),
            IPropertyInitializerOperation { InitializedProperties.Length: 1 } initializer => (initializer.InitializedProperties[0], null),
            IAssignmentOperation { Target: IMemberReferenceOperation target } assignment => (target.Member, assignment),
            _ => null,
        };
    }

    /// <summary>
    /// A store that replaces a source which the same block cancelled earlier: disposing the old one right before the
    /// store changes nothing its token's users see (it is cancelled already), and removes its links.
    /// </summary>
    private static Replacement? FindCancelledReplacement(SemanticModel model, SyntaxNode node, CancellationToken cancellationToken)
    {
        if (FindMember(model, node, cancellationToken) is not { Assignment: IAssignmentOperation { Target: IMemberReferenceOperation target } assignment }
            || assignment.Syntax.Parent is not ExpressionStatementSyntax { Parent: BlockSyntax block } statement)
        {
            return null;
        }

        foreach (var earlier in block.Statements.TakeWhile(s => s != statement))
        {
            if (earlier is ExpressionStatementSyntax { Expression: var expression } && IsCancelOf(model.GetOperation(expression, cancellationToken), target.Member))
            {
                return new Replacement(target.Member, statement, target.Syntax.ToString());
            }
        }

        return null;
    }

    private static bool IsCancelOf(IOperation? operation, ISymbol member)
    {
        if (operation is IAwaitOperation awaited)
        {
            operation = awaited.Operation;
        }

        return operation switch
        {
            IInvocationOperation { TargetMethod.Name: "Cancel" or "CancelAsync", Instance: IMemberReferenceOperation instance } => SymbolEqualityComparer.Default.Equals(instance.Member, member),
            IConditionalAccessOperation { Operation: IMemberReferenceOperation instance, WhenNotNull: IInvocationOperation { TargetMethod.Name: "Cancel" or "CancelAsync" } } => SymbolEqualityComparer.Default.Equals(instance.Member, member),
            _ => false,
        };
    }

    private sealed class Replacement
    {
        public Replacement(ISymbol member, ExpressionStatementSyntax statement, string targetText)
        {
            Member = member;
            Statement = statement;
            TargetText = targetText;
        }

        public ISymbol Member { get; }

        public ExpressionStatementSyntax Statement { get; }

        public string TargetText { get; }
    }
}
