using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.FindSymbols;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace Governance.Analyzers.Editing;

/// <summary>
/// Makes a type dispose one of its members: appends <c>member?.Dispose();</c> to the type's existing disposal
/// method, or adds one (an override where a base class has a virtual one, otherwise <c>IDisposable</c> and a
/// <c>Dispose()</c> method).
/// </summary>
internal static class DisposalEditor
{
    /// <summary>
    /// Whether <see cref="AddDisposalAsync"/> knows where to put the disposal in <paramref name="type"/>, where
    /// something will call it (see <see cref="CanAddDisposalAsync(Solution, INamedTypeSymbol, TypeDeclarationSyntax, CancellationToken)"/>).
    /// </summary>
    public static Task<bool> CanAddDisposalAsync(Solution solution, INamedTypeSymbol type, ISymbol member, CancellationToken cancellationToken)
        => !member.IsStatic && GetDeclaration(member) is { } declaration
            ? CanAddDisposalAsync(solution, type, declaration, cancellationToken)
            : Task.FromResult(false);

    /// <summary>
    /// Whether the type already has a disposal that <see cref="AddDisposalAsync"/> can put the member's disposal in,
    /// without adding <c>IDisposable</c>: its own <c>Dispose</c>/<c>DisposeAsync</c>, or a base class's virtual
    /// <c>Dispose</c> to override.
    /// </summary>
    public static bool CanAppendDisposal(INamedTypeSymbol type, ISymbol member)
        => !member.IsStatic
            && type.TypeKind is TypeKind.Class or TypeKind.Struct
            && !type.IsStatic
            && GetDeclaration(member) is { } declaration
            && (FindDisposalMethod(type) is not null
                || (!declaration.OpenBraceToken.IsMissing && !declaration.OpenBraceToken.IsKind(SyntaxKind.None) && FindOverridableBaseDispose(type) is not null));

