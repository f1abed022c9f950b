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
/// GOV4001: share one client in a <c>private static readonly</c> field, or, in a type built by dependency injection,
/// create the client with an injected <c>IHttpClientFactory</c>.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(HttpClientPerOperationCodeFix)), Shared]
public sealed class HttpClientPerOperationCodeFix : CodeFixProvider
{
    public const string StaticFieldKey = "GOV4001.StaticField";
    public const string FactoryKey = "GOV4001.HttpClientFactory";

    private static readonly SequentialFixAllProvider s_staticFixAll = new(FixWithStaticFieldAsync, (_, key) => key == StaticFieldKey);
    private static readonly SequentialFixAllProvider s_factoryFixAll = new(FixWithFactoryAsync, (_, key) => key == FactoryKey);

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.HttpClientPerOperation);

    public override FixAllProvider GetFixAllProvider() => KeyedFixAllProvider.Instance;

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
            if (HttpClientFixPlan.Create(model, node, context.CancellationToken) is not { } plan)
            {
                continue;
            }

            // The shared client first: it needs nothing else from the application (the factory needs registering), so it
            // is what `governance fix` applies.
            if (SharedClientRewriter.CanRewrite(plan))
            {
                var title = SharedClientRewriter.AddsConnectionLifetime(plan, model.Compilation)
                    ? $"Share one static HttpClient (its connections renewed every {SharedClientRewriter.ConnectionLifetimeMinutes} minutes, so DNS changes are seen)"
                    : "Share one static HttpClient";
                context.RegisterCodeFix(CodeAction.Create(title, ct => s_staticFixAll.FixOneAsync(context.Document, diagnostic, ct), StaticFieldKey), diagnostic);
            }

            if (await HttpClientFactoryRewriter.CanRewriteAsync(context.Document, model, plan, context.CancellationToken).ConfigureAwait(false) is { } registration)
            {
                var title = registration.IsRegistered
                    ? "Create the client with an injected IHttpClientFactory"
                    : "Create the client with an injected IHttpClientFactory (register it with services.AddHttpClient())";
                context.RegisterCodeFix(CodeAction.Create(title, ct => s_factoryFixAll.FixOneAsync(context.Document, diagnostic, ct), FactoryKey), diagnostic);
            }
        }
    }

    private static async Task<Solution> FixWithStaticFieldAsync(Solution solution, DocumentId documentId, SyntaxAnnotation mark, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var context = await FixContext.CreateAsync(solution, documentId, mark, cancellationToken).ConfigureAwait(false);
        if (context is null || HttpClientFixPlan.Create(context.Model, context.Node, cancellationToken) is not { } plan || !SharedClientRewriter.CanRewrite(plan))
        {
            return solution;
        }

        var document = await SharedClientRewriter.RewriteAsync(context.Document, context.Root, context.Model, plan, cancellationToken).ConfigureAwait(false);
        return document.Project.Solution;
    }

    private static async Task<Solution> FixWithFactoryAsync(Solution solution, DocumentId documentId, SyntaxAnnotation mark, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var context = await FixContext.CreateAsync(solution, documentId, mark, cancellationToken).ConfigureAwait(false);
        if (context is null || HttpClientFixPlan.Create(context.Model, context.Node, cancellationToken) is not { } plan
            || await HttpClientFactoryRewriter.CanRewriteAsync(context.Document, context.Model, plan, cancellationToken).ConfigureAwait(false) is not { } registration)
        {
            return solution;
        }

        var document = await HttpClientFactoryRewriter.RewriteAsync(context.Document, context.Root, plan, registration, cancellationToken).ConfigureAwait(false);
        return document.Project.Solution;
    }

    /// <summary>Fix All with the fix the user chose: each kind edits shared places (a field, a constructor) one diagnostic at a time.</summary>
    private sealed class KeyedFixAllProvider : FixAllProvider
    {
        public static readonly KeyedFixAllProvider Instance = new();

        public override Task<CodeAction?> GetFixAsync(FixAllContext fixAllContext)
            => fixAllContext.CodeActionEquivalenceKey == FactoryKey
                ? s_factoryFixAll.GetFixAsync(fixAllContext)
                : s_staticFixAll.GetFixAsync(fixAllContext);
    }
}

