using System.Collections.Immutable;
using System.Linq;
using Governance.Analyzers.Limiting;
using Governance.Analyzers.Options;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Governance.Analyzers.Tasks;

/// <summary>GOV1001: a task or thread started per loop iteration that nothing bounds or awaits.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UnboundedSpawnInLoopAnalyzer : DiagnosticAnalyzer
{
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
            start.RegisterOperationAction(operation => Analyze(operation, symbols, limiters), OperationKind.Invocation, OperationKind.ObjectCreation);
        });
    }

    private static void Analyze(OperationAnalysisContext context, TaskSymbols symbols, LimiterSymbols limiters)
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

        var options = GovernanceOptions.For(context.Options, context.Operation.Syntax.SyntaxTree);
        var configured = limiters.GetConfiguredTypes(options);
        if (loops.All(l => LoopBounds.IsSmallOrConfigured(l, options.MaxConstantIterations, symbols))
            || (spawn.Kind != SpawnKind.Thread && LoopFacts.IsAcceptLoop(loop, symbols))
            || LoopFacts.ExitsAfter(spawn.Operation, loop)
            || LimiterAcquisition.IsPrecededByAcquire(spawn.Operation, loops[loops.Count - 1], limiters, configured)
            || (!options.RequireLimitBeforeSpawn && AcquiresFirst(spawn, limiters, configured, context.CancellationToken)))
        {
            return;
        }

        var consequence = spawn.Kind switch
        {
            SpawnKind.Thread => "one thread per item, each with its own stack, with no bound",
            SpawnKind.WorkItem => "one work item per item with no bound and nobody waits for it",
            _ when fate == SpawnFate.Stored && storage is not null => $"one task per item with no bound, kept in '{storage.Name}' instead of awaited",
            _ => "one task per item with no bound and nobody awaits it",
        };
        context.ReportDiagnostic(Diagnostic.Create(Descriptors.UnboundedSpawnInLoop, spawn.Location, spawn.DisplayName, LoopFacts.GetKeyword(loop), consequence));
    }

    /// <summary>The spawned lambda, or the spawned call's method, takes a limiter as its first step.</summary>
    private static bool AcquiresFirst(Spawn spawn, LimiterSymbols limiters, ImmutableArray<INamedTypeSymbol> configured, System.Threading.CancellationToken cancellationToken)
        => spawn.Work is { } work
            ? LimiterAcquisition.AcquiresFirst(work, limiters, configured, cancellationToken)
            : spawn.Operation is IInvocationOperation call && LimiterAcquisition.CalleeAcquiresFirst(call.TargetMethod, call.SemanticModel, limiters, configured, cancellationToken);
}
