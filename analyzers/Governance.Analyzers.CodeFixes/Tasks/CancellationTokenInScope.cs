using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Governance.Analyzers.Tasks;

/// <summary>
/// The one cancellation token a loop should observe, as the GOV1003 and GOV1004 fixes look for it: a
/// <c>CancellationToken</c> parameter or local visible at the loop (the nearest function's first), otherwise the
/// type's own <c>CancellationToken</c> field or property, or its <c>CancellationTokenSource</c> that the type cancels.
/// Two equally near candidates are ambiguous and give none: the fix does not guess.
/// </summary>
internal sealed class CancellationTokenInScope
{
    private CancellationTokenInScope(string name, bool isSource)
    {
        Name = name;
        IsSource = isSource;
    }

    /// <summary>The parameter, local or member name, as code at the loop can use it.</summary>
    public string Name { get; }

    /// <summary>Whether <see cref="Name"/> is a <c>CancellationTokenSource</c> (its token is <c>Name.Token</c>).</summary>
    public bool IsSource { get; }

    /// <summary>The token: <c>token</c>, or <c>_cts.Token</c> for a source.</summary>
    public string TokenExpression => IsSource ? Name + ".Token" : Name;

    public static CancellationTokenInScope? Find(SemanticModel model, SyntaxNode at, CancellationToken cancellationToken)
        => Find(model, at, out _, cancellationToken);

    /// <param name="ambiguous">True when tokens are in scope but none is clearly the one: the caller offers no fix.</param>
    public static CancellationTokenInScope? Find(SemanticModel model, SyntaxNode at, out bool ambiguous, CancellationToken cancellationToken)
    {
        ambiguous = false;
        var tokenType = model.Compilation.GetTypeByMetadataName("System.Threading.CancellationToken");
        var sourceType = model.Compilation.GetTypeByMetadataName("System.Threading.CancellationTokenSource");
        if (tokenType is null)
        {
            return null;
        }

        var position = at.SpanStart;
        var visible = model.LookupSymbols(position);

        // Parameters and locals: the nearest function that has one wins; within it, a local (a linked or derived token)
        // before the parameters.
        var variables = visible
            .Where(s => s is IParameterSymbol or ILocalSymbol && SymbolEqualityComparer.Default.Equals(TypeOf(s), tokenType))
            .Where(s => s is not ILocalSymbol local || IsDeclaredBefore(local, position, cancellationToken))
            .Select(s => (Symbol: s, Distance: FunctionDistance(at, s, cancellationToken)))
            .Where(c => c.Distance >= 0)
            .ToList();
        if (variables.Count > 0)
        {
            var nearest = variables.Min(c => c.Distance);
            var atNearest = variables.Where(c => c.Distance == nearest).Select(c => c.Symbol).ToList();
            var locals = atNearest.Where(s => s is ILocalSymbol).ToList();
            var chosen = locals.Count > 0 ? locals : atNearest;
            ambiguous = chosen.Count != 1;
            return chosen.Count == 1 ? new CancellationTokenInScope(chosen[0].Name, isSource: false) : null;
        }

        // The type's own members: a token it was given, or a source it cancels when it stops.
        if (model.GetEnclosingSymbol(position, cancellationToken) is not { } enclosing || enclosing.ContainingType is not { } type)
        {
            return null;
        }

        var staticContext = IsInStaticContext(at, enclosing);
        var members = type.GetMembers()
            .Where(m => m is IFieldSymbol { IsImplicitlyDeclared: false } or IPropertySymbol { IsIndexer: false, GetMethod: not null })
            .Where(m => !staticContext || m.IsStatic)
            .Select(m => (Member: m, Type: TypeOf(m), Annotation: AnnotationOf(m)))
            .Where(m => m.Annotation != NullableAnnotation.Annotated)
            .ToList();
        var tokens = members.Where(m => SymbolEqualityComparer.Default.Equals(m.Type, tokenType)).ToList();
        var candidates = tokens.Count > 0
            ? tokens.Select(m => new CancellationTokenInScope(m.Member.Name, isSource: false)).ToList()
            : members.Where(m => sourceType is not null && IsOrDerives(m.Type, sourceType) && IsCancelledByType(m.Member, type, cancellationToken))
                .Select(m => new CancellationTokenInScope(m.Member.Name, isSource: true)).ToList();
        if (candidates.Count != 1)
        {
            ambiguous = candidates.Count > 1;
            return null;
        }

        // A local or parameter of the same name would hide the member.
        var bound = model.LookupSymbols(position, name: candidates[0].Name);
        if (bound.Length == 1 && bound[0].Kind is SymbolKind.Field or SymbolKind.Property)
        {
            return candidates[0];
        }

        ambiguous = true;
        return null;
    }

