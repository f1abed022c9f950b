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

namespace Governance.Analyzers.Timers;

/// <summary>GOV2002: keep the timer in a field, and dispose the field with the type.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(TimerNotReferencedCodeFix)), Shared]
public sealed class TimerNotReferencedCodeFix : CodeFixProvider
{
    private const string EquivalenceKey = "GOV2002.StoreInField";

    private static readonly SequentialFixAllProvider s_fixAll = new(FixAsync, (_, key) => key == EquivalenceKey);

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.TimerNotReferenced);

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
            var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            if (await TimerFieldPlan.CreateAsync(context.Document.Project.Solution, model, node, context.CancellationToken).ConfigureAwait(false) is { } plan)
            {
                var title = plan.InConstructor
                    ? "Keep the timer in a field and dispose it with its owner"
                    : "Keep the timer in a field and dispose it with its owner (a new call replaces the previous timer)";
                context.RegisterCodeFix(CodeAction.Create(title, ct => s_fixAll.FixOneAsync(context.Document, diagnostic, ct), EquivalenceKey), diagnostic);
            }
        }
    }

    private static async Task<Solution> FixAsync(Solution solution, DocumentId documentId, SyntaxAnnotation mark, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var context = await FixContext.CreateAsync(solution, documentId, mark, cancellationToken).ConfigureAwait(false);
        if (context is null || await TimerFieldPlan.CreateAsync(solution, context.Model, context.Node, cancellationToken).ConfigureAwait(false) is not { } plan)
        {
            return solution;
        }

        var newLine = context.Root.GetElasticNewLine();
        var fieldName = ChooseFieldName(context.Model, plan);
        var typeName = plan.TimerType.ToMinimalDisplayString(context.Model, plan.Statement.SpanStart);
        var field = SyntaxFactory.ParseMemberDeclaration(plan.InConstructor
                ? $"private readonly {typeName} {fieldName};"
                : $"private {typeName}{(plan.NullableEnabled ? "?" : string.Empty)} {fieldName};")!
            .WithTrailingTrivia(newLine)
            .WithAdditionalAnnotations(Formatter.Annotation);

        var assignment = SyntaxFactory.ExpressionStatement(SyntaxFactory.AssignmentExpression(
                SyntaxKind.SimpleAssignmentExpression,
                SyntaxFactory.IdentifierName(fieldName),
                plan.Creation.WithoutTrivia()))
            .WithTriviaFrom(plan.Statement);
        // The statement's comments stay above the first statement that replaces it; the assignment keeps its indentation.
        var indentation = plan.Statement.GetLeadingTrivia().Reverse().TakeWhile(t => t.IsKind(SyntaxKind.WhitespaceTrivia)).Reverse();
        var replacement = plan.InConstructor
            ? new StatementSyntax[] { assignment }
            : new StatementSyntax[]
            {
                // Outside a constructor the method may run again; the previous timer must not be orphaned.
                SyntaxFactory.ParseStatement($"{fieldName}?.Dispose();").WithLeadingTrivia(plan.Statement.GetLeadingTrivia()).WithTrailingTrivia(newLine).WithAdditionalAnnotations(Formatter.Annotation),
                assignment.WithLeadingTrivia(indentation),
            };

        var fieldMark = new SyntaxAnnotation();
        var root = context.Root.TrackNodes(plan.Statement, plan.Declaration);
        root = root.ReplaceNode(root.GetCurrentNode(plan.Statement)!, replacement);
        var declaration = root.GetCurrentNode(plan.Declaration)!;
        root = root.ReplaceNode(declaration, InsertField(declaration, field.WithAdditionalAnnotations(fieldMark)));
        solution = solution.WithDocumentSyntaxRoot(documentId, root);

        var model = await solution.GetDocument(documentId)!.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        var fieldNode = (await model!.SyntaxTree.GetRootAsync(cancellationToken).ConfigureAwait(false)).GetAnnotatedNodes(fieldMark).OfType<FieldDeclarationSyntax>().First();
        if (model.GetDeclaredSymbol(fieldNode.Declaration.Variables[0], cancellationToken) is not IFieldSymbol fieldSymbol)
        {
            return solution;
        }

        return await DisposalEditor.AddDisposalAsync(solution, fieldSymbol.ContainingType, fieldSymbol, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>_timer</c>, or <c>m_timer</c> / <c>timer</c> where the type's private fields are named that way; a name
    /// that neither the type nor the statement's scope uses.
    /// </summary>
    private static string ChooseFieldName(SemanticModel model, TimerFieldPlan plan)
    {
        var fields = plan.Type.GetMembers().OfType<IFieldSymbol>().Where(f => !f.IsImplicitlyDeclared && !f.IsConst && !f.IsStatic && f.DeclaredAccessibility == Accessibility.Private).ToList();
        var stem = "_timer";
        if (fields.Count > 0 && !fields.Any(f => f.Name.StartsWith("_", System.StringComparison.Ordinal)))
        {
            stem = fields.All(f => f.Name.StartsWith("m_", System.StringComparison.Ordinal)) ? "m_timer"
                : fields.All(f => char.IsLower(f.Name[0])) ? "timer"
                : stem;
        }

        var name = stem;
        for (var suffix = 2; plan.Type.GetMembers(name).Length > 0 || !model.LookupSymbols(plan.Statement.SpanStart, name: name).IsEmpty; suffix++)
        {
            name = stem + suffix.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return name;
    }

    // New fields go after the last existing field, so that the type's layout stays fields-first.
    private static TypeDeclarationSyntax InsertField(TypeDeclarationSyntax declaration, MemberDeclarationSyntax field)
    {
        var lastField = declaration.Members.LastOrDefault(m => m is FieldDeclarationSyntax);
        var index = lastField is null ? 0 : declaration.Members.IndexOf(lastField) + 1;
        if (lastField is null && declaration.Members.Count > 0)
        {
            field = field.WithTrailingTrivia(field.GetTrailingTrivia().Add(declaration.GetElasticNewLine()));
        }

        return declaration.WithMembers(declaration.Members.Insert(index, field));
    }
}
