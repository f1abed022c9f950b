using System.Collections.Generic;
using System.Linq;
using Governance.Analyzers.Operations;
using Governance.Analyzers.Symbols;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Governance.Analyzers.Tasks;

/// <summary>
/// GOV1004's questions: is a loop a long-lived polling loop, and which of its <c>await Task.Delay(...)</c> waits
/// between turns at a fixed interval.
/// </summary>
/// <remarks>
/// Polling means a loop meant to run for the life of its owner: <c>while (true)</c>, <c>for (;;)</c>, or a loop whose
/// condition reads only a stop signal — a cancellation token or source, or a flag of an object
/// (<c>while (!_disposed)</c>, <c>while (_running &amp;&amp; !token.IsCancellationRequested)</c>,
/// <c>while (_state != State.Stopped)</c>) that the loop itself does not set. A counted retry loop
/// (<c>for (var i = 0; i &lt; 3; i++)</c>), a loop over items, a loop that waits until a local or a call says it is done,
/// and a loop that leaves after success (a <c>break</c> or <c>return</c> not guarded by a stop signal and not in a
/// <c>catch</c>) are not polling: a timer is not what they need.
/// </remarks>
internal static class PollingLoops
{
    /// <summary>
    /// The <c>Task.Delay(...)</c> calls awaited (directly or through <c>ConfigureAwait</c>) in the body of
    /// <paramref name="loop"/> itself: not in a nested loop, lambda or local function.
    /// </summary>
    public static IEnumerable<IInvocationOperation> FindDelays(ILoopOperation loop, TaskSymbols symbols)
    {
        foreach (var operation in loop.Body.DescendantsInSameFunction())
        {
            if (operation is IAwaitOperation await && AsDelay(await, symbols) is { } delay)
            {
                var loops = LoopFacts.GetEnclosingLoops(await);
                if (loops.Count > 0 && loops[0] == loop)
                {
                    yield return delay;
                }
            }
        }
    }

    /// <summary>The <c>Task.Delay</c> call that <paramref name="await"/> waits for, through <c>.ConfigureAwait(...)</c>.</summary>
    public static IInvocationOperation? AsDelay(IAwaitOperation await, TaskSymbols symbols)
    {
        var awaited = await.Operation.WalkDownConversions();
        if (awaited is IInvocationOperation { TargetMethod.Name: "ConfigureAwait", Instance: { } configured })
        {
            awaited = configured.WalkDownConversions();
        }

        return awaited is IInvocationOperation { TargetMethod: { Name: "Delay", IsStatic: true } method } delay && method.ContainingType.IsType(symbols.Task)
            ? delay
            : null;
    }

    /// <summary>Whether the delay is given a token that can fire (not <c>CancellationToken.None</c> or <c>default</c>).</summary>
    public static bool HasToken(IInvocationOperation delay, TaskSymbols symbols)
        => delay.Arguments.Any(a => a.ArgumentKind != ArgumentKind.DefaultValue && StopSignals.IsToken(a.Value.Type, symbols) && !StopSignals.IsNoneToken(a.Value));

    /// <summary>The delay's duration argument (<c>int</c> milliseconds or <c>TimeSpan</c>).</summary>
    public static IOperation? GetInterval(IInvocationOperation delay)
        => delay.Arguments.FirstOrDefault(a => a.Parameter is { Ordinal: 0 })?.Value;

    /// <summary>
    /// A delay that is not the loop's fixed interval: a back-off or a pause. Its duration depends on something the
    /// loop changes (doubled per failure, computed in the iteration), on a call other than <c>TimeSpan</c>/<c>Math</c>
    /// arithmetic (random jitter, a policy's next delay), or is infinite (<c>Timeout.Infinite</c>: waiting for
    /// cancellation); or it is taken only under a condition the loop changes (adaptive polling), or in a <c>catch</c>
    /// (a pause after an error, before the loop's own wait for work resumes).
    /// </summary>
    public static bool IsBackOff(IInvocationOperation delay, ILoopOperation loop, TaskSymbols symbols)
    {
        if (GetInterval(delay) is not { } interval || IsInCatch(delay, loop))
        {
            return true;
        }

        if (IsInfinite(interval))
        {
            return true;
        }

        foreach (var operation in interval.DescendantsAndSelf())
        {
            if (ChangesInLoop(operation, loop) || (operation is IInvocationOperation call && !IsArithmetic(call.TargetMethod)))
            {
                return true;
            }
        }

        // A delay taken only under a condition the loop changes (`if (removed == 0) await Task.Delay(...)`) adapts to
        // the work: the loop drains without waiting while there is work, and waits when there is none.
        var child = (IOperation)delay;
        for (var parent = delay.Parent; parent is not null && parent != loop; child = parent, parent = parent.Parent)
        {
            if (parent is IConditionalOperation conditional && child != conditional.Condition
                && conditional.Condition.DescendantsAndSelf().Any(o => ChangesInLoop(o, loop)))
            {
                return true;
            }
        }

        return false;
    }

