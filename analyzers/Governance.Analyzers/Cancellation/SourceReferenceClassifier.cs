using Governance.Analyzers.Operations;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Governance.Analyzers.Cancellation;

internal static class SourceReferenceClassifier
{
    /// <summary>
    /// Classifies one reference to a local, field or property that may hold a source. Anything not recognised is an
    /// escape: a false "escaped" costs a missed report, a false "neutral" a wrong one.
    /// </summary>
    public static SourceReferenceUse Classify(IOperation reference, CancellationSymbols symbols)
    {
        var consumer = reference.GetConsumer(out var child);
        switch (consumer)
        {
            case IAssignmentOperation assignment when assignment.Target == child:
                return SourceReferenceUse.Assigned;
            case IInvocationOperation invocation when invocation.Instance == child:
                return ClassifyCall(invocation, symbols);
            case IMemberReferenceOperation member when member.Instance == child:
                return SourceReferenceUse.Neutral;
            case IConditionalAccessOperation conditional when conditional.Operation == child:
                return conditional.WhenNotNull.WalkDownConversions() is IInvocationOperation { Instance: IConditionalAccessInstanceOperation } call
                    ? ClassifyCall(call, symbols)
                    : SourceReferenceUse.Neutral;
            case IUsingOperation:
            case IVariableInitializerOperation initializer when IsUsingDeclarator(initializer):
                // `using (cts)`, `using var alias = cts;`, `await using (var alias = cts)`: the alias disposes it.
                return SourceReferenceUse.Disposed;
            case IBinaryOperation:
            case IIsPatternOperation:
            case IIsTypeOperation:
            case INameOfOperation:
            case IExpressionStatementOperation:
                return SourceReferenceUse.Neutral;
            default:
                return SourceReferenceUse.Escaped;
        }
    }

    private static SourceReferenceUse ClassifyCall(IInvocationOperation invocation, CancellationSymbols symbols)
    {
        var method = invocation.TargetMethod;
        if (CancellationSymbols.IsDispose(method))
        {
            return SourceReferenceUse.Disposed;
        }

        if (symbols.IsTimerStop(method))
        {
            return SourceReferenceUse.Cancelled;
        }

        return symbols.IsTimerStart(invocation) ? SourceReferenceUse.TimerStarted : SourceReferenceUse.Neutral;
    }

    /// <summary>The initializer of a variable declared by <c>using</c> or <c>await using</c> (declaration or statement).</summary>
    public static bool IsUsingDeclarator(IVariableInitializerOperation initializer)
        => initializer.Parent is IVariableDeclaratorOperation { Parent: IVariableDeclarationOperation { Parent: var group } declaration }
            && (declaration.Parent is IUsingDeclarationOperation or IUsingOperation
                || group is IVariableDeclarationGroupOperation { Parent: IUsingOperation or IUsingDeclarationOperation });
}
