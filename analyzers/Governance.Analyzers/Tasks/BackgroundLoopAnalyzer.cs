using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Governance.Analyzers.Operations;
using Governance.Analyzers.Options;
using Governance.Analyzers.Symbols;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Governance.Analyzers.Tasks;

/// <summary>
/// GOV1003: a background loop (<c>while (true)</c>, <c>for (;;)</c>, <c>do { } while (true)</c>) that nothing can
/// end. GOV1004: a long-lived loop that polls with <c>await Task.Delay(...)</c>. One analyzer, so that a loop gets one
/// diagnostic: a loop GOV1003 reports is not also reported by GOV1004.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class BackgroundLoopAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(Descriptors.BackgroundLoopWithoutExit, Descriptors.PollingWithDelay);

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

            var testProject = start.Compilation.IsTestProject();

            // Per type: a synchronous method is background work only when the type hands it to Task.Run, StartNew or
            // a new Thread, which may be written after the loop, or in another partial declaration.
            start.RegisterSymbolStartAction(
                typeStart =>
                {
                    var spawned = new ConcurrentDictionary<IMethodSymbol, byte>(SymbolEqualityComparer.Default);
                    var pending = new ConcurrentQueue<(IMethodSymbol Method, Diagnostic Diagnostic)>();
                    typeStart.RegisterOperationAction(operation => AnalyzeLoop(operation, symbols, testProject, pending), OperationKind.Loop);
                    typeStart.RegisterOperationAction(operation => CollectSpawnedMethod((IDelegateCreationOperation)operation.Operation, symbols, spawned), OperationKind.DelegateCreation);
                    typeStart.RegisterSymbolEndAction(end =>
                    {
                        foreach (var (method, diagnostic) in pending)
                        {
                            if (spawned.ContainsKey(method))
                            {
                                end.ReportDiagnostic(diagnostic);
                            }
                        }
                    });
                },
                SymbolKind.NamedType);
        });
    }

    private static void AnalyzeLoop(OperationAnalysisContext context, TaskSymbols symbols, bool testProject, ConcurrentQueue<(IMethodSymbol, Diagnostic)> pending)
    {
        // Perf: most loops are neither endless nor `while` loops that await a delay; they stop here, before the
        // function around them is classified.
        var loop = (ILoopOperation)context.Operation;
        var endless = LoopFacts.IsEndless(loop);
        var delays = endless || loop is IWhileLoopOperation ? PollingLoops.FindDelays(loop, symbols).OrderBy(d => d.Syntax.SpanStart).ToList() : null;
        if (!endless && (delays is null || delays.Count == 0))
        {
            return;
        }

        var owner = LoopOwner.Classify(loop, context.ContainingSymbol, symbols);
        if (owner.Kind == LoopOwnerKind.None)
        {
            return;
        }

        if (endless
            && !LoopFacts.FindExits(loop, symbols.DoesNotReturnAttribute).Any()
            && !StopSignals.IsObservedIn(loop, symbols)
            && !StopSignals.IsInsideStopCatch(loop, symbols)
            && !LoopFacts.IsAcceptLoop(loop, symbols))
        {
            // One diagnostic per loop: a loop with no exit is GOV1003's, whatever it awaits.
            if (testProject && !GovernanceOptions.For(context.Options, loop.Syntax.SyntaxTree).LoopsInTestProjects)
            {
                // A test's background loop ends with the test host; its fakes and load generators run "forever" on purpose.
                return;
            }

            var diagnostic = Diagnostic.Create(Descriptors.BackgroundLoopWithoutExit, GetKeywordLocation(loop), Describe(loop), owner.Description);
            if (owner.Kind == LoopOwnerKind.SynchronousMethod)
            {
                pending.Enqueue((owner.Method!, diagnostic));
            }
            else
            {
                context.ReportDiagnostic(diagnostic);
            }

            return;
        }

        if (owner.Kind != LoopOwnerKind.SynchronousMethod && delays is { Count: > 0 })
        {
            AnalyzePolling(context, loop, delays, symbols, testProject);
        }
    }

    private static void AnalyzePolling(OperationAnalysisContext context, ILoopOperation loop, List<IInvocationOperation> delays, TaskSymbols symbols, bool testProject)
    {
        if (!PollingLoops.IsPolling(loop, delays, symbols))
        {
            return;
        }

        var options = GovernanceOptions.For(context.Options, loop.Syntax.SyntaxTree);
        if (testProject && !options.PollingInTestProjects)
        {
            return;
        }

        // One diagnostic per loop, at the delay that matters most: the first that no token can end, else the first.
        IInvocationOperation? reported = null;
        foreach (var delay in delays)
        {
            if (PollingLoops.IsBackOff(delay, loop, symbols))
            {
                continue;
            }

            if (!PollingLoops.HasToken(delay, symbols))
            {
                reported = delay;
                break;
            }

            reported ??= delay;
        }

        if (reported is null)
        {
            return;
        }

        var hasToken = PollingLoops.HasToken(reported, symbols);
        if (hasToken && symbols.PeriodicTimer is null)
        {
            // The suggestion is PeriodicTimer; a target without it (before .NET 6) has nothing better than a token.
            return;
        }

        var location = reported.Syntax is InvocationExpressionSyntax invocation ? invocation.Expression.GetLocation() : reported.Syntax.GetLocation();
        var message = hasToken
            ? $"'{LoopFacts.GetKeyword(loop)}' loop polls with Task.Delay: a PeriodicTimer keeps one timer for the loop's lifetime, does not drift by the time the work takes, and stops with its token"
            : $"'{LoopFacts.GetKeyword(loop)}' loop polls with Task.Delay and gives it no cancellation token: nothing can end the wait, so stopping the loop waits out the delay";
        context.ReportDiagnostic(Diagnostic.Create(
            Descriptors.PollingWithDelay,
            location,
            hasToken ? DiagnosticSeverity.Info : DiagnosticSeverity.Warning,
            additionalLocations: null,
            properties: null,
            message));
    }

    /// <summary>
    /// Task.Run / StartNew / new Thread given a method group (<c>new Thread(Run)</c>), or a lambda that only calls one
    /// method (<c>Task.Run(() =&gt; Pump())</c>): that method runs as background work.
    /// </summary>
    private static void CollectSpawnedMethod(IDelegateCreationOperation creation, TaskSymbols symbols, ConcurrentDictionary<IMethodSymbol, byte> spawned)
    {
        if (LoopOwner.GetSpawnName(creation, symbols) is null)
        {
            return;
        }

        var method = creation.Target switch
        {
            IMethodReferenceOperation reference => reference.Method,
            IAnonymousFunctionOperation lambda => GetOnlyCall(lambda.Body)?.TargetMethod,
            _ => null,
        };
        if (method is not null)
        {
            spawned.TryAdd(method.OriginalDefinition, 0);
        }
    }

    /// <summary>The one call a lambda body makes (<c>() =&gt; Pump()</c>, <c>() =&gt; { Pump(); }</c>); null for anything else.</summary>
    private static IInvocationOperation? GetOnlyCall(IBlockOperation body)
    {
        IInvocationOperation? only = null;
        foreach (var statement in body.Operations)
        {
            if (statement is IReturnOperation { ReturnedValue: null, IsImplicit: true })
            {
                continue;
            }

            var call = statement switch
            {
                IExpressionStatementOperation { Operation: IInvocationOperation invocation } => invocation,
                IReturnOperation { ReturnedValue: IInvocationOperation invocation } => invocation,
                _ => null,
            };
            if (call is null || only is not null)
            {
                return null;
            }

            only = call;
        }

        return only;
    }

    /// <summary><c>while (true)</c>, <c>for (;;)</c>, <c>do ... while (true)</c>: how the message names the loop.</summary>
    private static string Describe(ILoopOperation loop)
        => loop.Syntax switch
        {
            WhileStatementSyntax { Condition: var condition } => $"while ({condition})",
            DoStatementSyntax { Condition: var condition } => $"do ... while ({condition})",
            ForStatementSyntax { Condition: null } => "for (;;)",
            ForStatementSyntax { Condition: var condition } => $"for (; {condition};)",
            _ => LoopFacts.GetKeyword(loop),
        };

    private static Location GetKeywordLocation(ILoopOperation loop)
        => loop.Syntax switch
        {
            WhileStatementSyntax whileStatement => whileStatement.WhileKeyword.GetLocation(),
            DoStatementSyntax doStatement => doStatement.DoKeyword.GetLocation(),
            ForStatementSyntax forStatement => forStatement.ForKeyword.GetLocation(),
            _ => loop.Syntax.GetLocation(),
        };
}
