using System.Collections.Immutable;
using System.Linq;
using Governance.Analyzers.Limiting;
using Governance.Analyzers.Operations;
using Governance.Analyzers.Options;
using Governance.Analyzers.Symbols;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Governance.Analyzers.Tasks;

/// <summary>GOV1001: a task or thread started per loop iteration that nothing bounds or awaits.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UnboundedSpawnInLoopAnalyzer : DiagnosticAnalyzer
{
    private static readonly char[] s_lineBreaks = { '\r', '\n' };

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.UnboundedSpawnInLoop);

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
            start.RegisterOperationAction(operation => Analyze(operation, symbols, limiters, testProject), OperationKind.Invocation, OperationKind.ObjectCreation);
        });
    }

    private static void Analyze(OperationAnalysisContext context, TaskSymbols symbols, LimiterSymbols limiters, bool testProject)
    {
        // Perf: the loop walk is a few parent hops; most operations are not in a loop and stop here.
        var loops = LoopFacts.GetEnclosingLoops(context.Operation);
        if (loops.Count == 0 || SpawnDetector.Detect(context.Operation, symbols, limiters) is not { } spawn)
        {
            return;
        }

        var loop = loops[0];
        var fate = SpawnFateClassifier.Classify(spawn.Operation, out var storage);
        var unowned = spawn.Kind switch
        {
            SpawnKind.Thread => fate != SpawnFate.Awaited,
            SpawnKind.WorkItem => true,
            _ => fate switch
            {
                SpawnFate.Discarded => true,
                SpawnFate.Stored => storage is null || !LoopFacts.IsGuardedBy(loop, storage),
                SpawnFate.Collected => storage is null || !SpawnFateClassifier.IsCollectionConsumed(storage, spawn.Operation),
                _ => false,
            },
        };
        if (!unowned)
        {
            return;
        }

        // Threads all joined after the loop are the method's workers when the loop counts a constant or a set the object
        // holds (its configured shards or cores); a thread per item of data handed in or read is still reported.
        // A loop whose every iteration waits for what it collected (a sweep that starts a round of threads and joins
        // them before the next round) does not multiply the spawns: only the loops inside the wait count.
        var wait = fate == SpawnFate.Collected && storage is not null ? SpawnFateClassifier.FindWait(storage, spawn.Operation) : null;
        var multiplying = wait is null ? loops : loops.Where(l => !l.Syntax.Span.Contains(wait.Syntax.Span)).ToList();
        if (multiplying.Count == 0)
        {
            return;
        }

        loop = multiplying[0];
        var options = GovernanceOptions.For(context.Options, context.Operation.Syntax.SyntaxTree);
        if (testProject && !options.SpawnsInTestProjects)
        {
            // A test's or benchmark's spawns are sized by the test and never meet production load.
            return;
        }

        var configured = limiters.GetConfiguredTypes(options);
        var maxConstant = MaxConstant(context.ContainingSymbol, options);
        var startUp = IsStartUp(context.ContainingSymbol);
        if (IsCleanup(context.ContainingSymbol)
            || multiplying.All(l => LoopBounds.IsSmallOrConfigured(l, maxConstant, symbols)
                || (startUp && l is IForEachLoopOperation forEach && LoopBounds.IsOwnMemberSet(forEach.Collection, symbols))
                || (spawn.Kind == SpawnKind.Thread && wait is not null && (LoopBounds.HasConstantBound(l) || LoopBounds.CountsOwnMember(l))))
            || (spawn.Kind != SpawnKind.Thread && LoopFacts.IsAcceptLoop(loop, symbols))
            || LoopFacts.ExitsAfter(spawn.Operation, loop)
            || (spawn.Kind == SpawnKind.Task && spawn.Work is null && LoopFacts.IsPipelinedOnOneClient(spawn.Operation))
            || LoopFacts.IsGuardedByItemState(spawn.Operation, loop)
            || LoopFacts.IsPrecededBySpinWait(spawn.Operation, loop)
            || LimiterAcquisition.IsPrecededByAcquire(spawn.Operation, loops[loops.Count - 1], limiters, configured)
            || (!options.RequireLimitBeforeSpawn && AcquiresFirst(spawn, limiters, configured, context.CancellationToken))
            || (!loops.Any(WorkerLoops.WalksIncomingData) && WorkerLoops.IsWorker(spawn, context.CancellationToken)))
        {
            return;
        }

        var consequence = spawn.Kind switch
        {
            SpawnKind.Thread => "one thread per item, each with its own stack, with no bound",
            SpawnKind.WorkItem => "one work item per item with no bound, and nothing waits for them",
            _ when fate == SpawnFate.Stored && storage is not null => $"one task per item with no bound, kept in '{storage.Name}', which nothing in this method awaits",
            _ => "one task per item with no bound, and nothing waits for them",
        };
        context.ReportDiagnostic(Diagnostic.Create(Descriptors.UnboundedSpawnInLoop, spawn.Location, spawn.DisplayName, DescribeLoop(loop), consequence));
    }

    /// <summary><c>'foreach' over 'messages'</c>: the loop and, when it walks a named source, that source.</summary>
    private static string DescribeLoop(ILoopOperation loop)
    {
        var keyword = $"'{LoopFacts.GetKeyword(loop)}'";
        if (loop is IForEachLoopOperation forEach && forEach.Collection.WalkDownConversions().Syntax is { } source)
        {
            var text = source.ToString();
            if (text.Length <= 40 && text.IndexOfAny(s_lineBreaks) < 0)
            {
                return $"{keyword} over '{text}'";
            }
        }

        return keyword;
    }

    /// <summary>
    /// Best-effort cleanup when the object shuts down: a <c>Dispose</c>, <c>DisposeAsync</c>, <c>Stop</c>, <c>Close</c>,
    /// <c>Shutdown</c> or stop hook (<c>OnStop</c>, an actor's <c>PostStop</c>) method that releases each of the object's own resources without waiting. It runs once per
    /// object, not once per request, so it does not multiply with load.
    /// </summary>
    private static bool IsCleanup(ISymbol method)
        => method is IMethodSymbol { Name: "Dispose" or "DisposeAsync" or "DisposeAsyncCore" or "DisposeCore" or "Stop" or "StopAsync" or "Close" or "CloseAsync"
            or "Shutdown" or "ShutdownAsync" or "OnStop" or "OnStopped" or "PostStop" };

    /// <summary>A constant burst in a test method is the test's deliberate load, not work that grows with data.</summary>
    private static int MaxConstant(ISymbol method, GovernanceOptions options)
        => method.IsTestMethod() ? int.MaxValue : options.MaxConstantIterations;

    /// <summary>
    /// Start-up of a long-lived object: a constructor, <c>Start</c>/<c>StartAsync</c>, a hosted service's
    /// <c>ExecuteAsync</c> or the <c>IHostedLifecycleService</c> steps. It runs once per object, so a spawn per entry
    /// of a set the object already holds is one per entry loaded at start-up, not one per request.
    /// </summary>
    private static bool IsStartUp(ISymbol method)
        => method is IMethodSymbol { MethodKind: MethodKind.Constructor }
            or IMethodSymbol { Name: "Start" or "StartAsync" or "StartingAsync" or "StartedAsync" or "OnStarted" }
            or IMethodSymbol { Name: "ExecuteAsync", IsOverride: true };

    /// <summary>The spawned lambda, or the spawned call's method, takes a limiter as its first step.</summary>
    private static bool AcquiresFirst(Spawn spawn, LimiterSymbols limiters, ImmutableArray<INamedTypeSymbol> configured, System.Threading.CancellationToken cancellationToken)
        => spawn.Work is { } work
            ? LimiterAcquisition.AcquiresFirst(work, limiters, configured, cancellationToken)
            : spawn.Operation is IInvocationOperation call && LimiterAcquisition.CalleeAcquiresFirst(call.TargetMethod, call.SemanticModel, limiters, configured, cancellationToken);
}
