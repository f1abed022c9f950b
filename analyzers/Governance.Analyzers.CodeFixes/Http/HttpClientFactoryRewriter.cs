using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Governance.Analyzers.Editing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FindSymbols;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace Governance.Analyzers.Http;

/// <summary>How the factory reaches the creation: a member the type already has, or a new constructor parameter.</summary>
internal sealed class FactoryRegistration
{
    public FactoryRegistration(string? existing, ConstructorDeclarationSyntax? constructor, ParameterListSyntax? primaryParameters, bool isRegistered)
    {
        Existing = existing;
        Constructor = constructor;
        PrimaryParameters = primaryParameters;
        IsRegistered = isRegistered;
    }

    /// <summary>A field or primary-constructor parameter of type <c>IHttpClientFactory</c> the type already has.</summary>
    public string? Existing { get; }

    /// <summary>The one constructor that gets the new parameter (and assigns a new field).</summary>
    public ConstructorDeclarationSyntax? Constructor { get; }

    /// <summary>The primary constructor's parameter list, which gets the new parameter (used as it is, with no field).</summary>
    public ParameterListSyntax? PrimaryParameters { get; }

    /// <summary>The solution calls <c>AddHttpClient</c> somewhere, which registers the factory.</summary>
    public bool IsRegistered { get; }
}

/// <summary>
/// The GOV4001 fix for a type built by dependency injection: <c>new HttpClient()</c> becomes
/// <c>_httpClientFactory.CreateClient()</c>, with an <c>IHttpClientFactory</c> constructor parameter (and field).
/// </summary>
/// <remarks>
/// A type counts as built by dependency injection when its one constructor (or primary constructor) takes at least one
/// parameter, every parameter is a service — an interface, or a class from a <c>Microsoft.Extensions.*</c> namespace —
/// rather than a value (a string, a number, an array, a delegate), and nothing in the solution calls that constructor
/// (<c>new</c>, <c>base(...)</c>, <c>this(...)</c>): only a container creates it, and a container can supply one more
/// service. A type that already holds an <c>IHttpClientFactory</c> uses it.
/// </remarks>
internal static class HttpClientFactoryRewriter
{
    private const string FactoryName = "global::System.Net.Http.IHttpClientFactory";

