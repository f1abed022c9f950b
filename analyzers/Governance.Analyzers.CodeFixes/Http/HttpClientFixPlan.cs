using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Governance.Analyzers.Http;

/// <summary>The syntactic shape of a client that GOV4001 reports.</summary>
internal enum HttpClientShape
{
    /// <summary><c>[using] var client = new HttpClient(...);</c></summary>
    Declaration,

    /// <summary><c>using (var client = new HttpClient(...)) { ... }</c></summary>
    UsingStatement,

    /// <summary><c>new HttpClient(...).GetStringAsync(...)</c></summary>
    Inline,
}

/// <summary>
/// What the GOV4001 fixes need to know about a reported creation: its shape, the local that holds it and every use of
/// that local, and whether the client could be shared as it is (only sends and reads of plain values: a client that
/// is configured per call cannot).
/// </summary>
internal sealed class HttpClientFixPlan
{
    private HttpClientFixPlan(
        BaseObjectCreationExpressionSyntax creation,
        HttpClientShape shape,
        StatementSyntax? statement,
        ILocalSymbol? local,
        IReadOnlyList<IdentifierNameSyntax> references,
        IReadOnlyList<StatementSyntax> disposals,
        bool onlySendsAndReads,
        TypeDeclarationSyntax declaration,
        INamedTypeSymbol type,
        ITypeSymbol clientType,
        bool inStaticCode)
    {
        Creation = creation;
        Shape = shape;
        Statement = statement;
        Local = local;
        References = references;
        Disposals = disposals;
        OnlySendsAndReads = onlySendsAndReads;
        Declaration = declaration;
        Type = type;
        ClientType = clientType;
        InStaticCode = inStaticCode;
    }

    public BaseObjectCreationExpressionSyntax Creation { get; }

    public HttpClientShape Shape { get; }

    /// <summary>The local declaration or <c>using</c> statement; null for an inline client.</summary>
    public StatementSyntax? Statement { get; }

    public ILocalSymbol? Local { get; }

    /// <summary>Every reference to the local in its member, disposals included.</summary>
    public IReadOnlyList<IdentifierNameSyntax> References { get; }

    /// <summary>Statements that only dispose the client (<c>client.Dispose();</c>, <c>client?.Dispose();</c>).</summary>
    public IReadOnlyList<StatementSyntax> Disposals { get; }

    /// <summary>
    /// Every use sends a request or reads a plain value (<c>BaseAddress</c>, <c>Timeout</c>): nothing configures the
    /// client per call, so one shared client behaves the same.
    /// </summary>
    public bool OnlySendsAndReads { get; }

    public TypeDeclarationSyntax Declaration { get; }

    public INamedTypeSymbol Type { get; }

    public ITypeSymbol ClientType { get; }

    /// <summary>The creation runs in static code (a static member, or a static lambda or local function): no instance field is reachable.</summary>
    public bool InStaticCode { get; }

    public static HttpClientFixPlan? Create(SemanticModel model, SyntaxNode node, CancellationToken cancellationToken)
    {
        if (node is not BaseObjectCreationExpressionSyntax creation
            || creation.FirstAncestorOrSelf<TypeDeclarationSyntax>() is not { } declaration
            || declaration.IsKind(SyntaxKind.InterfaceDeclaration)
            || declaration.OpenBraceToken.IsMissing || declaration.OpenBraceToken.IsKind(SyntaxKind.None)
            || model.GetTypeInfo(creation, cancellationToken).Type is not { TypeKind: TypeKind.Class } clientType
            || model.GetDeclaredSymbol(declaration, cancellationToken) is not { } type
            || model.GetEnclosingSymbol(creation.SpanStart, cancellationToken) is not { } enclosing)
        {
            return null;
        }

        var inStaticCode = false;
        var member = enclosing;
        while (member is IMethodSymbol { MethodKind: MethodKind.AnonymousFunction or MethodKind.LocalFunction } function)
        {
            inStaticCode |= function.IsStatic;
            member = function.ContainingSymbol;
        }

        inStaticCode |= member.IsStatic;
        if (!SymbolEqualityComparer.Default.Equals(member.ContainingType, type))
        {
            return null;
        }

        var shape = HttpClientShape.Inline;
        StatementSyntax? statement = null;
        VariableDeclaratorSyntax? declarator = null;
        if (creation.Parent is EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax variable } && variable.Parent is VariableDeclarationSyntax { Variables.Count: 1 } variables)
        {
            declarator = variable;
            switch (variables.Parent)
            {
                case LocalDeclarationStatementSyntax local when local.Parent is BlockSyntax && local.AwaitKeyword.IsKind(SyntaxKind.None):
                    shape = HttpClientShape.Declaration;
                    statement = local;
                    break;
                case UsingStatementSyntax usingStatement when usingStatement.AwaitKeyword.IsKind(SyntaxKind.None):
                    shape = HttpClientShape.UsingStatement;
                    statement = usingStatement;
                    break;
                default:
                    return null;
            }
        }
        else if (!IsInlineReceiver(creation))
        {
            return null;
        }

