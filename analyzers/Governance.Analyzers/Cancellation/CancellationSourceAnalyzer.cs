using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Governance.Analyzers.Operations;
using Governance.Analyzers.Options;
using Governance.Analyzers.Symbols;
using Governance.Analyzers.Timers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Governance.Analyzers.Cancellation;

/// <summary>
/// GOV5001 (a linked <c>CancellationTokenSource</c> nobody disposes) and GOV5002 (a source with a timer nobody
/// disposes or cancels), for locals and for private fields and auto-properties: one walk of each body that creates
/// a source into a local, and one collection of the uses of each private member, for both rules.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class CancellationSourceAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Diagnostic property telling the code fix which shape it is looking at.</summary>
    public const string KindProperty = "Kind";
    public const string LocalKind = "Local";
    public const string MemberKind = "Member";
    public const string ReassignedKind = "Reassigned";

    /// <summary>Set on local reports where <c>using var</c> compiles and keeps the behaviour: the token is not used after the scope ends.</summary>
    public const string CanUseUsingProperty = "CanUseUsing";

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.LinkedSourceNeverDisposed, Descriptors.TimerSourceNeverDisposed);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var symbols = CancellationSymbols.Create(start.Compilation);
            if (symbols is null)
            {
                return;
            }

            var testProject = start.Compilation.IsTestProject();

            // Perf: only a body that creates a source into a local is walked, once, when the creation is met.
            var walked = new WalkedBlocks();
            start.RegisterOperationAction(
                operationContext =>
                {
                    var operation = operationContext.Operation;
                    if (!symbols.TryGetCreation(operation, out _) || !TryGetAssignedLocal(operation, out _, out _))
                    {
                        return;
                    }

                    var rules = ReportedRules.For(operationContext.Options, operation.Syntax.SyntaxTree, operationContext.ContainingSymbol, testProject);
                    if (rules.Any && walked.TryClaim(operation) is { } block)
                    {
                        AnalyzeLocals(block, symbols, rules, ReportedRules.IsEntryPoint(operationContext.ContainingSymbol), operationContext.ReportDiagnostic);
                    }
                },
                OperationKind.Invocation,
                OperationKind.ObjectCreation);
            start.RegisterSymbolStartAction(typeStart => SourceMemberAnalysis.Register(typeStart, symbols, testProject), SymbolKind.NamedType);
        });
    }

    internal static Diagnostic Create(SourceKind kind, IOperation creation, string shape, bool canUseUsing, string message)
    {
        var properties = ImmutableDictionary<string, string?>.Empty.Add(KindProperty, shape);
        if (shape == LocalKind)
        {
            properties = properties.Add(CanUseUsingProperty, canUseUsing ? "true" : "false");
        }

        var descriptor = kind == SourceKind.Linked ? Descriptors.LinkedSourceNeverDisposed : Descriptors.TimerSourceNeverDisposed;
        return Diagnostic.Create(descriptor, creation.Syntax.GetLocation(), properties, message);
    }

    private static void AnalyzeLocals(IOperation block, CancellationSymbols symbols, ReportedRules rules, bool entryPoint, Action<Diagnostic> report)
    {
        Dictionary<ILocalSymbol, LocalSource>? sources = null;
        foreach (var operation in block.DescendantsAndSelf())
        {
            if (symbols.TryGetCreation(operation, out var kind) && TryGetAssignedLocal(operation, out var local, out var isUsing))
            {
                sources ??= new Dictionary<ILocalSymbol, LocalSource>(SymbolEqualityComparer.Default);
                if (!sources.TryGetValue(local, out var source))
                {
                    sources[local] = source = new LocalSource();
                }

                source.Add(operation, kind, isUsing);
            }
        }

        if (sources is null)
        {
            return;
        }

        var references = new Dictionary<ILocalSymbol, List<ILocalReferenceOperation>>(SymbolEqualityComparer.Default);
        foreach (var operation in block.DescendantsAndSelf())
        {
            if (operation is ILocalReferenceOperation reference && sources.ContainsKey(reference.Local))
            {
                if (!references.TryGetValue(reference.Local, out var list))
                {
                    references[reference.Local] = list = new List<ILocalReferenceOperation>();
                }

                list.Add(reference);
            }
        }

        foreach (var pair in sources)
        {
            var source = pair.Value;
            if (source.IsUsing || source.First is not { } first)
            {
                continue;
            }

            // `Main` and top-level statements run once per process: a source made there cannot pile up (a lambda
            // written there, such as a minimal-API handler, runs once per call and is judged as usual).
            if (entryPoint && !(first.GetEnclosingFunction() is IAnonymousFunctionOperation or ILocalFunctionOperation))
            {
                continue;
            }

            references.TryGetValue(pair.Key, out var uses);
            if (Judge(pair.Key, source, first, uses ?? new List<ILocalReferenceOperation>(), block, symbols, rules) is { } diagnostic)
            {
                report(diagnostic);
            }
        }
    }

    private static Diagnostic? Judge(ILocalSymbol local, LocalSource source, IOperation creation, List<ILocalReferenceOperation> uses, IOperation block, CancellationSymbols symbols, ReportedRules rules)
    {
        var function = creation.GetEnclosingFunction();
        var kind = source.Kind;
        var canUseUsing = SourceFlow.GetStorageConsumer(creation, out _) is IVariableInitializerOperation;
        var disposals = new List<IOperation>();
        var cancels = new List<IOperation>();
        var inScope = new List<IOperation>();
        IOperation? timerStart = null;
        foreach (var use in uses)
        {
            var useKind = SourceReferenceClassifier.Classify(use, symbols);
            if (use.GetEnclosingFunction() != function)
            {
                // Captured. A dispose there (a continuation, a callback) or a hand-off is someone's disposal; a lambda
                // that runs while the method waits (a retry policy's delegate) is part of the method; any other
                // lambda may outlive the method with the source: it is no longer this method's to dispose.
                if (useKind is SourceReferenceUse.Disposed or SourceReferenceUse.Escaped || !RunsWhileMethodWaits(use, function))
                {
                    return null;
                }
            }

            switch (useKind)
            {
                case SourceReferenceUse.Escaped:
                    return null;
                case SourceReferenceUse.Disposed:
                    disposals.Add(use);
                    break;
                case SourceReferenceUse.Cancelled:
                    cancels.Add(use);
                    break;
                case SourceReferenceUse.TimerStarted:
                    timerStart ??= use;
                    break;
                case SourceReferenceUse.Assigned:
                    // A using variable is read-only.
                    canUseUsing = false;
                    break;
            }

            inScope.Add(use);
        }

        if (kind == SourceKind.Plain && timerStart is not null)
        {
            kind = SourceKind.Timer;
        }

        if (kind == SourceKind.Plain || !rules.Reports(kind))
        {
            return null;
        }

        // Linked only to sources that this method disposes: disposing a parent drops its registrations, so the link
        // goes with it (a flush with its own timeout source, linked to a source the same method disposes).
        if (kind == SourceKind.Linked && ParentsDisposedHere((IInvocationOperation)creation, block, symbols))
        {
            return null;
        }

        // Cancelling stops the timer (the runtime disposes it), but leaves a linked source registered on its parents.
        if (kind == SourceKind.Timer)
        {
            disposals.AddRange(cancels);
        }

        string message;
        if (disposals.Count == 0)
        {
            message = SourceMessages.LocalNeverDisposed(local.Name, kind, creation, timerStart);
        }
        else if (TimerExitPaths.FindReturnSkippingStop(creation, disposals) is { } exit)
        {
            message = SourceMessages.LocalSomePaths(local.Name, kind, creation, timerStart, exit);
        }
        else
        {
            return null;
        }

        canUseUsing = canUseUsing && SourceFlow.TokenEndsWithMethod(inScope, block);
        return Create(kind, creation, LocalKind, canUseUsing, message);
    }

    private static bool ParentsDisposedHere(IInvocationOperation linked, IOperation block, CancellationSymbols symbols)
    {
        var any = false;
        foreach (var parent in CancellationSymbols.GetParents(linked))
        {
            if (parent.WalkDownConversions() is not IPropertyReferenceOperation { Property.Name: "Token", Instance: { } owner }
                || !symbols.IsSourceType(owner.Type)
                || GetSymbol(owner) is not { } source
                || !IsDisposedIn(source, block, symbols))
            {
                return false;
            }

            any = true;
        }

        return any;
    }

    private static ISymbol? GetSymbol(IOperation operation)
        => operation switch
        {
            ILocalReferenceOperation local => local.Local,
            IFieldReferenceOperation { Instance: null or IInstanceReferenceOperation } field => field.Field,
            _ => null,
        };

    private static bool IsDisposedIn(ISymbol source, IOperation block, CancellationSymbols symbols)
    {
        foreach (var operation in block.Descendants())
        {
            switch (operation)
            {
                case IVariableDeclaratorOperation { Initializer: { } initializer } declarator
                    when SymbolEqualityComparer.Default.Equals(declarator.Symbol, source) && SourceReferenceClassifier.IsUsingDeclarator(initializer):
                    return true;
                case ILocalReferenceOperation or IFieldReferenceOperation when SymbolEqualityComparer.Default.Equals(GetSymbol(operation), source)
                    && SourceReferenceClassifier.Classify(operation, symbols) == SourceReferenceUse.Disposed:
                    return true;
            }
        }

        return false;
    }

    // Every lambda between the use and the function that owns the local runs while that function waits for it.
    private static bool RunsWhileMethodWaits(IOperation use, IOperation function)
    {
        var current = use.GetEnclosingFunction();
        while (current != function)
        {
            var next = current.GetEnclosingFunction();
            if (next == current || !SourceFlow.RunsWhileMethodWaits(current))
            {
                return false;
            }

            current = next;
        }

        return true;
    }

    internal static bool TryGetAssignedLocal(IOperation creation, out ILocalSymbol local, out bool isUsing)
    {
        var consumer = SourceFlow.GetStorageConsumer(creation, out var child);
        isUsing = false;
        switch (consumer)
        {
            case IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator } initializer:
                local = declarator.Symbol;
                isUsing = SourceReferenceClassifier.IsUsingDeclarator(initializer);
                return true;
            case ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } assignment when assignment.Value == child:
                local = target.Local;
                return assignment.Parent is IExpressionStatementOperation;
            default:
                local = null!;
                return false;
        }
    }

    /// <summary>The sources stored into one local: the one reported is the first of the strongest kind.</summary>
    private sealed class LocalSource
    {
        public SourceKind Kind { get; private set; } = SourceKind.Plain;

        public IOperation? First { get; private set; }

        public bool IsUsing { get; private set; }

        public void Add(IOperation creation, SourceKind kind, bool isUsing)
        {
            IsUsing |= isUsing;
            if (First is null || kind > Kind)
            {
                First = creation;
                Kind = kind;
            }
        }
    }
}