    public static async Task<FactoryRegistration?> CanRewriteAsync(Document document, SemanticModel model, HttpClientFixPlan plan, CancellationToken cancellationToken)
    {
        if (model.Compilation.GetTypeByMetadataName("System.Net.Http.IHttpClientFactory") is not { } factory
            || plan.InStaticCode
            || plan.Type is not { TypeKind: TypeKind.Class, IsStatic: false }
            || plan.ClientType.ToDisplayString() != "System.Net.Http.HttpClient"
            || plan.Creation.ArgumentList is { Arguments.Count: > 0 }
            || (plan.Creation.Initializer is not null && !CanSplitInitializer(plan)))
        {
            return null;
        }

        if (FindExisting(plan.Type, factory) is { } existing)
        {
            return new FactoryRegistration(existing, null, null, isRegistered: true);
        }

        var registered = await IsRegisteredAsync(document.Project, cancellationToken).ConfigureAwait(false);
        var primary = plan.Type.DeclaringSyntaxReferences
            .Select(r => r.GetSyntax(cancellationToken))
            .OfType<TypeDeclarationSyntax>()
            .Select(d => d.ParameterList)
            .FirstOrDefault(p => p is not null);
        var constructors = plan.Type.InstanceConstructors.Where(c => !c.IsImplicitlyDeclared).ToList();
        if (primary is not null)
        {
            // Other constructors must chain to the primary one: leave those types alone.
            var primaryConstructor = constructors.FirstOrDefault(c => c.DeclaringSyntaxReferences.Any(r => r.GetSyntax(cancellationToken) is TypeDeclarationSyntax));
            return constructors.Count == 1 && primaryConstructor is not null && primary.SyntaxTree == plan.Creation.SyntaxTree
                && IsInjected(primaryConstructor) && !await IsCalledAsync(document.Project.Solution, primaryConstructor, cancellationToken).ConfigureAwait(false)
                    ? new FactoryRegistration(null, null, primary, registered)
                    : null;
        }

        if (constructors.Count != 1
            || constructors[0].DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is not ConstructorDeclarationSyntax declaration
            || declaration.SyntaxTree != plan.Creation.SyntaxTree
            || declaration.Body is null && declaration.ExpressionBody is null
            || declaration.Initializer is { ThisOrBaseKeyword.RawKind: (int)SyntaxKind.ThisKeyword }
            || !IsInjected(constructors[0])
            || await IsCalledAsync(document.Project.Solution, constructors[0], cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new FactoryRegistration(null, declaration, null, registered);
    }

    public static async Task<Document> RewriteAsync(Document document, SyntaxNode root, HttpClientFixPlan plan, FactoryRegistration registration, CancellationToken cancellationToken)
    {
        var newLine = root.GetElasticNewLine();
        string receiver;
        var tracked = root.TrackNodes(new SyntaxNode?[] { plan.Creation, plan.Statement, plan.Declaration, registration.Constructor, registration.PrimaryParameters }.Where(n => n is not null)!);
        if (registration.Existing is { } existing)
        {
            receiver = existing;
        }
        else if (registration.PrimaryParameters is { } primary)
        {
            receiver = UniqueParameterName(primary.Parameters.Select(p => p.Identifier.ValueText), plan.Type);
            var list = tracked.GetCurrentNode(primary)!;
            tracked = tracked.ReplaceNode(list, AddParameter(list, receiver));
        }
        else
        {
            var constructor = registration.Constructor!;
            var parameterName = UniqueParameterName(constructor.ParameterList.Parameters.Select(p => p.Identifier.ValueText), plan.Type);
            var fieldName = FieldEditor.InstanceFieldName(plan.Type, "httpClientFactory");
            receiver = fieldName;
            var target = fieldName == parameterName ? "this." + fieldName : fieldName;
            var assignment = SyntaxFactory.ParseStatement($"{target} = {parameterName};").WithAdditionalAnnotations(Formatter.Annotation);
            var current = tracked.GetCurrentNode(constructor)!;
            tracked = tracked.ReplaceNode(current, AddAssignment(current.WithParameterList(AddParameter(current.ParameterList, parameterName)), assignment, newLine));

            var field = SyntaxFactory.FieldDeclaration(
                    SyntaxFactory.VariableDeclaration(
                        FactoryType(),
                        SyntaxFactory.SingletonSeparatedList(SyntaxFactory.VariableDeclarator(fieldName))))
                .WithModifiers(SyntaxFactory.TokenList(SyntaxFactory.Token(SyntaxKind.PrivateKeyword), SyntaxFactory.Token(SyntaxKind.ReadOnlyKeyword)))
                .WithTrailingTrivia(newLine)
                .WithAdditionalAnnotations(Formatter.Annotation);
            var declaration = tracked.GetCurrentNode(plan.Declaration)!;
            tracked = tracked.ReplaceNode(declaration, FieldEditor.Insert(declaration, field));
        }

        var creation = tracked.GetCurrentNode(plan.Creation)!;
        var createClient = SyntaxFactory.ParseExpression($"{receiver}.CreateClient()").WithTriviaFrom(creation);
        if (creation.Initializer is { } initializer && plan.Local is { } local)
        {
            // `new HttpClient { BaseAddress = ... }`: a client from the factory is the caller's own, so its properties
            // are set after it is created.
            var statement = tracked.GetCurrentNode(plan.Statement!)!;
            var indentation = statement.GetLeadingTrivia().Reverse().TakeWhile(t => t.IsKind(SyntaxKind.WhitespaceTrivia)).Reverse();
            var settings = initializer.Expressions.Cast<AssignmentExpressionSyntax>()
                .Select(a => SyntaxFactory.ParseStatement($"{local.Name}.{a.Left.WithoutTrivia()} = {a.Right.WithoutTrivia()};")
                    .WithLeadingTrivia(indentation)
                    .WithTrailingTrivia(newLine))
                .ToList();
            var replaced = statement.ReplaceNode(creation, createClient);
            tracked = tracked.ReplaceNode(statement, new SyntaxNode[] { replaced }.Concat(settings));
        }
        else
        {
            tracked = tracked.ReplaceNode(creation, createClient);
        }

        var changed = document.WithSyntaxRoot(tracked);
        return await ImportEditor.AddImportsAsync(changed, cancellationToken).ConfigureAwait(false);
    }

    private static TypeSyntax FactoryType()
        => SyntaxFactory.ParseTypeName(FactoryName).WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation);

    /// <summary>An object initializer of plain property assignments on a local declaration: each becomes a statement.</summary>
    private static bool CanSplitInitializer(HttpClientFixPlan plan)
        => plan.Shape == HttpClientShape.Declaration
            && plan.Creation.Initializer is { } initializer
            && initializer.Expressions.All(e => e is AssignmentExpressionSyntax { Left: IdentifierNameSyntax, Right: not InitializerExpressionSyntax } assignment
                && assignment.IsKind(SyntaxKind.SimpleAssignmentExpression));

    private static string? FindExisting(INamedTypeSymbol type, INamedTypeSymbol factory)
    {
        foreach (var member in type.GetMembers())
        {
            if (member is IFieldSymbol { IsStatic: false, IsImplicitlyDeclared: false } field && SymbolEqualityComparer.Default.Equals(field.Type, factory))
            {
                return field.Name;
            }
        }

        foreach (var constructor in type.InstanceConstructors)
        {
            if (constructor.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is TypeDeclarationSyntax))
            {
                foreach (var parameter in constructor.Parameters)
                {
                    if (SymbolEqualityComparer.Default.Equals(parameter.Type, factory))
                    {
                        return parameter.Name;
                    }
                }
            }
        }

        return null;
    }