    /// <summary>
    /// Whether a new instance member declared in <paramref name="declaration"/> could be disposed, by a disposal that
    /// somebody calls: the type's own <c>Dispose</c>/<c>DisposeAsync</c> (appended to), a base class's virtual
    /// <c>Dispose</c> (overridden: whoever disposes the base disposes it), or a new <c>IDisposable</c> implementation
    /// where the type's instances come from a dependency-injection container, which disposes what it created: a hosted
    /// service, or a type registered in this solution (<c>AddSingleton&lt;T&gt;()</c>, <c>AddHostedService&lt;T&gt;()</c>,
    /// <c>typeof(T)</c>, a factory lambda). Elsewhere a new <c>Dispose()</c> would be called by nobody: no fix.
    /// </summary>
    public static async Task<bool> CanAddDisposalAsync(Solution solution, INamedTypeSymbol type, TypeDeclarationSyntax declaration, CancellationToken cancellationToken)
    {
        if (type.TypeKind is not (TypeKind.Class or TypeKind.Struct) || type.IsStatic)
        {
            return false;
        }

        if (FindDisposalMethod(type) is not null)
        {
            return true;
        }

        // A record or class declared with ';' has no body to add a method to.
        if (declaration.OpenBraceToken.IsMissing || declaration.OpenBraceToken.IsKind(SyntaxKind.None))
        {
            return false;
        }

        if (FindOverridableBaseDispose(type) is not null)
        {
            return true;
        }

        return !ImplementsDisposable(type)
            && !type.AllInterfaces.Any(i => i.ToDisplayString() == "System.IAsyncDisposable")
            && await ContainerDisposesAsync(solution, type, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Whether a dependency-injection container creates the type's instances, and so disposes them once the type is
    /// <c>IDisposable</c>: a hosted service, or a type registered through an <c>IServiceCollection</c> extension in
    /// this solution. An instance registered as such (<c>AddSingleton(new T())</c>) is not the container's to dispose.
    /// </summary>
    private static async Task<bool> ContainerDisposesAsync(Solution solution, INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        if (type.AllInterfaces.Any(i => i.ToDisplayString() == "Microsoft.Extensions.Hosting.IHostedService"))
        {
            return true;
        }

        foreach (var referenced in await SymbolFinder.FindReferencesAsync(type, solution, cancellationToken).ConfigureAwait(false))
        {
            foreach (var location in referenced.Locations)
            {
                if (location.Document is not { } document
                    || await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false) is not { } root
                    || await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false) is not { } model)
                {
                    continue;
                }

                var node = root.FindNode(location.Location.SourceSpan, getInnermostNodeForTie: true);
                if (IsContainerRegistration(model, node, cancellationToken))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// <c>services.AddSingleton&lt;IFoo, T&gt;()</c>, <c>services.AddHostedService(typeof(T))</c>, or a factory lambda that
    /// returns <c>new T(...)</c>: <paramref name="reference"/> names the type the container creates.
    /// </summary>
    private static bool IsContainerRegistration(SemanticModel model, SyntaxNode reference, CancellationToken cancellationToken)
    {
        while (reference.Parent is QualifiedNameSyntax qualified && qualified.Right == reference)
        {
            reference = qualified;
        }

        var registration = reference.Parent switch
        {
            TypeArgumentListSyntax { Parent: GenericNameSyntax generic } => generic.Parent is MemberAccessExpressionSyntax access && access.Name == generic
                ? access.Parent as InvocationExpressionSyntax
                : generic.Parent as InvocationExpressionSyntax,
            TypeOfExpressionSyntax { Parent: ArgumentSyntax { Parent: ArgumentListSyntax { Parent: InvocationExpressionSyntax invocation } } } => invocation,
            ObjectCreationExpressionSyntax creation when creation.Type == reference => FactoryRegistration(creation),
            _ => null,
        };

        return registration is not null
            && model.GetSymbolInfo(registration, cancellationToken).Symbol is IMethodSymbol method
            && (method.ReducedFrom ?? method) is { IsExtensionMethod: true, Parameters.Length: > 0 } extension
            && extension.Parameters[0].Type.ToDisplayString() == "Microsoft.Extensions.DependencyInjection.IServiceCollection"
            && (method.Name.StartsWith("Add", System.StringComparison.Ordinal) || method.Name.StartsWith("TryAdd", System.StringComparison.Ordinal));
    }

    // `sp => new T(...)` or `sp => { ...; return new T(...); }` given to a registration call.
    private static InvocationExpressionSyntax? FactoryRegistration(ObjectCreationExpressionSyntax creation)
    {
        var lambda = creation.Parent switch
        {
            AnonymousFunctionExpressionSyntax function when function.ExpressionBody == creation => function,
            ReturnStatementSyntax @return => @return.FirstAncestorOrSelf<AnonymousFunctionExpressionSyntax>(),
            _ => null,
        };
        return lambda?.Parent is ArgumentSyntax { Parent: ArgumentListSyntax { Parent: InvocationExpressionSyntax invocation } } ? invocation : null;
    }

    public static async Task<Solution> AddDisposalAsync(Solution solution, INamedTypeSymbol type, ISymbol member, CancellationToken cancellationToken)
    {
        var newLine = (await solution.GetDocument(member.DeclaringSyntaxReferences.First().SyntaxTree)!.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!.GetElasticNewLine();
        var statement = CreateDisposeStatement(member.Name, newLine);
        if (FindDisposalMethod(type) is { } existing)
        {
            var methodReference = existing.DeclaringSyntaxReferences.First();
            var document = solution.GetDocument(methodReference.SyntaxTree);
            if (document is null || await methodReference.GetSyntaxAsync(cancellationToken).ConfigureAwait(false) is not MethodDeclarationSyntax method)
            {
                return solution;
            }

            var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            var updated = AppendToDisposalMethod(method, existing, statement, newLine);
            return solution.WithDocumentSyntaxRoot(document.Id, root!.ReplaceNode(method, updated));
        }

        var declaration = GetDeclaration(member);
        var declarationDocument = declaration is null ? null : solution.GetDocument(declaration.SyntaxTree);
        if (declaration is null || declarationDocument is null)
        {
            return solution;
        }

        TypeDeclarationSyntax newDeclaration;
        if (FindOverridableBaseDispose(type) is { } baseDispose)
        {
            var accessibility = baseDispose.DeclaredAccessibility == Accessibility.Public ? "public" : "protected";
            var text = baseDispose.Parameters.Length == 1
                ? $"{accessibility} override void Dispose(bool disposing)\n{{\n    if (disposing)\n    {{\n        {member.Name}?.Dispose();\n    }}\n\n    base.Dispose(disposing);\n}}\n"
                : $"{accessibility} override void Dispose()\n{{\n    {member.Name}?.Dispose();\n    base.Dispose();\n}}\n";
            newDeclaration = declaration.AddMembers(CreateMember(text, newLine));
        }
        else
        {
            newDeclaration = AddDisposableBase(declaration.AddMembers(CreateMember($"public void Dispose()\n{{\n    {member.Name}?.Dispose();\n}}\n", newLine)));
        }

        var declarationRoot = await declarationDocument.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var changed = declarationDocument.WithSyntaxRoot(declarationRoot!.ReplaceNode(declaration, newDeclaration));

        // The code action's clean-up simplifies names but does not add the using that lets `IDisposable` stand alone.
        changed = await ImportEditor.AddImportsAsync(changed, cancellationToken).ConfigureAwait(false);
        return changed.Project.Solution;
    }

    private static TypeDeclarationSyntax? GetDeclaration(ISymbol member)
        => member.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax().FirstAncestorOrSelf<TypeDeclarationSyntax>();

    private static StatementSyntax CreateDisposeStatement(string memberName, SyntaxTrivia newLine)
        => SyntaxFactory.ParseStatement($"{memberName}?.Dispose();")
            .WithLeadingTrivia(SyntaxFactory.ElasticMarker)
            .WithTrailingTrivia(newLine)
            .WithAdditionalAnnotations(Formatter.Annotation);

    private static MemberDeclarationSyntax CreateMember(string text, SyntaxTrivia newLine)
        => SyntaxFactory.ParseMemberDeclaration(text.Replace("\n", newLine.ToString()))!
            .WithLeadingTrivia(newLine)
            .WithTrailingTrivia(newLine)
            .WithAdditionalAnnotations(Formatter.Annotation);

    /// <summary>The type's own disposal method with source we can edit, the dispose pattern's <c>Dispose(bool)</c> first.</summary>
    private static IMethodSymbol? FindDisposalMethod(INamedTypeSymbol type)
    {
        IMethodSymbol? best = null;
        var bestRank = int.MaxValue;
        foreach (var candidate in type.GetMembers().OfType<IMethodSymbol>())
        {
            if (candidate.IsStatic || candidate.DeclaringSyntaxReferences.Length == 0 || candidate.IsAbstract)
            {
                continue;
            }

            var rank = candidate switch
            {
                { Name: "Dispose", Parameters.Length: 1 } when candidate.Parameters[0].Type.SpecialType == SpecialType.System_Boolean => 0,
                { Name: "Dispose", Parameters.Length: 0, ReturnsVoid: true } => 1,
                { Name: "System.IDisposable.Dispose", Parameters.Length: 0 } => 2,
                { Name: "DisposeAsync", Parameters.Length: 0 } => 3,
                { Name: "System.IAsyncDisposable.DisposeAsync", Parameters.Length: 0 } => 4,
                _ => int.MaxValue,
            };
            if (rank < bestRank && candidate.DeclaringSyntaxReferences[0].GetSyntax() is MethodDeclarationSyntax { Body: not null } or MethodDeclarationSyntax { ExpressionBody: not null })
            {
                best = candidate;
                bestRank = rank;
            }
        }

        return best;
    }

    private static IMethodSymbol? FindOverridableBaseDispose(INamedTypeSymbol type)
    {
        for (var baseType = type.BaseType; baseType is not null && baseType.SpecialType != SpecialType.System_Object; baseType = baseType.BaseType)
        {
            IMethodSymbol? parameterless = null;
            foreach (var candidate in baseType.GetMembers("Dispose").OfType<IMethodSymbol>())
            {
                var overridable = (candidate.IsVirtual || candidate.IsAbstract || candidate.IsOverride) && !candidate.IsSealed && !candidate.IsStatic
                    && candidate.DeclaredAccessibility is Accessibility.Public or Accessibility.Protected or Accessibility.ProtectedOrInternal;
                if (!overridable)
                {
                    continue;
                }

                if (candidate.Parameters.Length == 1 && candidate.Parameters[0].Type.SpecialType == SpecialType.System_Boolean)
                {
                    return candidate;
                }

                if (candidate.Parameters.Length == 0)
                {
                    parameterless = candidate;
                }
            }

            if (parameterless is not null)
            {
                return parameterless;
            }
        }

        return null;
    }

    private static bool ImplementsDisposable(INamedTypeSymbol type)
        => type.AllInterfaces.Any(i => i.SpecialType == SpecialType.System_IDisposable);

    private static MethodDeclarationSyntax AppendToDisposalMethod(MethodDeclarationSyntax method, IMethodSymbol symbol, StatementSyntax statement, SyntaxTrivia newLine)
    {
        if (method.Body is null && method.ExpressionBody is { } arrow)
        {
            // `=> expression;` becomes a block: the expression stays first when it is a statement of its own,
            // and is returned last when the method returns its value.
            var expression = arrow.Expression.WithoutTrivia();
            var keepsValue = !symbol.ReturnsVoid && !symbol.IsAsync;
            var body = keepsValue
                ? SyntaxFactory.Block(statement, SyntaxFactory.ReturnStatement(expression))
                : SyntaxFactory.Block(SyntaxFactory.ExpressionStatement(expression), statement);
            return method
                .WithExpressionBody(null)
                .WithSemicolonToken(default)
                .WithParameterList(method.ParameterList.WithTrailingTrivia(newLine))
                .WithBody(body.WithTrailingTrivia(method.SemicolonToken.TrailingTrivia))
                .WithAdditionalAnnotations(Formatter.Annotation);
        }

        var block = method.Body!;
        if (symbol.Parameters.Length == 1)
        {
            var disposingName = symbol.Parameters[0].Name;
            foreach (var candidate in block.Statements.OfType<IfStatementSyntax>())
            {
                if (candidate.Condition is IdentifierNameSyntax { Identifier.ValueText: var name } && name == disposingName && candidate.Statement is BlockSyntax inner)
                {
                    return method.ReplaceNode(inner, InsertBeforeTail(inner, statement));
                }
            }

            statement = SyntaxFactory.IfStatement(SyntaxFactory.IdentifierName(disposingName), SyntaxFactory.Block(statement))
                .WithTrailingTrivia(newLine)
                .WithAdditionalAnnotations(Formatter.Annotation);
        }

        return method.WithBody(InsertBeforeTail(block, statement));
    }

    // The base call, GC.SuppressFinalize and a return are conventionally last: new disposals go before them.
    private static BlockSyntax InsertBeforeTail(BlockSyntax block, StatementSyntax statement)
    {
        var index = block.Statements.Count;
        while (index > 0 && IsTail(block.Statements[index - 1]))
        {
            index--;
        }

        return block.WithStatements(block.Statements.Insert(index, statement));
    }

    private static bool IsTail(StatementSyntax statement)
        => statement switch
        {
            ReturnStatementSyntax => true,
            ExpressionStatementSyntax { Expression: AwaitExpressionSyntax { Expression: var awaited } } => IsTailCall(awaited),
            ExpressionStatementSyntax { Expression: var expression } => IsTailCall(expression),
            _ => false,
        };

    private static bool IsTailCall(ExpressionSyntax expression)
        => expression is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access }
            && (access.Expression is BaseExpressionSyntax
                || (access.Name.Identifier.ValueText == "SuppressFinalize" && access.Expression is IdentifierNameSyntax { Identifier.ValueText: "GC" }));

    private static TypeDeclarationSyntax AddDisposableBase(TypeDeclarationSyntax declaration)
    {
        var disposable = SyntaxFactory.SimpleBaseType(SyntaxFactory.ParseTypeName("global::System.IDisposable").WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation));
        if (declaration.BaseList is { } baseList)
        {
            return declaration.WithBaseList(baseList.AddTypes(disposable));
        }

        // The token before the new base list keeps only a space; its line break moves after the list.
        var previous = declaration.ParameterList?.CloseParenToken ?? declaration.TypeParameterList?.GreaterThanToken ?? declaration.Identifier;
        var trailing = previous.TrailingTrivia;
        var withSpace = declaration.ReplaceToken(previous, previous.WithTrailingTrivia(SyntaxFactory.Space));
        var newList = SyntaxFactory.BaseList(SyntaxFactory.SingletonSeparatedList<BaseTypeSyntax>(disposable))
            .WithColonToken(SyntaxFactory.Token(SyntaxKind.ColonToken).WithTrailingTrivia(SyntaxFactory.Space))
            .WithTrailingTrivia(trailing);
        return withSpace.WithBaseList(newList);
    }
}
