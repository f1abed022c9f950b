using System.Linq;
using Governance.Analyzers.Operations;
using Governance.Analyzers.Symbols;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Governance.Analyzers.Tasks;

/// <summary>
/// How a loop learns that its owner stops: a cancellation token it checks or hands to a call, a wait that ends when
/// the owner completes what it reads (a channel, a <c>BlockingCollection</c>), or a <c>catch</c> around it for the
/// exception a stop raises.
/// </summary>
internal static class StopSignals
{
    /// <summary>
    /// Whether the loop — its condition, body and increments, not lambdas or local functions declared there — observes
    /// cancellation or waits on something that ends when its owner stops.
    /// </summary>
    public static bool IsObservedIn(ILoopOperation loop, TaskSymbols symbols)
        => loop.DescendantsInSameFunction().Any(operation => IsStopSignal(operation, symbols));

    /// <summary>
    /// <c>token.IsCancellationRequested</c>, <c>token.ThrowIfCancellationRequested()</c>, <c>token.WaitHandle</c> (also
    /// on a <c>CancellationTokenSource</c>); a token, other than <c>CancellationToken.None</c> or <c>default</c>, given
    /// to any call (<c>await reader.ReceiveAsync(token)</c>, <c>queue.Take(token)</c>, <c>source.WithCancellation(token)</c>);
    /// a read of a <c>ChannelReader&lt;T&gt;</c> (<c>ReadAsync</c>, <c>WaitToReadAsync</c>, <c>ReadAllAsync</c>) or of a
    /// <c>BlockingCollection&lt;T&gt;</c> (<c>Take</c>, <c>GetConsumingEnumerable</c>), which ends when the channel or
    /// collection is completed. In code that does not bind (see <see cref="IsUnboundStopSignal"/>), a call that may be
    /// one of these counts as one: the rule stays silent rather than guess.
    /// </summary>
    public static bool IsStopSignal(IOperation operation, TaskSymbols symbols)
        => operation switch
        {
            IPropertyReferenceOperation { Property.Name: "IsCancellationRequested" or "WaitHandle" } property => IsTokenOrSource(property.Property.ContainingType, symbols),
            IInvocationOperation { TargetMethod.Name: "ThrowIfCancellationRequested" } check => IsTokenOrSource(check.TargetMethod.ContainingType, symbols),
            IInvocationOperation read => EndsWhenCompleted(read.TargetMethod, symbols),
            IArgumentOperation { ArgumentKind: not ArgumentKind.DefaultValue } argument => IsToken(argument.Value.Type, symbols) && !IsNoneToken(argument.Value),
            IInvalidOperation { Syntax: InvocationExpressionSyntax } unbound => IsUnboundStopSignal(unbound, symbols),
            _ => false,
        };

    /// <summary>
    /// A call that does not bind (incomplete code, or a receiver whose type a folder scan cannot resolve) may be how the
    /// loop stops: when the code hands it a token (<c>await unknown.ReceiveAsync(token)</c>), or when it is a read
    /// (<c>ReadAsync</c>, <c>Take</c>, ...) on something whose type is not resolved, which may be a channel.
    /// </summary>
    private static bool IsUnboundStopSignal(IInvalidOperation unbound, TaskSymbols symbols)
    {
        IOperation? receiver = null;
        var access = ((InvocationExpressionSyntax)unbound.Syntax).Expression as MemberAccessExpressionSyntax;
        foreach (var child in unbound.ChildOperations)
        {
            var value = child.WalkDownConversions();
            if (IsToken(value.Type, symbols) && !IsNoneToken(value))
            {
                return true;
            }

            if (access is not null && child.Syntax == access.Expression)
            {
                receiver = child;
            }
        }

        if (access?.Name.Identifier.ValueText is not ("ReadAsync" or "WaitToReadAsync" or "ReadAllAsync" or "Take" or "GetConsumingEnumerable"))
        {
            return false;
        }

        return receiver?.Type is null or { TypeKind: TypeKind.Error }
            || receiver.Type.IsOrDerivesFrom(symbols.ChannelReader)
            || receiver.Type.IsOrDerivesFrom(symbols.BlockingCollection);
    }

    /// <summary>Whether <paramref name="condition"/> reads cancellation: <c>token.IsCancellationRequested</c> or the same on a source.</summary>
    public static bool ReadsCancellation(IOperation condition, TaskSymbols symbols)
        => condition.DescendantsAndSelf().Any(o => o is IPropertyReferenceOperation { Property.Name: "IsCancellationRequested" } property
            && IsTokenOrSource(property.Property.ContainingType, symbols));

    /// <summary>
    /// Whether the loop sits in the <c>try</c> block of a <c>catch</c> for the exception that its owner's stop raises in
    /// it: <c>OperationCanceledException</c> (and <c>TaskCanceledException</c>), <c>ObjectDisposedException</c> (the owner
    /// disposes what the loop waits on), <c>ThreadInterruptedException</c> or <c>ThreadAbortException</c> (a thread's
    /// owner interrupts it).
    /// </summary>
    public static bool IsInsideStopCatch(ILoopOperation loop, TaskSymbols symbols)
    {
        var child = (IOperation)loop;
        for (var parent = loop.Parent; parent is not null && parent is not (IAnonymousFunctionOperation or ILocalFunctionOperation); child = parent, parent = parent.Parent)
        {
            if (parent is ITryOperation @try && child == @try.Body && @try.Catches.Any(c => IsStopException(c.ExceptionType, symbols)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The exceptions a stop raises inside a loop (see <see cref="IsInsideStopCatch"/>).</summary>
    public static bool IsStopException(ITypeSymbol? type, TaskSymbols symbols)
        => type.IsOrDerivesFrom(symbols.OperationCanceledException)
            || type.IsOrDerivesFrom(symbols.ObjectDisposedException)
            || type.IsOrDerivesFrom(symbols.ThreadInterruptedException)
            || type.IsOrDerivesFrom(symbols.ThreadAbortException);

    public static bool IsToken(ITypeSymbol? type, TaskSymbols symbols) => type.IsType(symbols.CancellationToken);

    private static bool IsTokenOrSource(ITypeSymbol? type, TaskSymbols symbols)
        => type.IsType(symbols.CancellationToken) || type.IsOrDerivesFrom(symbols.CancellationTokenSource);

    /// <summary><c>CancellationToken.None</c>, <c>default</c>, <c>new CancellationToken()</c> or <c>new CancellationToken(false)</c>: a token that never fires.</summary>
    public static bool IsNoneToken(IOperation value)
        => value.WalkDownConversions() switch
        {
            IDefaultValueOperation => true,
            IPropertyReferenceOperation { Property: { Name: "None", IsStatic: true } } => true,
            IObjectCreationOperation { Arguments.Length: 0 } => true,
            IObjectCreationOperation { Arguments.Length: 1 } creation => creation.Arguments[0].Value.ConstantValue is { HasValue: true, Value: false },
            _ => false,
        };

    private static bool EndsWhenCompleted(IMethodSymbol method, TaskSymbols symbols)
        => method.Name switch
        {
            "ReadAsync" or "WaitToReadAsync" or "ReadAllAsync" => method.ContainingType.IsOrDerivesFrom(symbols.ChannelReader),
            "Take" or "GetConsumingEnumerable" => method.ContainingType.IsOrDerivesFrom(symbols.BlockingCollection),
            _ => false,
        };
}