    private static bool ChangesInLoop(IOperation operation, ILoopOperation loop)
        => operation switch
        {
            ILocalReferenceOperation local => LoopBounds.IsAssignedIn(local.Local, loop),
            IParameterReferenceOperation parameter => LoopBounds.IsAssignedIn(parameter.Parameter, loop),
            IMemberReferenceOperation member => LoopBounds.IsAssignedIn(member.Member, loop),
            _ => false,
        };

    private static bool IsInfinite(IOperation interval)
    {
        interval = interval.WalkDownConversions();
        return interval.ConstantValue is { HasValue: true, Value: -1 }
            || interval is IFieldReferenceOperation { Field: { Name: "InfiniteTimeSpan", ContainingType.Name: "Timeout" } }
            || interval is IPropertyReferenceOperation { Property: { Name: "MaxValue", ContainingType.Name: "TimeSpan" } };
    }

    /// <summary><c>TimeSpan.FromSeconds(n)</c>, <c>Math.Max(a, b)</c>, <c>Convert.ToInt32(x)</c>: the same value for the same input.</summary>
    private static bool IsArithmetic(IMethodSymbol method)
        => method.IsStatic
            && method.ContainingType is { ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } type
            && (type.Name is "TimeSpan" or "Math" or "Convert" || type.SpecialType != SpecialType.None);

    /// <summary>
    /// Whether <paramref name="loop"/> is a polling loop (see the type's remarks); <paramref name="delays"/> are its
    /// delays, which do not count as its work.
    /// </summary>
    public static bool IsPolling(ILoopOperation loop, IReadOnlyCollection<IInvocationOperation> delays, TaskSymbols symbols)
    {
        switch (loop)
        {
            case IWhileLoopOperation { ConditionIsUntil: false, Condition: { } condition } when LoopFacts.IsEndless(loop) || IsStopCondition(condition, loop, symbols):
            case IForLoopOperation when LoopFacts.IsEndless(loop):
                break;
            default:
                return false;
        }

        return DoesWork(loop, delays) && !LeavesWhenDone(loop, symbols);
    }

