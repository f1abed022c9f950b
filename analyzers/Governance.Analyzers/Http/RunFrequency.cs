using Governance.Analyzers.Operations;
using Governance.Analyzers.Symbols;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Governance.Analyzers.Http;

/// <summary>How often a piece of code runs, as far as its own method shows.</summary>
internal enum RunKind
{
    /// <summary>Once per process or per lazily initialised holder: start-up code, a <c>??=</c> or <c>Lazy&lt;T&gt;</c> initialiser.</summary>
    Once,

    /// <summary>Once per call of its member, whose callers decide: see <see cref="RunFrequency.Member"/>.</summary>
    PerCall,

    /// <summary>Any number of times per call: in a loop, or in a callback (a route handler, an event handler, a LINQ selector).</summary>
    Repeated,
}

/// <summary>Where a piece of code runs: in a loop, a callback, a lazy initialiser, or plainly in its member.</summary>
internal readonly struct RunPlace
{
    public RunPlace(RunKind kind, string where)
    {
        Kind = kind;
        Where = where;
    }

    public RunKind Kind { get; }

    /// <summary>For <see cref="RunKind.Repeated"/>: "iteration" or "run" (of a callback), for the message.</summary>
    public string Where { get; }
}

internal static class RunFrequency
{
    /// <summary>
    /// Walks out from <paramref name="operation"/> to its member. A loop makes it repeated; a lambda is a callback that
    /// may run any number of times, except where it is started once (<c>Task.Run</c>, <c>Task.Factory.StartNew</c>,
    /// <c>new Thread</c>: it runs as often as the code that starts it) or is a lazy initialiser (<c>Lazy&lt;T&gt;</c>,
    /// <c>LazyInitializer</c>). The value side of a <c>??=</c> runs once per holder. A local function runs with its
    /// container.
    /// </summary>
    public static RunPlace Classify(IOperation operation, HttpSymbols symbols)
    {
        var child = operation;
        for (var current = operation.Parent; current is not null; child = current, current = current.Parent)
        {
            switch (current)
            {
                case ILoopOperation loop when loop.Body == child || IsRepeatedPart(loop, child):
                    return new RunPlace(RunKind.Repeated, "iteration");
                case ICoalesceAssignmentOperation coalesce when coalesce.Value == child:
                    return new RunPlace(RunKind.Once, string.Empty);
                case IAnonymousFunctionOperation function:
                    switch (ClassifyDelegate(function, symbols))
                    {
                        case RunKind.Once:
                            return new RunPlace(RunKind.Once, string.Empty);
                        case RunKind.Repeated:
                            return new RunPlace(RunKind.Repeated, "run");
                    }

                    break;
            }
        }

        return new RunPlace(RunKind.PerCall, string.Empty);
    }

    /// <summary>
    /// A method group or lambda turned into a delegate: <see cref="RunKind.PerCall"/> when it is started once where it
    /// stands (so it runs as often as the code around it), <see cref="RunKind.Once"/> for a lazy initialiser,
    /// <see cref="RunKind.Repeated"/> for any other callback.
    /// </summary>
    public static RunKind ClassifyDelegate(IOperation function, HttpSymbols symbols)
    {
        var consumer = function.GetConsumer(out var child);
        while (consumer is IDelegateCreationOperation)
        {
            consumer = consumer.GetConsumer(out child);
        }

        if (consumer is not IArgumentOperation argument || argument.Value != child)
        {
            return RunKind.Repeated;
        }

        switch (argument.Parent)
        {
            case IInvocationOperation { TargetMethod: { Name: "Run", IsStatic: true } run } when run.ContainingType.IsType(symbols.Task):
            case IInvocationOperation { TargetMethod.Name: "StartNew" } startNew when startNew.TargetMethod.ContainingType.IsOrDerivesFrom(symbols.TaskFactory):
            case IObjectCreationOperation thread when thread.Type.IsType(symbols.Thread):
                return RunKind.PerCall;
            case IObjectCreationOperation lazy when lazy.Type.IsOrDerivesFrom(symbols.Lazy):
            case IInvocationOperation { TargetMethod.Name: "EnsureInitialized" } ensure when ensure.TargetMethod.ContainingType.IsType(symbols.LazyInitializer):
                return RunKind.Once;
            default:
                return RunKind.Repeated;
        }
    }

    /// <summary>
    /// How often a member runs, by what it is: start-up code runs once (a static constructor, a static field or property
    /// initializer, <c>Main</c>, top-level statements, any member of the type that declares <c>Main</c>: a program's
    /// own code); a private method is judged by its callers (<see cref="RunKind.PerCall"/>); anything else may be called
    /// on every operation.
    /// </summary>
    public static RunKind Member(ISymbol member)
    {
        switch (member)
        {
            case IMethodSymbol { MethodKind: MethodKind.StaticConstructor }:
            case IFieldSymbol { IsStatic: true }:
            case IPropertySymbol { IsStatic: true }:
                return RunKind.Once;
        }

        if (member.ContainingType is { } type && IsProgramType(type))
        {
            return RunKind.Once;
        }

        return IsJudgedByCallers(member) ? RunKind.PerCall : RunKind.Repeated;
    }

    /// <summary>A private, non-virtual ordinary method: every call to it is in its own type, where the analysis sees it.</summary>
    public static bool IsJudgedByCallers(ISymbol member)
        => member is IMethodSymbol { MethodKind: MethodKind.Ordinary, IsVirtual: false, IsOverride: false, IsAbstract: false, ExplicitInterfaceImplementations.Length: 0 } method
            && method.DeclaredAccessibility == Accessibility.Private
            && !ImplementsInterfaceMember(method);

    /// <summary>
    /// The type that holds the program's entry point: a static <c>Main</c> method, or top-level statements. Its code
    /// is a program's own start-up and command code, not a service's per-request path.
    /// </summary>
    private static bool IsProgramType(INamedTypeSymbol type)
    {
        foreach (var member in type.GetMembers())
        {
            if (member is IMethodSymbol { IsStatic: true, MethodKind: MethodKind.Ordinary } method
                && (method.Name == "Main" || method.Name == "<Main>$")
                && method.TypeParameters.Length == 0)
            {
                return true;
            }
        }

        return false;
    }

    private static bool ImplementsInterfaceMember(IMethodSymbol method)
    {
        var type = method.ContainingType;
        foreach (var implemented in type.AllInterfaces)
        {
            foreach (var interfaceMember in implemented.GetMembers(method.Name))
            {
                if (SymbolEqualityComparer.Default.Equals(type.FindImplementationForInterfaceMember(interfaceMember), method))
                {
                    return true;
                }
            }
        }

        return false;
    }

    // A for loop runs its condition and step on every iteration too; a foreach evaluates its collection once.
    private static bool IsRepeatedPart(ILoopOperation loop, IOperation child)
        => loop switch
        {
            IForLoopOperation forLoop => forLoop.Condition == child || forLoop.AtLoopBottom.Contains(child),
            IWhileLoopOperation whileLoop => whileLoop.Condition == child,
            _ => false,
        };
}