    /// <summary>
    /// How many function boundaries (lambdas, local functions) lie between <paramref name="at"/> and the function that
    /// declares <paramref name="symbol"/>; -1 when a <c>static</c> lambda or local function in between cannot capture it.
    /// </summary>
    private static int FunctionDistance(SyntaxNode at, ISymbol symbol, CancellationToken cancellationToken)
    {
        var declaringFunction = symbol.ContainingSymbol?.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken);
        var distance = 0;
        foreach (var ancestor in at.Ancestors())
        {
            if (ancestor == declaringFunction || (declaringFunction is null && ancestor is MemberDeclarationSyntax or CompilationUnitSyntax))
            {
                return distance;
            }

            switch (ancestor)
            {
                case AnonymousFunctionExpressionSyntax lambda:
                    if (lambda.Modifiers.Any(SyntaxKind.StaticKeyword))
                    {
                        return -1;
                    }

                    distance++;
                    break;
                case LocalFunctionStatementSyntax local:
                    if (local.Modifiers.Any(SyntaxKind.StaticKeyword))
                    {
                        return -1;
                    }

                    distance++;
                    break;
            }
        }

        // Top-level statements: the declaring "function" is the compilation unit.
        return distance;
    }

    private static bool IsDeclaredBefore(ILocalSymbol local, int position, CancellationToken cancellationToken)
        => local.DeclaringSyntaxReferences.Length == 1 && local.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken).Span.End <= position;

    /// <summary>A static method, or a static lambda or local function around the loop: no instance members.</summary>
    private static bool IsInStaticContext(SyntaxNode at, ISymbol enclosing)
    {
        foreach (var ancestor in at.Ancestors())
        {
            if (ancestor is AnonymousFunctionExpressionSyntax lambda && lambda.Modifiers.Any(SyntaxKind.StaticKeyword)
                || ancestor is LocalFunctionStatementSyntax local && local.Modifiers.Any(SyntaxKind.StaticKeyword))
            {
                return true;
            }

            if (ancestor is MemberDeclarationSyntax)
            {
                break;
            }
        }

        for (var symbol = enclosing; symbol is not null && symbol is not INamedTypeSymbol; symbol = symbol.ContainingSymbol)
        {
            if (symbol.IsStatic && symbol is IMethodSymbol { MethodKind: not (MethodKind.AnonymousFunction or MethodKind.LocalFunction) })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Somewhere in the type (any partial declaration) calls <c>Cancel</c>, <c>CancelAsync</c> or <c>CancelAfter</c> on the member.</summary>
    private static bool IsCancelledByType(ISymbol member, INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            foreach (var access in reference.GetSyntax(cancellationToken).DescendantNodes().OfType<MemberAccessExpressionSyntax>())
            {
                var target = access.Expression switch
                {
                    IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
                    MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax } self => self.Name.Identifier.ValueText,
                    _ => null,
                };
                if (access.Name.Identifier.ValueText is "Cancel" or "CancelAsync" or "CancelAfter" && target == member.Name)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool IsOrDerives(ITypeSymbol? type, INamedTypeSymbol baseType)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current, baseType))
            {
                return true;
            }
        }

        return false;
    }

    private static ITypeSymbol? TypeOf(ISymbol symbol)
        => symbol switch
        {
            IParameterSymbol parameter => parameter.Type,
            ILocalSymbol local => local.Type,
            IFieldSymbol field => field.Type,
            IPropertySymbol property => property.Type,
            _ => null,
        };

    private static NullableAnnotation AnnotationOf(ISymbol symbol)
        => symbol switch
        {
            IFieldSymbol field => field.NullableAnnotation,
            IPropertySymbol property => property.NullableAnnotation,
            _ => NullableAnnotation.None,
        };

    /// <summary>The names a new local at <paramref name="at"/> must not take: every name visible there or declared in <paramref name="block"/>.</summary>
    public static HashSet<string> NamesInUse(SemanticModel model, SyntaxNode at, SyntaxNode block)
    {
        var names = new HashSet<string>(model.LookupSymbols(at.SpanStart).Select(s => s.Name));
        foreach (var node in block.DescendantNodes())
        {
            switch (node)
            {
                case VariableDeclaratorSyntax declarator:
                    names.Add(declarator.Identifier.ValueText);
                    break;
                case SingleVariableDesignationSyntax designation:
                    names.Add(designation.Identifier.ValueText);
                    break;
                case ParameterSyntax parameter:
                    names.Add(parameter.Identifier.ValueText);
                    break;
                case ForEachStatementSyntax forEach:
                    names.Add(forEach.Identifier.ValueText);
                    break;
                case LocalFunctionStatementSyntax local:
                    names.Add(local.Identifier.ValueText);
                    break;
                case CatchDeclarationSyntax { Identifier.ValueText: { Length: > 0 } caught }:
                    names.Add(caught);
                    break;
            }
        }

        return names;
    }
}
