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
using Microsoft.CodeAnalysis.Simplification;

namespace Governance.Analyzers.Http;

/// <summary>
/// GOV4002: the infinite timeout becomes a named, finite one — a <c>RequestTimeout</c> field of 100 seconds, HttpClient's
/// own default, with a comment asking the author to choose.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(HttpCallWithoutTimeoutCodeFix)), Shared]
public sealed class HttpCallWithoutTimeoutCodeFix : CodeFixProvider
{
    public const string EquivalenceKey = "GOV4002.FiniteTimeout";

    /// <summary>HttpClient's default <c>Timeout</c>: a starting point, not a recommendation; the title and the comment say so.</summary>
    public const int DefaultTimeoutSeconds = 100;

    private const string BaseName = "RequestTimeout";

    private static readonly SequentialFixAllProvider s_fixAll = new(FixAsync, (_, key) => key == EquivalenceKey);

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.HttpCallWithoutTimeout);

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
            if (Plan.Create(model, root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true), context.CancellationToken) is not null)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(
                        $"Use a finite timeout: a {BaseName} of {DefaultTimeoutSeconds} s, HttpClient's default (choose yours)",
                        ct => s_fixAll.FixOneAsync(context.Document, diagnostic, ct),
                        EquivalenceKey),
                    diagnostic);
            }
        }
    }

    private static async Task<Solution> FixAsync(Solution solution, DocumentId documentId, SyntaxAnnotation mark, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var context = await FixContext.CreateAsync(solution, documentId, mark, cancellationToken).ConfigureAwait(false);
        if (context is null || Plan.Create(context.Model, context.Node, cancellationToken) is not { } plan)
        {
            return solution;
        }

        var fieldName = plan.Existing ?? plan.NewName;
        var tracked = context.Root.TrackNodes(plan.Value, plan.Declaration);
        var value = tracked.GetCurrentNode(plan.Value)!;
        tracked = tracked.ReplaceNode(value, SyntaxFactory.IdentifierName(fieldName).WithTriviaFrom(value));
        if (plan.Existing is null)
        {
            var newLine = context.Root.GetNewLine();
            var field = SyntaxFactory.ParseMemberDeclaration(
                    $"private static readonly global::System.TimeSpan {fieldName} = global::System.TimeSpan.FromSeconds({DefaultTimeoutSeconds}); // HttpClient's default: choose the longest a request may take{newLine}")!
                .WithAdditionalAnnotations(Formatter.Annotation, Simplifier.Annotation, Simplifier.AddImportsAnnotation);

            // First among the fields: static fields are initialized in the order they are written, and the client's own
            // static initializer may read this one.
            var declaration = tracked.GetCurrentNode(plan.Declaration)!;
            tracked = tracked.ReplaceNode(declaration, FieldEditor.Insert(declaration, field, first: true));
        }

        var document = await ImportEditor.AddImportsAsync(context.Document.WithSyntaxRoot(tracked), cancellationToken).ConfigureAwait(false);
        return document.Project.Solution;
    }

    private sealed class Plan
    {
        private Plan(ExpressionSyntax value, TypeDeclarationSyntax declaration, string? existing, string newName)
        {
            Value = value;
            Declaration = declaration;
            Existing = existing;
            NewName = newName;
        }

        /// <summary>The infinite value assigned to <c>Timeout</c>.</summary>
        public ExpressionSyntax Value { get; }

        public TypeDeclarationSyntax Declaration { get; }

        /// <summary>A <c>RequestTimeout</c> field the type already has (Fix All: one field per type).</summary>
        public string? Existing { get; }

        public string NewName { get; }

        public static Plan? Create(SemanticModel model, SyntaxNode node, CancellationToken cancellationToken)
        {
            var assignment = node as AssignmentExpressionSyntax ?? node.FirstAncestorOrSelf<AssignmentExpressionSyntax>();
            if (assignment is null
                || assignment.FirstAncestorOrSelf<TypeDeclarationSyntax>() is not { } declaration
                || declaration.IsKind(SyntaxKind.InterfaceDeclaration)
                || declaration.OpenBraceToken.IsMissing || declaration.OpenBraceToken.IsKind(SyntaxKind.None)
                || model.GetDeclaredSymbol(declaration, cancellationToken) is not { } type)
            {
                return null;
            }

            var existing = type.GetMembers(BaseName).OfType<IFieldSymbol>()
                .FirstOrDefault(f => f.IsStatic && f.IsReadOnly && f.Type.ToDisplayString() == "System.TimeSpan")?.Name;
            var name = existing ?? FieldEditor.Unique(type, BaseName);

            // A local or parameter of that name would hide the field where the value is written.
            if (existing is null && model.LookupSymbols(assignment.Right.SpanStart, name: name).Any(s => s is ILocalSymbol or IParameterSymbol or IRangeVariableSymbol))
            {
                return null;
            }

            return new Plan(assignment.Right, declaration, existing, name);
        }
    }
}
