using System.Collections.Generic;
using System.Linq;
using Governance.Analyzers.Operations;
using Governance.Analyzers.Symbols;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Governance.Analyzers.Tasks;

/// <summary>Questions about loops: the loops around a spawn, and how a loop can end.</summary>
internal static class LoopFacts
{
    /// <summary>
    /// The loops whose body contains <paramref name="operation"/>, innermost first, stopping at the enclosing lambda
    /// or local function: code there runs when the delegate is invoked, not once per iteration.
    /// </summary>
    public static List<ILoopOperation> GetEnclosingLoops(IOperation operation)
    {
        var loops = new List<ILoopOperation>();
        var child = operation;
        for (var parent = operation.Parent; parent is not null; child = parent, parent = parent.Parent)
        {
            if (parent is IAnonymousFunctionOperation or ILocalFunctionOperation)
            {
                break;
            }

            if (parent is ILoopOperation loop && loop.Body == child)
            {
                loops.Add(loop);
            }
        }

        return loops;
    }

    /// <summary>
    /// Commands pipelined on one connection: the spawn is a call on a client object (a local or parameter, or
    /// one obtained from one: <c>conn.GetDatabase()</c>) whose task is dropped, and after it the method waits for a
    /// later command on the same client (<c>await db.GetAsync(key)</c>, <c>await last</c> where <c>last = db.SetAsync(...)</c>,
    /// <c>conn.WaitAll(final)</c>, a synchronous round trip such as <c>conn.Ping()</c>), or passes a fire-and-forget
    /// flag the client itself defines. A pipelining client answers in order, so the wait covers every command sent
    /// before it; the commands queue on the connection, not on the thread pool.
    /// </summary>
    public static bool IsPipelinedOnOneClient(IOperation spawn)
    {
        if (spawn is not IInvocationOperation { Instance: { } instance } call || call.TargetMethod.IsAsync)
        {
            return false;
        }

        if (call.Arguments.Any(a => a.Value.WalkDownConversions() is IFieldReferenceOperation { Field.Name: var flag } && flag.Contains("FireAndForget")))
        {
            return true;
        }

        var clients = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        CollectClients(instance, clients, depth: 0);
        if (clients.Count == 0)
        {
            return false;
        }

        var end = spawn.Syntax.Span.End;
        foreach (var operation in spawn.GetEnclosingFunction().DescendantsInSameFunction())
        {
            if (operation.Syntax.SpanStart < end)
            {
                continue;
            }

            var waits = operation switch
            {
                IAwaitOperation await => await.Operation,
                IInvocationOperation { TargetMethod.Name: var name } wait when name.StartsWith("Wait", System.StringComparison.Ordinal) => wait,
                IInvocationOperation { Instance: { } target, TargetMethod: { ReturnsVoid: false } method } roundTrip
                    when !method.ReturnType.Name.Contains("Task") && method.ContainingType.SpecialType != SpecialType.System_Object
                        && ReferencesClient(target, clients) => roundTrip,
                _ => null,
            };
            if (waits is not null && ReferencesClient(waits, clients))
            {
                return true;
            }
        }

        return false;
    }

    private static void CollectClients(IOperation instance, HashSet<ISymbol> clients, int depth)
    {
        switch (instance.WalkDownConversions())
        {
            case ILocalReferenceOperation local:
                clients.Add(local.Local);
                if (depth < 3 && FindSingleInitializer(local) is IInvocationOperation { Instance: { } origin })
                {
                    CollectClients(origin, clients, depth + 1);
                }

                break;
            case IParameterReferenceOperation parameter:
                clients.Add(parameter.Parameter);
                break;
            case IFieldReferenceOperation { Instance: null or IInstanceReferenceOperation } field:
                clients.Add(field.Field);
                break;
            case IInvocationOperation { Instance: { } receiver } when depth < 3:
                CollectClients(receiver, clients, depth + 1);
                break;
        }
    }

    private static IOperation? FindSingleInitializer(ILocalReferenceOperation local)
        => local.Local.DeclaringSyntaxReferences.Length == 1
            && local.SemanticModel?.GetOperation(local.Local.DeclaringSyntaxReferences[0].GetSyntax()) is IVariableDeclaratorOperation { Initializer.Value: var value }
            ? value
            : null;

    /// <summary>The operation uses one of the clients, directly or through a local assigned from a call on one.</summary>
    private static bool ReferencesClient(IOperation operation, HashSet<ISymbol> clients)
        => operation.DescendantsAndSelf().Any(o => IsClientReference(o, clients)
            || (o is ILocalReferenceOperation local && IsAssignedFromClient(local, clients)));

    private static bool IsAssignedFromClient(ILocalReferenceOperation local, HashSet<ISymbol> clients)
        => local.GetEnclosingFunction().DescendantsInSameFunction().OfType<ISimpleAssignmentOperation>()
            .Any(a => a.Target is ILocalReferenceOperation target && SymbolEqualityComparer.Default.Equals(target.Local, local.Local)
                && a.Value.WalkDownConversions() is IInvocationOperation { Instance: { } origin } && IsClientReference(origin.WalkDownConversions(), clients));

