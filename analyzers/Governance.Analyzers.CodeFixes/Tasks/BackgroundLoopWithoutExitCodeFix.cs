using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Governance.Analyzers.Editing;
using Governance.Analyzers.Symbols;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FindSymbols;
using Microsoft.CodeAnalysis.Simplification;

namespace Governance.Analyzers.Tasks;

/// <summary>
/// GOV1003: <c>while (true)</c> (also <c>for (;;)</c> and <c>do { } while (true)</c>) becomes
/// <c>while (!token.IsCancellationRequested)</c> with the token in scope; with none, the enclosing method gets a
/// <c>CancellationToken cancellationToken = default</c> parameter, when it is a method the fix can change.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(BackgroundLoopWithoutExitCodeFix)), Shared]
public sealed class BackgroundLoopWithoutExitCodeFix : CodeFixProvider
{
    /// <summary>
    /// One key for both forms: Fix All makes every loop observe cancellation, with the token each one has, and a second
    /// loop of a method that the fix gave a parameter uses that parameter.
    /// </summary>
    private const string EquivalenceKey = "GOV1003.ObserveCancellation";

    private const string ParameterName = "cancellationToken";

    private static readonly SequentialFixAllProvider s_fixAll = new(FixAsync, (_, key) => key == EquivalenceKey);

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.BackgroundLoopWithoutExit);

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
            if (FindLoop(root, diagnostic) is not { } loop)
            {
                continue;
            }

            var plan = await PlanAsync(context.Document, model, loop, context.CancellationToken).ConfigureAwait(false);
            var title = plan switch
            {
                { Token: { } token } => $"Stop the loop when '{token.Name}' is cancelled",
                { Method: { } method } => $"Add a 'CancellationToken {ParameterName} = default' parameter to '{method.Name}' and stop the loop when it is cancelled",
                _ => null,
            };
            if (title is not null)
            {
                context.RegisterCodeFix(CodeAction.Create(title, ct => s_fixAll.FixOneAsync(context.Document, diagnostic, ct), EquivalenceKey), diagnostic);
            }
        }
    }

    private static async Task<Solution> FixAsync(Solution solution, DocumentId documentId, SyntaxAnnotation mark, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var context = await FixContext.CreateAsync(solution, documentId, mark, cancellationToken).ConfigureAwait(false);
        if (context is null || context.Node.FirstAncestorOrSelf<StatementSyntax>(IsLoop) is not { } loop)
        {
            return solution;
        }

        var plan = await PlanAsync(context.Document, context.Model, loop, cancellationToken).ConfigureAwait(false);
        if (plan.Token is { } token)
        {
            return solution.WithDocumentSyntaxRoot(documentId, context.Root.ReplaceNode(loop, Observe(loop, token.Name)));
        }

        if (plan.Declaration is not { } declaration)
        {
            return solution;
        }

        var parameter = SyntaxFactory.Parameter(SyntaxFactory.Identifier(ParameterName))
            .WithType(SyntaxFactory.ParseTypeName("global::System.Threading.CancellationToken")
                .WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation)
                .WithTrailingTrivia(SyntaxFactory.Space))
            .WithDefault(SyntaxFactory.EqualsValueClause(SyntaxFactory.LiteralExpression(SyntaxKind.DefaultLiteralExpression))
                .WithEqualsToken(SyntaxFactory.Token(SyntaxKind.EqualsToken).WithLeadingTrivia(SyntaxFactory.Space).WithTrailingTrivia(SyntaxFactory.Space)));
        var root = context.Root.TrackNodes(loop, declaration);
        root = root.ReplaceNode(root.GetCurrentNode(loop)!, Observe(loop, ParameterName));
        var currentDeclaration = root.GetCurrentNode(declaration)!;
        root = root.ReplaceNode(currentDeclaration, AddParameter(currentDeclaration, parameter));
        var document = context.Document.WithSyntaxRoot(root);
        document = await ImportEditor.AddImportsAsync(document, cancellationToken).ConfigureAwait(false);
        return document.Project.Solution;
    }

    private static StatementSyntax? FindLoop(SyntaxNode root, Diagnostic diagnostic)
        => root.FindToken(diagnostic.Location.SourceSpan.Start).Parent?.FirstAncestorOrSelf<StatementSyntax>(IsLoop);

    private static bool IsLoop(StatementSyntax statement) => statement is WhileStatementSyntax or DoStatementSyntax or ForStatementSyntax;

    private readonly struct Plan
    {
        public Plan(CancellationTokenInScope? token, IMethodSymbol? method, SyntaxNode? declaration)
        {
            Token = token;
            Method = method;
            Declaration = declaration;
        }

        /// <summary>The token the loop observes, when one is in scope.</summary>
        public CancellationTokenInScope? Token { get; }

        /// <summary>Otherwise, the method that gets the new parameter, and its declaration.</summary>
        public IMethodSymbol? Method { get; }

        public SyntaxNode? Declaration { get; }
    }

    private static async Task<Plan> PlanAsync(Document document, SemanticModel model, StatementSyntax loop, CancellationToken cancellationToken)
    {
        if (CancellationTokenInScope.Find(model, loop, out var ambiguous, cancellationToken) is { } token)
        {
            return new Plan(token, null, null);
        }

        if (ambiguous)
        {
            // Tokens are in scope but none is clearly the loop's: a new parameter would be a third guess.
            return default;
        }

        // The method around the loop (around the lambda the loop is in), when a new optional last parameter cannot break
        // anyone: not an override, interface implementation, event handler or test, not used as a method group.
        SyntaxNode? declaration = null;
        foreach (var ancestor in loop.Ancestors())
        {
            if (ancestor is MethodDeclarationSyntax or LocalFunctionStatementSyntax)
            {
                declaration = ancestor;
                break;
            }

            if (ancestor is AnonymousFunctionExpressionSyntax lambda && lambda.Modifiers.Any(SyntaxKind.StaticKeyword) || ancestor is MemberDeclarationSyntax)
            {
                // A static lambda cannot capture the parameter; a constructor, accessor or field initializer takes none.
                return default;
            }
        }

        if (declaration is not (MethodDeclarationSyntax { Body: not null } or LocalFunctionStatementSyntax { Body: not null })
            || model.GetDeclaredSymbol(declaration, cancellationToken) is not IMethodSymbol method
            || !await CanAddParameterAsync(document, model, method, declaration, cancellationToken).ConfigureAwait(false))
        {
            return default;
        }

        return new Plan(null, method, declaration);
    }

    private static async Task<bool> CanAddParameterAsync(Document document, SemanticModel model, IMethodSymbol method, SyntaxNode declaration, CancellationToken cancellationToken)
    {
        if (method.IsOverride || method.IsVirtual || method.IsAbstract || method.IsExtern
            || method.PartialDefinitionPart is not null || method.PartialImplementationPart is not null
            || method.ExplicitInterfaceImplementations.Length > 0
            || method.Name == "Main"
            || method.Parameters.Any(p => p.IsParams || p.Name == ParameterName)
            || IsEventHandler(method)
            || method.IsTestMethod()
            || IsInterfaceImplementation(method))
        {
            return false;
        }

        // A local, lambda parameter or member called `cancellationToken` in the body would clash with the new parameter.
        var body = declaration is MethodDeclarationSyntax m ? (SyntaxNode?)m.Body : ((LocalFunctionStatementSyntax)declaration).Body;
        if (body is null || CancellationTokenInScope.NamesInUse(model, body, body).Contains(ParameterName))
        {
            return false;
        }

        // A method group (`new Thread(Run)`, `handler += OnTick`) has to match its delegate: a new parameter breaks it.
        var references = await SymbolFinder.FindReferencesAsync(method, document.Project.Solution, cancellationToken).ConfigureAwait(false);
        foreach (var location in references.SelectMany(r => r.Locations))
        {
            var node = (await location.Location.SourceTree!.GetRootAsync(cancellationToken).ConfigureAwait(false)).FindNode(location.Location.SourceSpan, getInnermostNodeForTie: true);
            var name = node is MemberAccessExpressionSyntax access ? access.Name : node;
            var callee = name.Parent is MemberAccessExpressionSyntax outer && outer.Name == name ? outer : name;
            if (callee.Parent is not InvocationExpressionSyntax invocation || invocation.Expression != callee)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary><c>void OnX(object sender, EventArgs e)</c>: the signature an event handler needs.</summary>
    private static bool IsEventHandler(IMethodSymbol method)
        => method.Parameters.Length == 2
            && method.Parameters[0].Type.SpecialType == SpecialType.System_Object
            && IsEventArgs(method.Parameters[1].Type);

    private static bool IsEventArgs(ITypeSymbol type)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (current is { Name: "EventArgs", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } })
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsInterfaceImplementation(IMethodSymbol method)
        => method.MethodKind == MethodKind.Ordinary
            && method.ContainingType.AllInterfaces.SelectMany(i => i.GetMembers()).OfType<IMethodSymbol>()
                .Any(member => SymbolEqualityComparer.Default.Equals(method.ContainingType.FindImplementationForInterfaceMember(member), method));

    /// <summary>The loop with <c>!name.IsCancellationRequested</c> in place of its constant condition, trivia kept.</summary>
    private static StatementSyntax Observe(StatementSyntax loop, string name)
    {
        var condition = SyntaxFactory.PrefixUnaryExpression(
            SyntaxKind.LogicalNotExpression,
            SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, SyntaxFactory.IdentifierName(name), SyntaxFactory.IdentifierName("IsCancellationRequested")));
        switch (loop)
        {
            case WhileStatementSyntax whileLoop:
                return whileLoop.WithCondition(condition.WithTriviaFrom(whileLoop.Condition));
            case DoStatementSyntax doLoop:
                return doLoop.WithCondition(condition.WithTriviaFrom(doLoop.Condition));
            case ForStatementSyntax { Declaration: null, Initializers.Count: 0, Incrementors.Count: 0 } forLoop:
                // `for (;;)` reads best as the `while` it is.
                return SyntaxFactory.WhileStatement(
                        SyntaxFactory.Token(SyntaxKind.WhileKeyword).WithTriviaFrom(forLoop.ForKeyword),
                        forLoop.OpenParenToken,
                        condition,
                        forLoop.CloseParenToken,
                        forLoop.Statement);
            case ForStatementSyntax forLoop:
                return forLoop
                    .WithCondition(forLoop.Condition is null ? condition : condition.WithTriviaFrom(forLoop.Condition))
                    .WithFirstSemicolonToken(forLoop.Condition is null && !forLoop.FirstSemicolonToken.TrailingTrivia.Any()
                        ? forLoop.FirstSemicolonToken.WithTrailingTrivia(SyntaxFactory.Space)
                        : forLoop.FirstSemicolonToken);
            default:
                return loop;
        }
    }

    private static SyntaxNode AddParameter(SyntaxNode declaration, ParameterSyntax parameter)
        => declaration switch
        {
            MethodDeclarationSyntax method => method.WithParameterList(Append(method.ParameterList, parameter)),
            LocalFunctionStatementSyntax local => local.WithParameterList(Append(local.ParameterList, parameter)),
            _ => declaration,
        };

    private static ParameterListSyntax Append(ParameterListSyntax list, ParameterSyntax parameter)
    {
        if (list.Parameters.Count == 0)
        {
            return list.WithParameters(SyntaxFactory.SingletonSeparatedList(parameter));
        }

        // Parameters written one per line keep that layout: the new one goes on its own line, indented like the last.
        var last = list.Parameters.Last();
        var separator = SyntaxFactory.Token(SyntaxKind.CommaToken);
        var lastLine = last.GetLeadingTrivia();
        if (lastLine.Any(t => t.IsKind(SyntaxKind.WhitespaceTrivia)) && list.Parameters.GetSeparators().Any(s => s.TrailingTrivia.Any(t => t.IsKind(SyntaxKind.EndOfLineTrivia))))
        {
            separator = separator.WithTrailingTrivia(list.Parameters.GetSeparators().Last().TrailingTrivia);
            parameter = parameter.WithLeadingTrivia(lastLine);
        }
        else
        {
            separator = separator.WithTrailingTrivia(SyntaxFactory.Space);
        }

        var parameters = list.Parameters.GetWithSeparators().Add(separator).Add(parameter);
        return list.WithParameters(SyntaxFactory.SeparatedList<ParameterSyntax>(parameters));
    }
}
