using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Governance.Analyzers.Editing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Governance.Analyzers.Timers;

/// <summary>
/// Where the GOV2002 fix applies: an instance member of a class or struct whose disposal somebody calls (see
/// <see cref="DisposalEditor.CanAddDisposalAsync(Solution, INamedTypeSymbol, TypeDeclarationSyntax, CancellationToken)"/>),
/// created in a constructor, or in a method that makes the same periodic timer on every call, which then replaces
/// the previous one. A method that makes one per call with its own state (a parameter, a local), or in a loop or a
/// lambda, or a one-shot timer (a pending callback per call), would lose all but the last in a single field: no fix.
/// </summary>
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

    public static async Task<TimerFieldPlan?> CreateAsync(Solution solution, SemanticModel model, SyntaxNode node, CancellationToken cancellationToken)
        => Create(model, node, cancellationToken) is { } plan
            && await DisposalEditor.CanAddDisposalAsync(solution, plan.Type, plan.Declaration, cancellationToken).ConfigureAwait(false)
                ? plan
                : null;

    private static TimerFieldPlan? Create(SemanticModel model, SyntaxNode node, CancellationToken cancellationToken)
    {
        if (node is not ExpressionSyntax creation
            || creation.FirstAncestorOrSelf<ExpressionStatementSyntax>() is not { Parent: BlockSyntax } statement
            || statement.FirstAncestorOrSelf<TypeDeclarationSyntax>() is not { } declaration
            || model.GetTypeInfo(creation, cancellationToken).Type is not { } timerType
            || model.GetEnclosingSymbol(statement.SpanStart, cancellationToken) is not IMethodSymbol { IsStatic: false, ContainingType: { } type } member
            || member.MethodKind is MethodKind.AnonymousFunction or MethodKind.LocalFunction)
        {
            return null;
        }

        var inConstructor = member.MethodKind == MethodKind.Constructor;
        if (!inConstructor && !MakesTheSameTimerEachCall(model, creation, statement, cancellationToken))
        {
            return null;
        }

        var nullableEnabled = (model.GetNullableContext(statement.SpanStart) & NullableContext.AnnotationsEnabled) != 0;
        return new TimerFieldPlan(statement, creation, declaration, type, timerType, inConstructor, nullableEnabled);
    }

    /// <summary>
    /// A periodic timer, outside any loop, whose arguments use no parameter or local of the method: every call makes
    /// the same timer, so keeping the latest (and disposing the one before) is what the method means.
    /// </summary>
    private static bool MakesTheSameTimerEachCall(SemanticModel model, ExpressionSyntax creation, StatementSyntax statement, CancellationToken cancellationToken)
    {
        if (statement.Ancestors().TakeWhile(a => a is not MemberDeclarationSyntax).Any(a => a is CommonForEachStatementSyntax or ForStatementSyntax or WhileStatementSyntax or DoStatementSyntax))
        {
            return false;
        }

        var symbols = TimerSymbols.Create(model.Compilation);
        if (symbols is null || model.GetOperation(creation, cancellationToken) is not { } operation || symbols.IsOneShot(operation))
        {
            return false;
        }

        foreach (var name in creation.DescendantNodes().OfType<IdentifierNameSyntax>())
        {
            if (model.GetSymbolInfo(name, cancellationToken).Symbol is { } symbol
                && symbol is IParameterSymbol or ILocalSymbol
                && !symbol.DeclaringSyntaxReferences.Any(r => r.SyntaxTree == creation.SyntaxTree && creation.Span.Contains(r.Span)))
            {
                return false;
            }
        }

        return true;
    }
}
