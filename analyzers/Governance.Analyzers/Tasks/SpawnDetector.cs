using System.Linq;
using Governance.Analyzers.Limiting;
using Governance.Analyzers.Operations;
using Governance.Analyzers.Symbols;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Governance.Analyzers.Tasks;

/// <summary>Recognises the operations that start concurrent work.</summary>
internal static class SpawnDetector
{
    public static Spawn? Detect(IOperation operation, TaskSymbols symbols, LimiterSymbols limiters)
    {
        switch (operation)
        {
            case IInvocationOperation invocation:
                return DetectCall(invocation, symbols, limiters);
            case IObjectCreationOperation creation when creation.Type.IsOrDerivesFrom(symbols.Thread) && IsStarted(creation):
                return new Spawn(creation, SpawnKind.Thread, "new Thread(...).Start()", null, creation.Syntax.GetLocation());
            default:
                return null;
        }
    }

    private static Spawn? DetectCall(IInvocationOperation invocation, TaskSymbols symbols, LimiterSymbols limiters)
    {
        var method = invocation.TargetMethod;
        var type = method.ContainingType;
        var location = GetNameLocation(invocation);
        if (method.Name == "Run" && method.IsStatic && type.IsType(symbols.Task))
        {
            return new Spawn(invocation, SpawnKind.Task, "Task.Run", FindWork(invocation), location);
        }

        if (method.Name == "StartNew" && (type.IsType(symbols.TaskFactory) || type.IsType(symbols.GenericTaskFactory)))
        {
            return HasLongRunning(invocation, symbols)
                ? new Spawn(invocation, SpawnKind.Thread, "StartNew with TaskCreationOptions.LongRunning", FindWork(invocation), location)
                : new Spawn(invocation, SpawnKind.Task, "Task.Factory.StartNew", FindWork(invocation), location);
        }

        if (method.Name is "QueueUserWorkItem" or "UnsafeQueueUserWorkItem" && type.IsType(symbols.ThreadPool))
        {
            return new Spawn(invocation, SpawnKind.WorkItem, "ThreadPool." + method.Name, FindWork(invocation), location);
        }

        // Any other call that hands back a task started work that runs on after the call returns. The task
        // library's own helpers (FromResult, Delay, WhenAll, ContinueWith), channel writes, limiter calls and
        // disposal are not spawns.
        if (symbols.IsTaskLike(method.ReturnType)
            && method.Name != "DisposeAsync"
            && !IsInNamespace(type, "System.Threading.Tasks")
            && !IsInNamespace(type, "System.Threading.Channels")
            && !IsWaitForRunningWork(method)
            && !WrapsExistingTask(invocation, symbols)
            && !limiters.IsAcquire(invocation, default))
        {
            return new Spawn(invocation, SpawnKind.Task, $"'{method.Name}'", null, location);
        }

        // An async void method runs on after the call returns and cannot even be awaited.
        if (method.IsAsync && method.ReturnsVoid)
        {
            return new Spawn(invocation, SpawnKind.Task, $"'{method.Name}'", null, location);
        }

        return null;
    }

    /// <summary>
    /// <c>dispatcher.WaitAsync(...)</c>, <c>process.WaitForExitAsync()</c>: the task stands for work that already
    /// runs; the call starts nothing.
    /// </summary>
    private static bool IsWaitForRunningWork(IMethodSymbol method)
        => method.Name.StartsWith("Wait", System.StringComparison.Ordinal);

    /// <summary>
    /// A call on a task it is given (<c>task.ObserveErrors()</c>, <c>task.WithTimeout(t)</c>, as an instance or an
    /// extension method): it attaches to work that already runs rather than starting new work. When that task is
    /// itself a spawn, the spawn is reported where it is started.
    /// </summary>
    private static bool WrapsExistingTask(IInvocationOperation invocation, TaskSymbols symbols)
    {
        var receiver = invocation.Instance
            ?? (invocation.TargetMethod.IsExtensionMethod && invocation.Arguments.Length > 0 ? invocation.Arguments[0].Value : null);
        return receiver is not null && symbols.IsTaskLike(receiver.WalkDownConversions().Type);
    }

    private static bool IsInNamespace(INamedTypeSymbol type, string name)
        => type.ContainingNamespace?.ToDisplayString() == name;

    /// <summary>The method name of the call (<c>Task.Run</c>, <c>client.SendAsync</c>) rather than the whole call with its lambda.</summary>
    private static Location GetNameLocation(IInvocationOperation invocation)
        => invocation.Syntax is Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax syntax
            ? syntax.Expression.GetLocation()
            : invocation.Syntax.GetLocation();

    private static IAnonymousFunctionOperation? FindWork(IInvocationOperation invocation)
        => invocation.Arguments
            .Select(a => a.Value.WalkDownConversions())
            .OfType<IDelegateCreationOperation>()
            .Select(d => d.Target)
            .OfType<IAnonymousFunctionOperation>()
            .FirstOrDefault();

    private static bool HasLongRunning(IInvocationOperation invocation, TaskSymbols symbols)
    {
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter?.Type.IsType(symbols.TaskCreationOptions) == true
                && argument.Value.ConstantValue is { HasValue: true, Value: int flags }
                && (flags & 2) != 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A new thread counts once it is started: directly, through a local that is started in the same method, or
    /// as an element stored for starting later (an array slot, a collection).
    /// </summary>
    private static bool IsStarted(IObjectCreationOperation creation)
    {
        var consumer = creation.GetConsumer(out var child);
        switch (consumer)
        {
            case IInvocationOperation { TargetMethod.Name: "Start" } start when start.Instance == child:
                return true;
            case IAssignmentOperation { Target: IArrayElementReferenceOperation }:
            case IArgumentOperation { Parent: IInvocationOperation { TargetMethod.Name: "Add" } }:
                return true;
            case IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator }:
                return IsLocalStarted(declarator.Symbol, creation);
            case ISimpleAssignmentOperation { Target: ILocalReferenceOperation local }:
                return IsLocalStarted(local.Local, creation);
            default:
                return false;
        }
    }

    private static bool IsLocalStarted(ILocalSymbol local, IOperation creation)
        => creation.GetEnclosingFunction().DescendantsInSameFunction()
            .OfType<IInvocationOperation>()
            .Any(i => i.TargetMethod.Name == "Start" && i.Instance is ILocalReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Local, local));
}