        var references = new List<IdentifierNameSyntax>();
        var disposals = new List<StatementSyntax>();
        var onlySendsAndReads = IsShareable(creation, model, cancellationToken);
        ILocalSymbol? localSymbol = null;
        if (declarator is not null)
        {
            localSymbol = model.GetDeclaredSymbol(declarator, cancellationToken) as ILocalSymbol;
            var body = creation.FirstAncestorOrSelf<MemberDeclarationSyntax>();
            if (localSymbol is null || body is null)
            {
                return null;
            }

            foreach (var identifier in body.DescendantNodes().OfType<IdentifierNameSyntax>())
            {
                if (identifier.Identifier.ValueText != localSymbol.Name
                    || !SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(identifier, cancellationToken).Symbol, localSymbol))
                {
                    continue;
                }

                references.Add(identifier);
                switch (ClassifyUse(identifier, model, cancellationToken, out var disposal))
                {
                    case Use.Disposal:
                        disposals.Add(disposal!);
                        break;
                    case Use.Other:
                        onlySendsAndReads = false;
                        break;
                }
            }
        }

        return new HttpClientFixPlan(creation, shape, statement, localSymbol, references, disposals, onlySendsAndReads, declaration, type, clientType, inStaticCode);
    }

    // `new HttpClient().GetAsync(...)`, `(new HttpClient()).GetFromJsonAsync<T>(...)`
    private static bool IsInlineReceiver(ExpressionSyntax creation)
    {
        var receiver = creation;
        while (receiver.Parent is ParenthesizedExpressionSyntax parenthesized)
        {
            receiver = parenthesized;
        }

        return receiver.Parent is MemberAccessExpressionSyntax { Parent: InvocationExpressionSyntax } access && access.Expression == receiver;
    }

    private enum Use
    {
        SendOrRead,
        Disposal,
        Other,
    }

    private static Use ClassifyUse(IdentifierNameSyntax identifier, SemanticModel model, CancellationToken cancellationToken, out StatementSyntax? disposal)
    {
        disposal = null;
        ExpressionSyntax? memberName = null;
        SyntaxNode usage;
        switch (identifier.Parent)
        {
            case MemberAccessExpressionSyntax access when access.Expression == identifier:
                memberName = access.Name;
                usage = access;
                break;
            case ConditionalAccessExpressionSyntax conditional when conditional.Expression == identifier
                && conditional.WhenNotNull is InvocationExpressionSyntax { Expression: MemberBindingExpressionSyntax binding }:
                memberName = binding.Name;
                usage = conditional.WhenNotNull;
                break;
            default:
                return Use.Other;
        }

        var symbol = model.GetSymbolInfo(memberName, cancellationToken).Symbol;
        if (usage.Parent is InvocationExpressionSyntax invocation && invocation.Expression == usage
            || usage is InvocationExpressionSyntax)
        {
            if (symbol is not IMethodSymbol method)
            {
                return Use.Other;
            }

            if (method.Name == "Dispose" && method.Parameters.Length == 0)
            {
                var call = usage is InvocationExpressionSyntax ? identifier.Parent! : usage.Parent!;
                if (call.Parent is ExpressionStatementSyntax { Parent: BlockSyntax block } statement && block.Parent is not FinallyClauseSyntax)
                {
                    disposal = statement;
                    return Use.Disposal;
                }

                return Use.Other;
            }

            return IsSendMethod(method) ? Use.SendOrRead : Use.Other;
        }

        // A read of a plain value; a write, or a read of a mutable object (DefaultRequestHeaders), configures the client.
        return symbol is IPropertySymbol property
            && (property.Type.IsValueType || property.Type.SpecialType == SpecialType.System_String || property.Type.ToDisplayString() == "System.Uri")
            && !IsWritten(usage)
                ? Use.SendOrRead
                : Use.Other;
    }

    private static bool IsWritten(SyntaxNode usage)
        => usage.Parent is AssignmentExpressionSyntax assignment && assignment.Left == usage
            || usage.Parent is ArgumentSyntax { RefKindKeyword.RawKind: not 0 }
            || usage.Parent is PrefixUnaryExpressionSyntax or PostfixUnaryExpressionSyntax;

    /// <summary>The same sends the analyzer knows: HttpClient's own, and its extension methods from System.Net.Http.</summary>
    private static bool IsSendMethod(IMethodSymbol method)
    {
        var reduced = method.ReducedFrom ?? method;
        if (reduced.IsExtensionMethod)
        {
            return reduced.ContainingNamespace?.ToDisplayString() is { } ns && (ns == "System.Net.Http" || ns.StartsWith("System.Net.Http.", System.StringComparison.Ordinal));
        }

        var owner = method.ContainingType?.ToDisplayString();
        return owner is "System.Net.Http.HttpClient" or "System.Net.Http.HttpMessageInvoker"
            && method.Name is "Send" or "SendAsync" or "GetAsync" or "PostAsync" or "PutAsync" or "DeleteAsync" or "PatchAsync"
                or "GetStringAsync" or "GetStreamAsync" or "GetByteArrayAsync";
    }

    /// <summary>
    /// Whether the creation's arguments and initializer can move to a static field initializer: they read only
    /// constants, static members, types and what they declare themselves (lambda parameters), never <c>this</c>, a
    /// local, a parameter or a method's type parameter.
    /// </summary>
    private static bool IsShareable(BaseObjectCreationExpressionSyntax creation, SemanticModel model, CancellationToken cancellationToken)
    {
        foreach (var node in creation.DescendantNodes())
        {
            if (node is ThisExpressionSyntax or BaseExpressionSyntax)
            {
                return false;
            }

            if (node is not SimpleNameSyntax name || IsMemberName(name) || IsInitializedMember(name))
            {
                continue;
            }

            var symbol = model.GetSymbolInfo(name, cancellationToken).Symbol;
            switch (symbol)
            {
                case null:
                    return false;
                case ITypeParameterSymbol typeParameter when typeParameter.TypeParameterKind != TypeParameterKind.Type:
                    // A method's type parameter does not exist where a static field is initialized.
                    return false;
                case INamespaceSymbol:
                case ITypeSymbol:
                    break;
                case IFieldSymbol { IsStatic: true } or IFieldSymbol { IsConst: true }:
                case IPropertySymbol { IsStatic: true }:
                case IEventSymbol { IsStatic: true }:
                case IMethodSymbol { IsStatic: true }:
                case IMethodSymbol { MethodKind: MethodKind.Constructor or MethodKind.ReducedExtension }:
                    break;
                case ILocalSymbol or IParameterSymbol when IsDeclaredWithin(symbol, creation):
                    break;
                default:
                    return false;
            }
        }

        return true;
    }

    // The `Y` of `x.Y`, `x?.Y`: decided by `x`.
    private static bool IsMemberName(SimpleNameSyntax name)
        => name.Parent is MemberAccessExpressionSyntax access && access.Name == name
            || name.Parent is MemberBindingExpressionSyntax;

    // `Property = value` inside an object initializer names a member of the new object.
    private static bool IsInitializedMember(SimpleNameSyntax name)
        => name.Parent is AssignmentExpressionSyntax { Parent: InitializerExpressionSyntax } assignment && assignment.Left == name;

    private static bool IsDeclaredWithin(ISymbol symbol, SyntaxNode container)
        => symbol.DeclaringSyntaxReferences.Length > 0
            && symbol.DeclaringSyntaxReferences.All(r => r.SyntaxTree == container.SyntaxTree && container.Span.Contains(r.Span));
}