/// <summary>The GOV4001 fix that moves the client to a <c>private static readonly</c> field of the type.</summary>
internal static class SharedClientRewriter
{
    public const int ConnectionLifetimeMinutes = 2;

    /// <summary>
    /// The client can be shared as it is: nothing configures it per call, what it is created with can be computed
    /// once, and the statement that holds it can be taken apart.
    /// </summary>
    public static bool CanRewrite(HttpClientFixPlan plan)
        => plan.OnlySendsAndReads
            && plan.Shape switch
            {
                HttpClientShape.Declaration => StatementRemover.CanRemove(plan.Statement!),
                HttpClientShape.UsingStatement => plan.Statement is UsingStatementSyntax { Statement: var body }
                    && (body is not BlockSyntax block || StatementRemover.CanUnwrap(plan.Statement, block)),
                _ => true,
            };

    /// <summary>
    /// A client with the default handler gets a <c>SocketsHttpHandler</c> with a finite <c>PooledConnectionLifetime</c>,
    /// as the HttpClient guidelines advise for a long-lived client: otherwise it keeps its connections, and the
    /// addresses DNS gave them, for as long as they stay busy.
    /// </summary>
    public static bool AddsConnectionLifetime(HttpClientFixPlan plan, Compilation compilation)
        => plan.Creation.ArgumentList is null or { Arguments.Count: 0 }
            && plan.ClientType.ToDisplayString() == "System.Net.Http.HttpClient"
            && compilation.GetTypeByMetadataName("System.Net.Http.SocketsHttpHandler") is { } handler
            && handler.GetMembers("PooledConnectionLifetime").Length > 0;