    /// <summary>
    /// A condition that only a stop can turn false: <c>!token.IsCancellationRequested</c>, an object's flag or state
    /// compared with a constant (<c>_running</c>, <c>!IsDisposed</c>, <c>_state != State.Stopped</c>,
    /// <c>Volatile.Read(ref _stop) == 0</c>), combined with <c>!</c>, <c>&amp;&amp;</c> and <c>||</c>; a flag the loop
    /// itself sets is a "done" flag, not a stop signal.
    /// </summary>
    public static bool IsStopCondition(IOperation condition, ILoopOperation loop, TaskSymbols symbols)
    {
        condition = condition.WalkDownConversions();
        switch (condition)
        {
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not:
                return IsStopCondition(not.Operand, loop, symbols);
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr or BinaryOperatorKind.And or BinaryOperatorKind.Or } both
                when both.Type?.SpecialType == SpecialType.System_Boolean:
                return IsStopCondition(both.LeftOperand, loop, symbols) && IsStopCondition(both.RightOperand, loop, symbols);
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } comparison:
                return (comparison.RightOperand.WalkDownConversions().ConstantValue.HasValue && IsFlag(comparison.LeftOperand, loop, symbols))
                    || (comparison.LeftOperand.WalkDownConversions().ConstantValue.HasValue && IsFlag(comparison.RightOperand, loop, symbols));
            case IIsPatternOperation { Pattern: IConstantPatternOperation or INegatedPatternOperation { Pattern: IConstantPatternOperation } } pattern:
                return IsFlag(pattern.Value, loop, symbols);
            default:
                return condition.Type?.SpecialType == SpecialType.System_Boolean && IsFlag(condition, loop, symbols);
        }
    }

    /// <summary>
    /// A field or property of an object (not a local, a parameter or a call's answer), or <c>Volatile.Read(ref field)</c>
    /// / <c>Interlocked.Read(ref field)</c>, that the loop does not assign.
    /// </summary>
    private static bool IsFlag(IOperation value, ILoopOperation loop, TaskSymbols symbols)
    {
        value = value.WalkDownConversions();
        if (value is IInvocationOperation { TargetMethod: { Name: "Read" or "CompareExchange", IsStatic: true, ContainingType.Name: "Volatile" or "Interlocked" } } read
            && read.Arguments.Length > 0)
        {
            value = read.Arguments[0].Value.WalkDownConversions();
        }

        if (value is IPropertyReferenceOperation { Property.Name: "IsCancellationRequested" } && StopSignals.ReadsCancellation(value, symbols))
        {
            return true;
        }

        if (value is not (IFieldReferenceOperation or IPropertyReferenceOperation) || value is IPropertyReferenceOperation { Property.IsIndexer: true })
        {
            return false;
        }

        var member = (IMemberReferenceOperation)value;
        for (var instance = member.Instance?.WalkDownConversions(); instance is not null; instance = (instance as IMemberReferenceOperation)?.Instance?.WalkDownConversions())
        {
            if (instance is not (IMemberReferenceOperation or IInstanceReferenceOperation))
            {
                // A flag of a local or of a call's answer (`result.IsCompleted`) changes with the iteration.
                return false;
            }
        }

        return !LoopBounds.IsAssignedIn(member.Member, loop.Body);
    }

    /// <summary>
    /// Whether the loop does something besides waiting: a call other than its delays and logging, or an assignment. A
    /// loop that only waits (<c>while (!_ready) await Task.Delay(100);</c>) waits until something is true; it does not
    /// poll work on a schedule.
    /// </summary>
    private static bool DoesWork(ILoopOperation loop, IReadOnlyCollection<IInvocationOperation> delays)
    {
        foreach (var operation in loop.Body.DescendantsInSameFunction())
        {
            switch (operation)
            {
                case IInvocationOperation call when delays.Contains(call) || IsConfigureAwaitOfDelay(call, delays) || IsLogging(call.TargetMethod):
                    continue;
                case IInvocationOperation or IObjectCreationOperation or IAssignmentOperation or IIncrementOrDecrementOperation:
                    return true;
            }
        }

        return false;
    }

    private static bool IsConfigureAwaitOfDelay(IInvocationOperation call, IReadOnlyCollection<IInvocationOperation> delays)
        => call.TargetMethod.Name == "ConfigureAwait" && call.Instance?.WalkDownConversions() is IInvocationOperation inner && delays.Contains(inner);

    private static bool IsLogging(IMethodSymbol method)
        => method.Name.StartsWith("Log", System.StringComparison.Ordinal)
            || method.ContainingType is { Name: "Console" or "Debug" or "Trace" }
            || method.ContainingType?.Name.EndsWith("Logger", System.StringComparison.Ordinal) == true
            || method.ContainingType?.Name.EndsWith("Log", System.StringComparison.Ordinal) == true;

    /// <summary>
    /// A <c>break</c>, <c>return</c> or <c>goto</c> out of the loop that is neither in a <c>catch</c> (leaving on an
    /// error) nor under an <c>if</c> that reads a stop signal (<c>if (token.IsCancellationRequested) break;</c>,
    /// <c>if (_disposed) return;</c>): the loop ends when its work is done, as a retry or wait-until loop does.
    /// </summary>
    private static bool LeavesWhenDone(ILoopOperation loop, TaskSymbols symbols)
    {
        foreach (var exit in LoopFacts.FindExits(loop, doesNotReturn: null))
        {
            if (exit is IThrowOperation || IsInCatch(exit, loop) || IsGuardedByStop(exit, loop, symbols))
            {
                continue;
            }

            return true;
        }

        return false;
    }

    private static bool IsInCatch(IOperation operation, ILoopOperation loop)
    {
        for (var parent = operation.Parent; parent is not null && parent != loop; parent = parent.Parent)
        {
            if (parent is ICatchClauseOperation)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsGuardedByStop(IOperation exit, ILoopOperation loop, TaskSymbols symbols)
    {
        var child = exit;
        for (var parent = exit.Parent; parent is not null && parent != loop; child = parent, parent = parent.Parent)
        {
            if (parent is IConditionalOperation conditional && child != conditional.Condition
                && (StopSignals.ReadsCancellation(conditional.Condition, symbols) || IsStopCondition(conditional.Condition, loop, symbols)))
            {
                return true;
            }
        }

        return false;
    }
}