    private static bool IsClientReference(IOperation operation, HashSet<ISymbol> clients)
        => operation switch
        {
            ILocalReferenceOperation l => clients.Contains(l.Local),
            IParameterReferenceOperation p => clients.Contains(p.Parameter),
            IFieldReferenceOperation f => clients.Contains(f.Field),
            _ => false,
        };

    public static string GetKeyword(ILoopOperation loop)
        => loop switch
        {
            IForEachLoopOperation { IsAsynchronous: true } => "await foreach",
            IForEachLoopOperation => "foreach",
            IForLoopOperation => "for",
            IWhileLoopOperation { ConditionIsTop: false } => "do",
            IWhileLoopOperation => "while",
            _ => "loop",
        };

    /// <summary>
    /// An accept loop: each iteration waits for a new connection (<c>AcceptAsync</c>, <c>AcceptTcpClientAsync</c>,
    /// <c>HttpListener.GetContextAsync</c>, ...), so spawns follow the arrival of clients, as in every server.
    /// </summary>
    public static bool IsAcceptLoop(ILoopOperation loop, TaskSymbols symbols)
        => loop.DescendantsInSameFunction().OfType<IInvocationOperation>().Any(invocation => IsAccept(invocation, symbols));

    private static bool IsAccept(IInvocationOperation invocation, TaskSymbols symbols)
    {
        var type = invocation.TargetMethod.ContainingType;
        return invocation.TargetMethod.Name switch
        {
            "Accept" or "AcceptAsync" => type.IsOrDerivesFrom(symbols.Socket),
            "AcceptTcpClient" or "AcceptTcpClientAsync" or "AcceptSocket" or "AcceptSocketAsync" => type.IsOrDerivesFrom(symbols.TcpListener),
            "GetContext" or "GetContextAsync" => type.IsOrDerivesFrom(symbols.HttpListener),
            "AcceptConnectionAsync" => type.IsOrDerivesFrom(symbols.QuicListener),
            "WaitForConnection" or "WaitForConnectionAsync" => type.IsOrDerivesFrom(symbols.NamedPipeServer),
            _ => false,
        } || IsOwnAcceptMethod(invocation.TargetMethod.Name, invocation.TargetMethod);
    }

    /// <summary>
    /// <c>Accept…</c>/<c>Accept…Async</c> on a type of the compilation itself (the project's own listener or socket
    /// wrapper) that returns a value: the iteration waits for what the method hands back, a connection.
    /// </summary>
    private static bool IsOwnAcceptMethod(string name, IMethodSymbol method)
        => name.StartsWith("Accept", StringComparison.Ordinal)
            && (name.Length == "Accept".Length || char.IsUpper(name["Accept".Length]))
            && !method.ReturnsVoid
            && method.ContainingType is { } type
            && type.Locations.Any(location => location.IsInSource);

    /// <summary>
    /// Whether the iteration leaves the loop right after the spawn (a later <c>break</c>, <c>return</c> or
    /// <c>throw</c> in the same block or an enclosing one): at most one spawn per loop run.
    /// </summary>
    public static bool ExitsAfter(IOperation operation, ILoopOperation loop)
    {
        var child = operation;
        for (var parent = operation.Parent; parent is not null && child != loop.Body; child = parent, parent = parent.Parent)
        {
            if (parent is not IBlockOperation block)
            {
                continue;
            }

            var after = false;
            foreach (var statement in block.Operations)
            {
                if (after && IsExit(statement, loop))
                {
                    return true;
                }

                after |= statement == child;
            }
        }

        return false;
    }

    private static bool IsExit(IOperation statement, ILoopOperation loop)
        => statement switch
        {
            IReturnOperation => true,
            IExpressionStatementOperation { Operation: IThrowOperation } => true,
            IThrowOperation => true,
            IBranchOperation { BranchKind: BranchKind.Break } branch => SymbolEqualityComparer.Default.Equals(branch.Target, loop.ExitLabel),
            _ => false,
        };

    /// <summary>
    /// A loop that only its body can end: <c>while (true)</c>, <c>for (;;)</c>, <c>do { } while (true)</c> — no
    /// condition, or the constant <c>true</c>.
    /// </summary>
    public static bool IsEndless(ILoopOperation loop)
        => loop switch
        {
            IWhileLoopOperation { ConditionIsUntil: false, Condition: { } condition } => IsConstantTrue(condition),
            IForLoopOperation { Condition: null } => true,
            IForLoopOperation { Condition: { } condition } => IsConstantTrue(condition),
            _ => false,
        };

    private static bool IsConstantTrue(IOperation condition)
        => condition.ConstantValue is { HasValue: true, Value: true };

    /// <summary>
    /// The operations in <paramref name="loop"/>'s body (not in a lambda or local function declared there) that leave
    /// it: see <see cref="Leaves"/>.
    /// </summary>
    public static IEnumerable<IOperation> FindExits(ILoopOperation loop, INamedTypeSymbol? doesNotReturn)
        => loop.Body.DescendantsInSameFunction().Where(operation => Leaves(operation, loop, doesNotReturn));