    public static async Task<Document> RewriteAsync(Document document, SyntaxNode root, SemanticModel model, HttpClientFixPlan plan, CancellationToken cancellationToken)
    {
        var initializer = BuildInitializer(plan, model.Compilation, root.GetNewLine());
        var existing = FindSameField(plan, initializer);
        var fieldName = existing ?? FieldEditor.StaticFieldName(plan.Type, "httpClient", "Shared");
        if (existing is null)
        {
            fieldName = AvoidLocals(plan, fieldName);
        }

        var tracked = root.TrackNodes(new SyntaxNode[] { plan.Declaration, plan.Creation }
            .Concat(plan.References)
            .Concat(plan.Disposals)
            .Concat(plan.Statement is null ? Enumerable.Empty<SyntaxNode>() : new[] { plan.Statement }));

        // Uses of the local now use the field; its disposals go (a shared client lives as long as the process).
        tracked = tracked.ReplaceNodes(
            plan.References.Where(r => !plan.Disposals.Any(d => d.Span.Contains(r.Span))).Select(r => tracked.GetCurrentNode(r)!),
            (original, _) => SyntaxFactory.IdentifierName(fieldName).WithTriviaFrom(original));
        foreach (var disposal in plan.Disposals)
        {
            tracked = StatementRemover.Remove(tracked, tracked.GetCurrentNode(disposal)!);
        }

        switch (plan.Shape)
        {
            case HttpClientShape.Declaration:
                tracked = StatementRemover.Remove(tracked, tracked.GetCurrentNode(plan.Statement!)!);
                break;
            case HttpClientShape.UsingStatement:
                var usingStatement = tracked.GetCurrentNode((UsingStatementSyntax)plan.Statement!)!;
                tracked = usingStatement.Statement is BlockSyntax body
                    ? StatementRemover.Unwrap(tracked, usingStatement, body)
                    : tracked.ReplaceNode(usingStatement, usingStatement.Statement.WithLeadingTrivia(usingStatement.GetLeadingTrivia()));
                break;
            default:
                var creation = tracked.GetCurrentNode(plan.Creation)!;
                tracked = tracked.ReplaceNode(creation, SyntaxFactory.IdentifierName(fieldName).WithTriviaFrom(creation));
                break;
        }

        if (existing is null)
        {
            var typeName = plan.ClientType.ToMinimalDisplayString(model, plan.Declaration.SpanStart);
            var field = SyntaxFactory.ParseMemberDeclaration($"private static readonly {typeName} {fieldName} = {initializer};")!
                .WithTrailingTrivia(root.GetElasticNewLine())
                .WithAdditionalAnnotations(Formatter.Annotation, Simplifier.Annotation, Simplifier.AddImportsAnnotation);
            var declaration = tracked.GetCurrentNode(plan.Declaration)!;
            tracked = tracked.ReplaceNode(declaration, FieldEditor.Insert(declaration, field));
        }

        var changed = document.WithSyntaxRoot(tracked);
        return await ImportEditor.AddImportsAsync(changed, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The creation as written, or with a <c>SocketsHttpHandler</c> that renews connections (<see cref="AddsConnectionLifetime"/>).</summary>
    private static string BuildInitializer(HttpClientFixPlan plan, Compilation compilation, string newLine)
    {
        // Moved from a method body to a field, the creation keeps its line breaks; the formatter re-indents them.
        var creation = plan.Creation.WithoutTrivia();
        if (!AddsConnectionLifetime(plan, compilation))
        {
            return creation.ToFullString();
        }

        // On lines of their own: on one line the field would run past any line length.
        var handler = $"new global::System.Net.Http.SocketsHttpHandler{newLine}{{{newLine}    PooledConnectionLifetime = global::System.TimeSpan.FromMinutes({ConnectionLifetimeMinutes}),{newLine}}}";
        var initializer = creation.Initializer switch
        {
            null => string.Empty,

            // After the handler's lines, a one-line initializer goes on lines of its own too.
            { } oneLine when !oneLine.ToFullString().Contains("\n") =>
                newLine + "{" + newLine + string.Concat(oneLine.Expressions.Select(e => "    " + e.WithoutTrivia().ToFullString() + "," + newLine)) + "}",
            { } objectInitializer => newLine + objectInitializer.WithoutLeadingTrivia().ToFullString(),
        };
        return creation is ImplicitObjectCreationExpressionSyntax
            ? $"new({handler}){initializer}"
            : $"new {((ObjectCreationExpressionSyntax)creation).Type.WithoutTrivia().ToFullString()}({handler}){initializer}";
    }

    /// <summary>A static read-only field of the type that already holds the same client (Fix All, a second method with the same client).</summary>
    private static string? FindSameField(HttpClientFixPlan plan, string initializer)
    {
        foreach (var field in plan.Type.GetMembers().OfType<IFieldSymbol>())
        {
            if (field is { IsStatic: true, IsReadOnly: true } && SymbolEqualityComparer.Default.Equals(field.Type, plan.ClientType)
                && field.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() is VariableDeclaratorSyntax { Initializer.Value: { } value }
                && Squeeze(value.ToString()) == Squeeze(initializer))
            {
                return field.Name;
            }
        }

        return null;
    }

    // Compared as the simplifier leaves them: without whitespace and without the qualifications it removes.
    private static string Squeeze(string text)
        => new(text.Replace("global::System.Net.Http.", string.Empty).Replace("global::System.", string.Empty).Where(c => !char.IsWhiteSpace(c)).ToArray());

    /// <summary>A local or parameter of the member with the field's name would hide the field.</summary>
    private static string AvoidLocals(HttpClientFixPlan plan, string name)
    {
        var member = plan.Creation.FirstAncestorOrSelf<MemberDeclarationSyntax>();
        var taken = member?.DescendantNodes().Select(n => n switch
        {
            VariableDeclaratorSyntax v => v.Identifier.ValueText,
            ParameterSyntax p => p.Identifier.ValueText,
            SingleVariableDesignationSyntax d => d.Identifier.ValueText,
            ForEachStatementSyntax f => f.Identifier.ValueText,
            _ => null,
        }).Where(n => n is not null).ToImmutableHashSet() ?? ImmutableHashSet<string?>.Empty;
        var candidate = name;
        for (var suffix = 2; taken.Contains(candidate); suffix++)
        {
            candidate = FieldEditor.Unique(plan.Type, name + suffix.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return candidate;
    }
}
