using System.Threading;
using Governance.Analyzers.Editing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Governance.Analyzers.Timers;

/// <summary>Where the GOV2002 fix applies: an instance member of a class or struct that can be given a disposal.</summary>
internal sealed class TimerFieldPlan
{
    private TimerFieldPlan(ExpressionStatementSyntax statement, ExpressionSyntax creation, TypeDeclarationSyntax declaration, INamedTypeSymbol type, ITypeSymbol timerType, bool inConstructor, bool nullableEnabled)
    {
        Statement = statement;
        Creation = creation;
        Declaration = declaration;
        Type = type;
        TimerType = timerType;
        InConstructor = inConstructor;
        NullableEnabled = nullableEnabled;
    }

    public ExpressionStatementSyntax Statement { get; }

    public ExpressionSyntax Creation { get; }

    public TypeDeclarationSyntax Declaration { get; }

    public INamedTypeSymbol Type { get; }

    public ITypeSymbol TimerType { get; }

    public bool InConstructor { get; }

    public bool NullableEnabled { get; }

    public static TimerFieldPlan? Create(SemanticModel model, SyntaxNode node, CancellationToken cancellationToken)
    {
        if (node is not ExpressionSyntax creation
            || creation.FirstAncestorOrSelf<ExpressionStatementSyntax>() is not { Parent: BlockSyntax } statement
            || statement.FirstAncestorOrSelf<TypeDeclarationSyntax>() is not { } declaration
            || model.GetTypeInfo(creation, cancellationToken).Type is not { } timerType
            || model.GetEnclosingSymbol(statement.SpanStart, cancellationToken) is not { } enclosing)
        {
            return null;
        }

        // Walk out of lambdas and local functions; a static one cannot reach an instance field.
        var member = enclosing;
        while (member is IMethodSymbol { MethodKind: MethodKind.AnonymousFunction or MethodKind.LocalFunction } function)
        {
            if (function.IsStatic)
            {
                return null;
            }

            member = function.ContainingSymbol;
        }

        if (member.IsStatic || member.ContainingType is not { } type || !DisposalEditor.CanAddDisposal(type, declaration))
        {
            return null;
        }

        var inConstructor = member is IMethodSymbol { MethodKind: MethodKind.Constructor } && SymbolEqualityComparer.Default.Equals(member, enclosing);
        var nullableEnabled = (model.GetNullableContext(statement.SpanStart) & NullableContext.AnnotationsEnabled) != 0;
        return new TimerFieldPlan(statement, creation, declaration, type, timerType, inConstructor, nullableEnabled);
    }
}