    /// <summary>
    /// Whether <paramref name="operation"/>, inside <paramref name="loop"/>, leaves it: a <c>break</c> aimed at this
    /// loop (a <c>break</c> in a nested loop or <c>switch</c> ends only that), a <c>return</c> or <c>yield break</c>
    /// (<c>yield return</c> comes back), a <c>throw</c> that no catch-all inside the loop swallows, a <c>goto</c> to a
    /// label outside the loop, or a call to a method marked <c>[DoesNotReturn]</c> (a throw helper,
    /// <c>Environment.FailFast</c>).
    /// </summary>
    public static bool Leaves(IOperation operation, ILoopOperation loop, INamedTypeSymbol? doesNotReturn)
        => operation switch
        {
            IReturnOperation => operation.Kind is OperationKind.Return or OperationKind.YieldBreak,
            IBranchOperation { BranchKind: BranchKind.Break } branch => SymbolEqualityComparer.Default.Equals(branch.Target, loop.ExitLabel),
            IBranchOperation { BranchKind: BranchKind.GoTo } branch => branch.Target.Locations.Length > 0
                && branch.Target.Locations[0].IsInSource
                && !loop.Syntax.Span.Contains(branch.Target.Locations[0].SourceSpan),
            IThrowOperation thrown => !IsSwallowedInside(thrown, loop),
            IInvocationOperation invocation => doesNotReturn is not null
                && invocation.TargetMethod.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, doesNotReturn)),
            _ => false,
        };

    /// <summary>A throw inside a <c>try</c> block, within the loop, whose catch-all (no filter) takes every exception.</summary>
    private static bool IsSwallowedInside(IThrowOperation thrown, ILoopOperation loop)
    {
        var child = (IOperation)thrown;
        for (var parent = thrown.Parent; parent is not null && parent != loop; child = parent, parent = parent.Parent)
        {
            if (parent is ITryOperation @try && child == @try.Body
                && @try.Catches.Any(c => c.Filter is null && (c.ExceptionType.SpecialType == SpecialType.System_Object
                    || c.ExceptionType is { Name: "Exception", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } })))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether an <c>if</c> in the loop checks the member the task is kept in — a single-flight guard such as
    /// <c>if (job.Task is null || job.Task.IsCompleted) job.Task = Task.Run(...)</c>.
    /// </summary>
    public static bool IsGuardedBy(ILoopOperation loop, ISymbol member)
        => loop.Body.DescendantsInSameFunction()
            .OfType<IConditionalOperation>()
            .Any(conditional => conditional.Condition.DescendantsAndSelf().OfType<IMemberReferenceOperation>()
                .Any(reference => SymbolEqualityComparer.Default.Equals(reference.Member.OriginalDefinition, member.OriginalDefinition)));
    /// <summary>
    /// A single-flight guard by the item's own state: an <c>if</c> inside the loop reads a member of the local the
    /// spawn works on (<c>if (task.State == TaskState.Idle) Execute(task)</c>), so an item already running is not
    /// started again.
    /// </summary>
    public static bool IsGuardedByItemState(IOperation spawn, ILoopOperation loop)
    {
        if (spawn is not IInvocationOperation invocation)
        {
            return false;
        }

        var items = new System.Collections.Generic.HashSet<ILocalSymbol>(SymbolEqualityComparer.Default);
        if (invocation.Instance?.WalkDownConversions() is ILocalReferenceOperation instance)
        {
            items.Add(instance.Local);
        }

        foreach (var argument in invocation.Arguments)
        {
            if (argument.Value.WalkDownConversions() is ILocalReferenceOperation local)
            {
                items.Add(local.Local);
            }
        }

        if (items.Count == 0)
        {
            return false;
        }

        for (var parent = spawn.Parent; parent is not null && parent != loop; parent = parent.Parent)
        {
            if (parent is IConditionalOperation conditional
                && conditional.Condition.DescendantsAndSelf().OfType<IMemberReferenceOperation>()
                    .Any(member => member.Instance?.WalkDownConversions() is ILocalReferenceOperation owner && items.Contains(owner.Local)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A hand-rolled limiter: earlier in the iteration a loop waits until a counter is below a maximum
    /// (<c>while (outstanding &gt;= max) Thread.Yield();</c>), so no more than the maximum run at once.
    /// </summary>
    public static bool IsPrecededBySpinWait(IOperation spawn, ILoopOperation loop)
    {
        var child = spawn;
        for (var parent = spawn.Parent; parent is not null && child != loop.Body; child = parent, parent = parent.Parent)
        {
            if (parent is not IBlockOperation block)
            {
                continue;
            }

            foreach (var statement in block.Operations)
            {
                if (statement == child)
                {
                    break;
                }

                if (statement is IWhileLoopOperation { Condition: { } condition }
                    && condition.WalkDownConversions() is IBinaryOperation { OperatorKind: BinaryOperatorKind.GreaterThan or BinaryOperatorKind.GreaterThanOrEqual or BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual } comparison
                    && (comparison.LeftOperand.WalkDownConversions() is IFieldReferenceOperation || comparison.RightOperand.WalkDownConversions() is IFieldReferenceOperation))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
