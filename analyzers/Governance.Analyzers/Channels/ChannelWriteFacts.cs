using System.Collections.Generic;
using Governance.Analyzers.Operations;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Governance.Analyzers.Channels;

/// <summary>What one write to a channel puts in it, and whether the writer then waits for that item to be handled.</summary>
internal static class ChannelWriteFacts
{
    /// <summary>The value a <c>TryWrite</c>/<c>WriteAsync</c> writes; null for <c>WaitToWriteAsync</c>.</summary>
    public static IOperation? GetItem(IInvocationOperation write)
        => write.TargetMethod.Name is "TryWrite" or "WriteAsync" ? write.Arguments.GetArgumentValue("item")?.WalkDownConversions() : null;

    /// <summary>
    /// An item that carries nothing: a constant (a literal, an enum member, <c>null</c>), <c>default</c>, or
    /// <c>new object()</c>. A backlog of such items costs nothing worth a bound: the channel is a signal.
    /// </summary>
    public static bool IsPayloadFree(IOperation item)
        => item.ConstantValue.HasValue
            || item is IDefaultValueOperation
            || item is IObjectCreationOperation { Type.SpecialType: SpecialType.System_Object, Arguments.Length: 0, Initializer: null };

    /// <summary>The item is a parameter of the method that writes it, passed straight through.</summary>
    public static bool IsParameterPassedThrough(IOperation item) => item is IParameterReferenceOperation;

    /// <summary>
    /// Whether the writer, after writing, awaits the completion of the item it wrote: a member of the item (or of
    /// what the item was built from) such as <c>item.Completion</c> or <c>tcs.Task</c>, or <c>Task.WhenAll</c> over
    /// the items; or returns that task to its caller. Then every item in the channel has a caller waiting for it: the backlog is bounded by the callers,
    /// and the data is theirs, already in memory.
    /// </summary>
    public static bool AwaitsItsItem(IInvocationOperation write, IOperation item)
    {
        var function = write.GetEnclosingFunction();
        var roots = CollectRoots(item, function);
        if (roots.Count == 0)
        {
            return false;
        }

        var writtenAt = write.Syntax.Span.End;
        foreach (var operation in function.DescendantsInSameFunction())
        {
            // `return tcs.Task;` hands the item's completion to the caller, who awaits it.
            var waited = operation switch
            {
                IAwaitOperation awaited => awaited.Operation,
                IReturnOperation { Kind: OperationKind.Return, ReturnedValue: { } returned } => returned,
                _ => null,
            };
            if (waited is not null && operation.Syntax.SpanStart >= writtenAt && WaitsFor(waited, roots))
            {
                return true;
            }
        }

        return false;
    }

    private static bool WaitsFor(IOperation awaited, HashSet<ISymbol> roots)
    {
        var operand = awaited.WalkDownConversions();

        // `.ConfigureAwait(false)`, `.WaitAsync(token)`, `.AsTask()` wrap the same task.
        while (operand is IInvocationOperation { TargetMethod.Name: "ConfigureAwait" or "WaitAsync" or "AsTask", Instance: { } wrapped })
        {
            operand = wrapped.WalkDownConversions();
        }

        if (operand is IInvocationOperation { TargetMethod: { Name: "WhenAll" or "WhenAny", ContainingType.Name: "Task" } } whenAll)
        {
            foreach (var descendant in whenAll.Descendants())
            {
                if (ReferencedSymbol(descendant) is { } symbol && roots.Contains(symbol))
                {
                    return true;
                }
            }

            return false;
        }

        // `item.Completion`, `request.Done.Task`, `tcs.Task`, or a local holding one of the items' tasks.
        while (operand is IMemberReferenceOperation { Instance: { } instance })
        {
            operand = instance.WalkDownConversions();
        }

        return ReferencedSymbol(operand) is { } root && roots.Contains(root);
    }

    // The locals and parameters the item is made of, followed through local initializers and foreach variables a
    // few steps back: `var item = items[i]`, `foreach (var item in items)`, `var op = new Op(x, future)`.
    private static HashSet<ISymbol> CollectRoots(IOperation item, IOperation function)
    {
        var roots = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        var pending = new Stack<(IOperation Value, int Depth)>();
        pending.Push((item, 0));
        Dictionary<ILocalSymbol, IOperation>? sources = null;
        while (pending.Count > 0)
        {
            var (value, depth) = pending.Pop();
            foreach (var operation in value.DescendantsAndSelf())
            {
                if (ReferencedSymbol(operation) is not { } symbol || !roots.Add(symbol) || symbol is not ILocalSymbol local || depth >= 3)
                {
                    continue;
                }

                sources ??= FindLocalSources(function);
                if (sources.TryGetValue(local, out var source))
                {
                    pending.Push((source, depth + 1));
                }
            }
        }

        return roots;
    }

    private static Dictionary<ILocalSymbol, IOperation> FindLocalSources(IOperation function)
    {
        var sources = new Dictionary<ILocalSymbol, IOperation>(SymbolEqualityComparer.Default);
        foreach (var operation in function.DescendantsInSameFunction())
        {
            switch (operation)
            {
                case IVariableDeclaratorOperation { Initializer.Value: { } initial } declarator:
                    sources[declarator.Symbol] = initial;
                    break;
                case IForEachLoopOperation { LoopControlVariable: IVariableDeclaratorOperation variable } loop:
                    sources[variable.Symbol] = loop.Collection;
                    break;
            }
        }

        return sources;
    }

    private static ISymbol? ReferencedSymbol(IOperation operation)
        => operation switch
        {
            ILocalReferenceOperation local => local.Local,
            IParameterReferenceOperation parameter => parameter.Parameter,
            _ => null,
        };
}
