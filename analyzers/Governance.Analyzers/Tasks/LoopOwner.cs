using System.Linq;
using Governance.Analyzers.Operations;
using Governance.Analyzers.Symbols;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Governance.Analyzers.Tasks;

internal enum LoopOwnerKind
{
    /// <summary>Not background work: a synchronous method, an iterator, or code the process itself owns (<c>Main</c>).</summary>
    None,

    /// <summary>An async method, local function or lambda.</summary>
    Async,

    /// <summary>A lambda given to <c>Task.Run</c>, <c>StartNew</c> or <c>new Thread</c>.</summary>
    SpawnedDelegate,

    /// <summary>
    /// A synchronous method or local function: background work only if its type hands it to <c>Task.Run</c>,
    /// <c>StartNew</c> or <c>new Thread</c> (decided at the end of the type).
    /// </summary>
    SynchronousMethod,
}

/// <summary>Whose loop it is: the function a loop runs in, and whether that function is background work.</summary>
internal readonly struct LoopOwner
{
    private LoopOwner(LoopOwnerKind kind, string description, IMethodSymbol? method)
    {
        Kind = kind;
        Description = description;
        Method = method;
    }

    public LoopOwnerKind Kind { get; }

    /// <summary>How the message names the function: <c>'PumpAsync'</c>, <c>the lambda given to Task.Run</c>.</summary>
    public string Description { get; }

    /// <summary>The synchronous method or local function, for <see cref="LoopOwnerKind.SynchronousMethod"/>.</summary>
    public IMethodSymbol? Method { get; }

    private static LoopOwner None => new(LoopOwnerKind.None, string.Empty, null);

    /// <summary>
    /// Classifies the function <paramref name="loop"/> runs in. The process owns <c>Main</c> and top-level statements:
    /// loops there, in their local functions and in the delegates they start are not background work of an object,
    /// and end with the process. An async lambda written there and handed to something else (a request handler, an
    /// event) runs per call, and is judged like any other.
    /// </summary>
    public static LoopOwner Classify(ILoopOperation loop, ISymbol containingSymbol, TaskSymbols symbols)
    {
        var processOwned = containingSymbol is IMethodSymbol { IsStatic: true, Name: "Main" or WellKnownMemberNames.TopLevelStatementsEntryPointMethodName };
        var function = loop.GetEnclosingFunction();
        switch (function)
        {
            case IAnonymousFunctionOperation lambda:
                if (lambda.Parent is IDelegateCreationOperation creation && GetSpawnName(creation, symbols) is { } spawn)
                {
                    return processOwned ? None : new LoopOwner(LoopOwnerKind.SpawnedDelegate, $"the delegate given to {spawn}", null);
                }

                return lambda.Symbol.IsAsync ? new LoopOwner(LoopOwnerKind.Async, "an async lambda", null) : None;
            case ILocalFunctionOperation { Symbol: var local }:
                return processOwned ? None : ForMethod(local, function);
            default:
                return processOwned || containingSymbol is not IMethodSymbol method ? None : ForMethod(method, function);
        }
    }

    private static LoopOwner ForMethod(IMethodSymbol method, IOperation function)
    {
        if (IsIterator(function.Syntax))
        {
            // An iterator's loop runs as far as its consumer pulls: the consumer owns it.
            return None;
        }

        if (method.IsAsync)
        {
            return new LoopOwner(LoopOwnerKind.Async, $"'{method.Name}'", null);
        }

        return method.MethodKind is MethodKind.Ordinary or MethodKind.LocalFunction
            ? new LoopOwner(LoopOwnerKind.SynchronousMethod, $"'{method.Name}', which runs as background work", method.OriginalDefinition)
            : None;
    }

    /// <summary>An iterator: its body (not a lambda or local function in it) has a <c>yield</c> statement.</summary>
    private static bool IsIterator(SyntaxNode function)
        => function.DescendantNodes(node => node == function || node is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax))
            .Any(node => node is YieldStatementSyntax);

    /// <summary>
    /// <c>Task.Run</c>, <c>Task.Factory.StartNew</c> or <c>new Thread</c> when the delegate is given to one of them
    /// (directly, or through <c>new ThreadStart(...)</c>); otherwise null.
    /// </summary>
    public static string? GetSpawnName(IDelegateCreationOperation creation, TaskSymbols symbols)
    {
        IOperation current = creation;
        while (current.Parent is IConversionOperation or IDelegateCreationOperation)
        {
            current = current.Parent;
        }

        if (current.Parent is not IArgumentOperation argument)
        {
            return null;
        }

        switch (argument.Parent)
        {
            case IInvocationOperation { TargetMethod: { Name: "Run", IsStatic: true } run } when run.ContainingType.IsType(symbols.Task):
                return "Task.Run";
            case IInvocationOperation { TargetMethod.Name: "StartNew" } startNew
                when startNew.TargetMethod.ContainingType.IsType(symbols.TaskFactory) || startNew.TargetMethod.ContainingType.IsType(symbols.GenericTaskFactory):
                return "StartNew";
            case IObjectCreationOperation { Type: var type } when type.IsOrDerivesFrom(symbols.Thread):
                return "new Thread";
            default:
                return null;
        }
    }
}