    /// <summary>Every parameter is a service the container supplies: an interface, or a class from Microsoft.Extensions.*.</summary>
    private static bool IsInjected(IMethodSymbol constructor)
    {
        if (constructor.Parameters.Length == 0)
        {
            return false;
        }

        var service = false;
        foreach (var parameter in constructor.Parameters)
        {
            var type = parameter.Type;
            if (parameter.IsParams || parameter.HasExplicitDefaultValue || parameter.RefKind != RefKind.None
                || type.SpecialType != SpecialType.None
                || type.TypeKind is TypeKind.Enum or TypeKind.Delegate or TypeKind.Array or TypeKind.Pointer or TypeKind.Struct or TypeKind.TypeParameter or TypeKind.Error)
            {
                return false;
            }

            service |= type.TypeKind == TypeKind.Interface
                || type.ContainingNamespace?.ToDisplayString().StartsWith("Microsoft.Extensions", System.StringComparison.Ordinal) == true;
        }

        return service;
    }

    private static async Task<bool> IsCalledAsync(Solution solution, IMethodSymbol constructor, CancellationToken cancellationToken)
    {
        var references = await SymbolFinder.FindReferencesAsync(constructor, solution, cancellationToken).ConfigureAwait(false);
        return references.Any(r => r.Locations.Any());
    }

