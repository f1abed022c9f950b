using Governance.Analyzers.Operations;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Governance.Analyzers.Timers;

internal static class TimerReferenceClassifier
{
    /// <summary>
    /// Classifies one reference to a local, field or property that may hold a timer. Anything not recognised as
    /// neutral or stopping is an escape: a false "escaped" costs a missed report, a false "neutral" a wrong one.
    /// </summary>
    public static TimerReferenceUse Classify(IOperation reference, TimerSymbols symbols)
    {
        var consumer = reference.GetConsumer(out var child);
        switch (consumer)
        {
            case IAssignmentOperation assignment when assignment.Target == child:
                return TimerReferenceUse.Assigned;
            case IInvocationOperation invocation when invocation.Instance == child:
                return symbols.IsStoppingCall(invocation) ? TimerReferenceUse.Stopped : TimerReferenceUse.Neutral;
            case IMemberReferenceOperation member when member.Instance == child:
                return IsDisablingAssignment(member) ? TimerReferenceUse.Stopped : TimerReferenceUse.Neutral;
            case IConditionalAccessOperation conditional when conditional.Operation == child:
                return conditional.WhenNotNull.WalkDownConversions() is IInvocationOperation { Instance: IConditionalAccessInstanceOperation } call
                    && symbols.IsStoppingCall(call)
                        ? TimerReferenceUse.Stopped
                        : TimerReferenceUse.Neutral;
            case IUsingOperation:
            case IVariableInitializerOperation { Parent: IVariableDeclaratorOperation { Parent: IVariableDeclarationOperation { Parent: IVariableDeclarationGroupOperation { Parent: IUsingOperation } } } }:
                return TimerReferenceUse.Stopped;
            case IBinaryOperation:
            case IIsPatternOperation:
            case IIsTypeOperation:
            case INameOfOperation:
            case IExpressionStatementOperation:
                return TimerReferenceUse.Neutral;
            default:
                return TimerReferenceUse.Escaped;
        }
    }

    // System.Timers.Timer stops when Enabled is set to false, and after one tick when AutoReset is.
    private static bool IsDisablingAssignment(IMemberReferenceOperation member)
        => member is IPropertyReferenceOperation { Property.Name: "Enabled" or "AutoReset" }
            && member.Parent is ISimpleAssignmentOperation { Value.ConstantValue: { HasValue: true, Value: false } } assignment
            && assignment.Target == member;
}
