using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Governance.Analyzers.Limiting;
using Governance.Analyzers.Operations;
using Governance.Analyzers.Options;
using Governance.Analyzers.Symbols;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Governance.Analyzers.Tasks;

/// <summary>
/// GOV1002: <c>Task.WhenAll</c> / <c>Task.WaitAll</c> over one task per item of a collection — a
/// <c>Select</c> of tasks, or a local list filled by a loop — all started at once.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UnboundedFanOutAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Diagnostic property: the fan-out is a <c>Select</c> the code fix can rewrite.</summary>
    public const string ShapeProperty = "Shape";
    public const string SelectShape = "Select";

    /// <summary>Diagnostic property value: the fan-out is a local list filled by a loop.</summary>
    public const string LoopShape = "Loop";

    private static readonly char[] s_whitespace = { '\r', '\n', '\t', ' ' };

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.UnboundedFanOut);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var symbols = TaskSymbols.Create(start.Compilation);
            if (symbols is null)
            {
                return;
            }

            var limiters = new LimiterSymbols(start.Compilation);
            var testProject = start.Compilation.IsTestProject();
            start.RegisterOperationAction(operation => Analyze(operation, symbols, limiters, testProject), OperationKind.Invocation);
        });
    }

    private static void Analyze(OperationAnalysisContext context, TaskSymbols symbols, LimiterSymbols limiters, bool testProject)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var method = invocation.TargetMethod;
        if (method.Name is not ("WhenAll" or "WaitAll") || !method.IsStatic || !method.ContainingType.IsType(symbols.Task)
            || invocation.Arguments.Length == 0
            || invocation.Arguments[0].ArgumentKind != ArgumentKind.Explicit)
        {
            // A params call (`WhenAll(a, b, c)`) has a fixed arity: it is bounded by the code itself.
            return;
        }

        var options = GovernanceOptions.For(context.Options, invocation.Syntax.SyntaxTree);
        if (testProject && !options.FanOutInTestProjects)
        {
            // A test's or benchmark's fan-out is sized by the test, and never meets production load.
            return;
        }

        var lifecycle = IsLifecycle(context.ContainingSymbol);

        // A constant burst in a test method is the test's deliberate load, not work that grows with data.
        var maxConstant = context.ContainingSymbol.IsTestMethod() ? int.MaxValue : options.FanOutMaxConstantIterations;
        var configured = limiters.GetConfiguredTypes(options);
        var value = StripMaterialization(invocation.Arguments[0].Value.WalkDownConversions(), symbols);
        if (value is ILocalReferenceOperation local
            && FindSingleValue(local) is { } initializer
            && IsSelect(StripMaterialization(initializer.WalkDownConversions(), symbols), symbols) is { } selectThroughLocal)
        {
            value = selectThroughLocal;
        }

        string? source = null;
        var isSelect = false;
        if (IsSelect(value, symbols) is { } select)
        {
            if (SelectorStartsWork(select, symbols)
                && !LoopBounds.IsSmallOrConfiguredSource(select.Arguments[0].Value, maxConstant, symbols)
                && !(lifecycle && LoopBounds.IsOwnMemberSet(select.Arguments[0].Value, symbols))
                && !SelectorAcquiresFirst(select, limiters, configured, context.CancellationToken))
            {
                source = select.Arguments[0].Value.Syntax.ToString();
                isSelect = value == StripMaterialization(invocation.Arguments[0].Value.WalkDownConversions(), symbols);
            }
        }
        else if (value is ILocalReferenceOperation collection)
        {
            source = FindUnboundedFillingLoop(collection, symbols, limiters, maxConstant, lifecycle, configured, context.CancellationToken);
        }

        if (source is null)
        {
            return;
        }

        var location = invocation.Syntax is Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax syntax ? syntax.Expression.GetLocation() : invocation.Syntax.GetLocation();
        var properties = isSelect ? ImmutableDictionary<string, string?>.Empty.Add(ShapeProperty, SelectShape)
            : value is ILocalReferenceOperation ? ImmutableDictionary<string, string?>.Empty.Add(ShapeProperty, LoopShape)
            : ImmutableDictionary<string, string?>.Empty;
        context.ReportDiagnostic(Diagnostic.Create(Descriptors.UnboundedFanOut, location, properties, "Task." + method.Name, Shorten(source)));
    }

    /// <summary>
    /// A lifecycle step of a long-lived object: <c>Start…</c>, <c>Stop…</c>, <c>Dispose…</c>, <c>Shutdown…</c>, <c>Close…</c>.
    /// It runs once per object, so starting or stopping every one of the object's own parts at once does not grow
    /// with load.
    /// </summary>
    private static bool IsLifecycle(ISymbol method)
        => method is IMethodSymbol { Name: var name }
            && (name.StartsWith("Start", System.StringComparison.Ordinal) || name.StartsWith("Stop", System.StringComparison.Ordinal)
                || name.StartsWith("Dispose", System.StringComparison.Ordinal) || name.StartsWith("Shutdown", System.StringComparison.Ordinal)
                || name.StartsWith("Close", System.StringComparison.Ordinal));

    private static string Shorten(string text)
    {
        text = string.Join(" ", text.Split(s_whitespace, System.StringSplitOptions.RemoveEmptyEntries));
        return text.Length <= 60 ? text : text.Substring(0, 57) + "...";
    }

    /// <summary><c>.ToArray()</c> / <c>.ToList()</c> do not change what is started.</summary>
    private static IOperation StripMaterialization(IOperation value, TaskSymbols symbols)
    {
        // An array passed to the `params ReadOnlySpan<Task>` overloads arrives through the span's conversion operator.
        while (value is IConversionOperation { OperatorMethod: not null, Type.Name: "ReadOnlySpan" or "Span" } spanConversion)
        {
            value = spanConversion.Operand.WalkDownConversions();
        }

        while (value is IInvocationOperation { TargetMethod.Name: "ToArray" or "ToList" } materialize)
        {
            if (materialize.Instance is { } list && materialize.Arguments.Length == 0)
            {
                value = list.WalkDownConversions();
            }
            else if (materialize.Arguments.Length == 1 && materialize.TargetMethod.ContainingType.IsType(symbols.Enumerable))
            {
                value = materialize.Arguments[0].Value.WalkDownConversions();
            }
            else
            {
                break;
            }
        }

        return value;
    }

    private static IInvocationOperation? IsSelect(IOperation value, TaskSymbols symbols)
        => value is IInvocationOperation { TargetMethod.Name: "Select", Arguments.Length: 2 } select && select.TargetMethod.ContainingType.IsType(symbols.Enumerable)
            ? select
            : null;

    /// <summary>
    /// Whether each call of the selector starts work: an async lambda, a method group, or a lambda returning a call
    /// that produces a task. <c>workers.Select(w =&gt; w.Task)</c> only gathers tasks that already run.
    /// </summary>
    private static bool SelectorStartsWork(IInvocationOperation select, TaskSymbols symbols)
    {
        switch (select.Arguments[1].Value.WalkDownConversions())
        {
            case IDelegateCreationOperation { Target: IMethodReferenceOperation }:
                return true;
            case IDelegateCreationOperation { Target: IAnonymousFunctionOperation selector }:
                if (selector.Symbol.IsAsync)
                {
                    return true;
                }

                return selector.Body.DescendantsInSameFunction()
                    .OfType<IReturnOperation>()
                    .Any(r => r.ReturnedValue?.WalkDownConversions() is IInvocationOperation call && symbols.IsTaskLike(call.Type)
                        && !call.TargetMethod.Name.StartsWith("Wait", System.StringComparison.Ordinal));
            default:
                return false;
        }
    }

    private static bool SelectorAcquiresFirst(IInvocationOperation select, LimiterSymbols limiters, ImmutableArray<INamedTypeSymbol> configured, CancellationToken cancellationToken)
        => select.Arguments[1].Value.WalkDownConversions() switch
        {
            IDelegateCreationOperation { Target: IAnonymousFunctionOperation selector } => LimiterAcquisition.AcquiresFirst(selector, limiters, configured, cancellationToken),
            IDelegateCreationOperation { Target: IMethodReferenceOperation method } => LimiterAcquisition.CalleeAcquiresFirst(method.Method, select.SemanticModel, limiters, configured, cancellationToken),
            _ => false,
        };

    /// <summary>The value a local is given, when it is given exactly one in its code block.</summary>
    private static IOperation? FindSingleValue(ILocalReferenceOperation reference)
    {
        IOperation? value = null;
        foreach (var operation in reference.GetRoot().Descendants())
        {
            switch (operation)
            {
                case IVariableDeclaratorOperation declarator when SymbolEqualityComparer.Default.Equals(declarator.Symbol, reference.Local):
                    value = declarator.Initializer?.Value;
                    break;
                case ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } assignment when SymbolEqualityComparer.Default.Equals(target.Local, reference.Local):
                    if (value is not null)
                    {
                        return null;
                    }

                    value = assignment.Value;
                    break;
            }
        }

        return value;
    }

    /// <summary>
    /// A window or batch: the loop itself waits on the collection (<c>if (tasks.Count == n) await Task.WhenAny(tasks)</c>),
    /// so no more than a window's worth run at once.
    /// </summary>
    private static bool WaitsInsideLoop(ILoopOperation loop, ILocalSymbol collection)
        => loop.Body.DescendantsInSameFunction()
            .Where(o => o is IAwaitOperation || o is IInvocationOperation { TargetMethod.Name: "Wait" or "WaitAll" or "WaitAny" })
            .Any(wait => wait.Descendants().OfType<ILocalReferenceOperation>().Any(r => SymbolEqualityComparer.Default.Equals(r.Local, collection)));

    /// <summary>
    /// The collection a loop walks while adding one spawned task per iteration to <paramref name="collection"/>,
    /// when that loop is not small, configured or limited; null otherwise.
    /// </summary>
    private static string? FindUnboundedFillingLoop(ILocalReferenceOperation collection, TaskSymbols symbols, LimiterSymbols limiters, int maxConstant, bool lifecycle, ImmutableArray<INamedTypeSymbol> configured, CancellationToken cancellationToken)
    {
        foreach (var operation in collection.GetRoot().Descendants())
        {
            IOperation? added = operation switch
            {
                IInvocationOperation { Instance: ILocalReferenceOperation target } add when SpawnFateClassifier.IsCollectionAdd(add.TargetMethod.Name)
                    && add.Arguments.Length == 1 && SymbolEqualityComparer.Default.Equals(target.Local, collection.Local) => add.Arguments[0].Value,
                ISimpleAssignmentOperation { Target: IArrayElementReferenceOperation { ArrayReference: ILocalReferenceOperation target } } store
                    when SymbolEqualityComparer.Default.Equals(target.Local, collection.Local) => store.Value,
                _ => null,
            };
            if (added is null)
            {
                continue;
            }

            var spawnOperation = added.WalkDownConversions();
            if (spawnOperation is ILocalReferenceOperation task && FindSingleValue(task) is { } taskValue)
            {
                spawnOperation = taskValue.WalkDownConversions();
            }

            // A loop around the wait itself (a driver that fills a batch, waits for it, then fills the next) does not
            // widen the fan-out: only the loops between the wait and the spawn do.
            var loops = LoopFacts.GetEnclosingLoops(operation).Where(l => !l.Syntax.Span.Contains(collection.Syntax.Span)).ToList();
            if (loops.Count == 0
                || WaitsInsideLoop(loops[0], collection.Local)
                || LoopBounds.HasConstantBound(loops[0])
                || SpawnDetector.Detect(spawnOperation, symbols, limiters) is not { Kind: SpawnKind.Task } spawn
                || loops.All(l => LoopBounds.IsSmallOrConfigured(l, maxConstant, symbols)
                    || (lifecycle && l is IForEachLoopOperation forEach && LoopBounds.IsOwnMemberSet(forEach.Collection, symbols)))
                || LimiterAcquisition.IsPrecededByAcquire(operation, loops[loops.Count - 1], limiters, configured)
                || LimiterAcquisition.IsPrecededByAcquire(spawn.Operation, loops[loops.Count - 1], limiters, configured)
                || (spawn.Work is { } work && LimiterAcquisition.AcquiresFirst(work, limiters, configured, cancellationToken))
                || (spawn.Work is null && spawn.Operation is IInvocationOperation call
                    && LimiterAcquisition.CalleeAcquiresFirst(call.TargetMethod, call.SemanticModel, limiters, configured, cancellationToken)))
            {
                continue;
            }

            return loops[0] is IForEachLoopOperation forEach ? forEach.Collection.WalkDownConversions().Syntax.ToString() : collection.Local.Name;
        }

        return null;
    }
}