    private static async Task<bool> IsRegisteredAsync(Project project, CancellationToken cancellationToken)
    {
        var solution = project.Solution;
        var projects = new[] { project.Id }.Concat(solution.GetProjectDependencyGraph().GetProjectsThatTransitivelyDependOnThisProject(project.Id));
        foreach (var projectId in projects)
        {
            foreach (var document in solution.GetProject(projectId)?.Documents ?? Enumerable.Empty<Document>())
            {
                var text = await document.GetTextAsync(cancellationToken).ConfigureAwait(false);
                if (text.ToString().Contains("AddHttpClient("))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static string UniqueParameterName(IEnumerable<string> parameters, INamedTypeSymbol type)
    {
        var taken = new HashSet<string>(parameters);
        var name = "httpClientFactory";
        for (var suffix = 2; taken.Contains(name) || type.GetMembers(name).Length > 0; suffix++)
        {
            name = "httpClientFactory" + suffix.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return name;
    }

    /// <summary>
    /// Adds the parameter last, or before the first optional or <c>params</c> one, on a line of its own when the
    /// parameters are written one per line.
    /// </summary>
    private static ParameterListSyntax AddParameter(ParameterListSyntax list, string name)
    {
        var parameter = SyntaxFactory.Parameter(SyntaxFactory.Identifier(name)).WithType(FactoryType().WithTrailingTrivia(SyntaxFactory.Space));
        var parameters = list.Parameters;
        if (parameters.Count == 0)
        {
            return list.WithParameters(SyntaxFactory.SingletonSeparatedList(parameter));
        }

        var index = parameters.Count;
        for (var i = 0; i < parameters.Count; i++)
        {
            if (parameters[i].Default is not null || parameters[i].Modifiers.Any(SyntaxKind.ParamsKeyword))
            {
                index = i;
                break;
            }
        }

        var lineBreak = (parameters.Count > 1 ? parameters.GetSeparator(0).TrailingTrivia : list.OpenParenToken.TrailingTrivia)
            .Where(t => t.IsKind(SyntaxKind.EndOfLineTrivia))
            .ToList();
        var separator = lineBreak.Count > 0
            ? SyntaxFactory.Token(SyntaxKind.CommaToken).WithTrailingTrivia(lineBreak[0])
            : SyntaxFactory.Token(SyntaxKind.CommaToken).WithTrailingTrivia(SyntaxFactory.Space);
        var nodes = parameters.ToList();
        var separators = parameters.GetSeparators().ToList();
        if (index == parameters.Count)
        {
            // The new last parameter takes over what stood before the closing parenthesis.
            var last = nodes[nodes.Count - 1];
            parameter = parameter
                .WithLeadingTrivia(lineBreak.Count > 0 ? last.GetLeadingTrivia() : SyntaxFactory.TriviaList())
                .WithTrailingTrivia(last.GetTrailingTrivia());
            nodes[nodes.Count - 1] = last.WithTrailingTrivia(SyntaxFactory.TriviaList());
            nodes.Add(parameter);
            separators.Add(separator);
        }
        else
        {
            nodes.Insert(index, parameter.WithLeadingTrivia(nodes[index].GetLeadingTrivia()));
            separators.Insert(index, separator);
        }

        return list.WithParameters(SyntaxFactory.SeparatedList(nodes, separators));
    }

    private static ConstructorDeclarationSyntax AddAssignment(ConstructorDeclarationSyntax constructor, StatementSyntax assignment, SyntaxTrivia newLine)
    {
        if (constructor.Body is { } body)
        {
            return constructor.WithBody(body.AddStatements(assignment.WithTrailingTrivia(newLine)));
        }

        // `=> _x = x;` becomes a block of two statements.
        var expression = SyntaxFactory.ExpressionStatement(constructor.ExpressionBody!.Expression.WithoutTrivia()).WithAdditionalAnnotations(Formatter.Annotation);
        return constructor
            .WithExpressionBody(null)
            .WithSemicolonToken(default)
            .WithParameterList(constructor.ParameterList.WithTrailingTrivia(newLine))
            .WithBody(SyntaxFactory.Block(expression.WithTrailingTrivia(newLine), assignment.WithTrailingTrivia(newLine))
                .WithTrailingTrivia(constructor.SemicolonToken.TrailingTrivia)
                .WithAdditionalAnnotations(Formatter.Annotation));
    }
}
