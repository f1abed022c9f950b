using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using Governance.Analyzers.Operations;
using Governance.Analyzers.Symbols;
using Governance.Analyzers.Timers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Governance.Analyzers.Cancellation;

/// <summary>The type-wide half: sources in private fields and auto-properties, across every partial declaration.</summary>
internal sealed class SourceMemberAnalysis
{
    private readonly INamedTypeSymbol _type;
    private readonly CancellationSymbols _symbols;
    private readonly bool _testProject;
    private readonly ConcurrentBag<SourceMemberAssignment> _assignments = new();
    private readonly ConcurrentBag<MemberUse> _uses = new();

    // `new ThisType(...)` inside the type: where the type makes its own instances decides whether it is a singleton.
    private int _selfCreationsOnce;
    private int _selfCreationsElsewhere;

    private SourceMemberAnalysis(INamedTypeSymbol type, CancellationSymbols symbols, bool testProject)
    {
        _type = type;
        _symbols = symbols;
        _testProject = testProject;
    }

    public static void Register(SymbolStartAnalysisContext context, CancellationSymbols symbols, bool testProject)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (!HasTrackableMembers(type))
        {
            return;
        }

        var analysis = new SourceMemberAnalysis(type, symbols, testProject);
        context.RegisterOperationAction(analysis.OnCreation, OperationKind.ObjectCreation, OperationKind.Invocation);
        context.RegisterOperationAction(analysis.OnMemberReference, OperationKind.FieldReference, OperationKind.PropertyReference);
        context.RegisterSymbolEndAction(analysis.OnTypeEnd);
    }

    // Perf: types without private storage (data records, static helpers, interfaces) skip every operation callback.
    private static bool HasTrackableMembers(INamedTypeSymbol type)
    {
        foreach (var member in type.GetMembers())
        {
            if (member is IFieldSymbol { IsConst: false } or IPropertySymbol { IsIndexer: false } && member.IsPrivateToType())
            {
                return true;
            }
        }

        return false;
    }

    // Perf: a member whose type cannot hold a source (an ILogger, a string) is never looked at again.
    private bool IsTracked(ISymbol? member)
        => member is not null
            && SymbolEqualityComparer.Default.Equals(member.ContainingType, _type)
            && member.IsPrivateToType()
            && _symbols.CanHoldSource(member switch { IFieldSymbol field => field.Type, IPropertySymbol property => property.Type, _ => null })
            && member.IsTrackableStorage();

    private void OnCreation(OperationAnalysisContext context)
    {
        if (context.Operation is IObjectCreationOperation { Type: { } created } && SymbolEqualityComparer.Default.Equals(created.OriginalDefinition, _type.OriginalDefinition))
        {
            if (IsCreatedOnce(context.Operation, context.ContainingSymbol))
            {
                System.Threading.Interlocked.Increment(ref _selfCreationsOnce);
            }
            else
            {
                System.Threading.Interlocked.Increment(ref _selfCreationsElsewhere);
            }

            return;
        }

        if (!_symbols.TryGetCreation(context.Operation, out var kind))
        {
            return;
        }

        var consumer = SourceFlow.GetStorageConsumer(context.Operation, out var child);
        ISymbol? member;
        TimerAssignmentPlace place;
        var guarded = false;
        switch (consumer)
        {
            case IFieldInitializerOperation fieldInitializer when fieldInitializer.InitializedFields.Length == 1:
                member = fieldInitializer.InitializedFields[0];
                place = TimerAssignmentPlace.Initializer;
                break;
            case IPropertyInitializerOperation propertyInitializer when propertyInitializer.InitializedProperties.Length == 1:
                member = propertyInitializer.InitializedProperties[0];
                place = TimerAssignmentPlace.Initializer;
                break;
            case IAssignmentOperation { Target: IMemberReferenceOperation target } assignment
                when assignment.Value == child && IsOwnInstanceOrStatic(target):
                member = target.Member;
                guarded = assignment is ICoalesceAssignmentOperation;
                place = context.ContainingSymbol.IsConstructorOf(member.IsStatic)
                    ? TimerAssignmentPlace.Constructor
                    : TimerAssignmentPlace.Method;
                break;
            default:
                return;
        }

        if (!IsTracked(member))
        {
            return;
        }

        _assignments.Add(new SourceMemberAssignment(
            member!,
            context.ContainingSymbol,
            context.Operation,
            kind,
            place,
            guarded,
            IsInsideLoop(context.Operation),
            place != TimerAssignmentPlace.Initializer && member!.IsStatic && context.ContainingSymbol.IsConstructorOf(isStatic: false),
            kind == SourceKind.Linked && HasOwnParentsOnly((IInvocationOperation)context.Operation)));
    }

    private void OnMemberReference(OperationAnalysisContext context)
    {
        var reference = (IMemberReferenceOperation)context.Operation;
        if (!IsTracked(reference.Member))
        {
            return;
        }

        var use = SourceReferenceClassifier.Classify(reference, _symbols);
        var nullCheck = use == SourceReferenceUse.Neutral && IsNullCheck(reference);
        _uses.Add(new MemberUse(reference.Member, context.ContainingSymbol, use, nullCheck, reference.Syntax.SyntaxTree, reference.Syntax.SpanStart));
    }

    private static bool IsNullCheck(IOperation reference)
        => reference.GetConsumer(out _) switch
        {
            IBinaryOperation binary => binary.LeftOperand.IsNullLiteral() || binary.RightOperand.IsNullLiteral(),
            IIsPatternOperation => true,
            _ => false,
        };

    private void OnTypeEnd(SymbolAnalysisContext context)
    {
        if (_assignments.IsEmpty)
        {
            return;
        }

        var uses = _uses.ToList();
        bool? processLifetime = null;
        foreach (var group in _assignments.GroupBy(a => a.Member, SymbolEqualityComparer.Default))
        {
            var member = (ISymbol)group.Key!;
            var memberUses = uses.Where(u => SymbolEqualityComparer.Default.Equals(u.Member, member)).ToList();

            // Handed to someone else (a local copy that is disposed, Interlocked.Exchange, a collection): not ours.
            if (memberUses.Any(u => u.Use == SourceReferenceUse.Escaped))
            {
                continue;
            }

            var ordered = group.OrderBy(a => a.Creation.Syntax.SyntaxTree.FilePath, System.StringComparer.Ordinal)
                .ThenBy(a => a.Creation.Syntax.SpanStart)
                .ToList();
            var kind = ordered.Any(a => a.Kind == SourceKind.Linked) ? SourceKind.Linked
                : ordered.Any(a => a.Kind == SourceKind.Timer) || memberUses.Any(u => u.Use == SourceReferenceUse.TimerStarted) ? SourceKind.Timer
                : SourceKind.Plain;
            if (kind == SourceKind.Plain || _type.IsNamedInNestedTypes(member.Name, context.CancellationToken))
            {
                continue;
            }

            var released = memberUses.Any(u => IsRelease(u.Use, kind));
            if (!released && !member.IsStatic)
            {
                processLifetime ??= IsProcessLifetime(context.CancellationToken);
                var first = ordered.FirstOrDefault(a => a.Kind == kind) ?? ordered[0];
                if (!processLifetime.Value && NeverDisposedMessage(member, kind, ordered, first) is { } message)
                {
                    if (Reports(context, first, kind))
                    {
                        context.ReportDiagnostic(CancellationSourceAnalyzer.Create(kind, first.Creation, CancellationSourceAnalyzer.MemberKind, canUseUsing: false, message));
                    }

                    continue;
                }
            }

            // Released somewhere (or not reported as never released): each store that replaces a source the member
            // is sure to hold, without releasing it in the same method, leaks the one it held.

            // The member holds a source that leaks when replaced from the start: an initializer or constructor stored a
            // linked or timed one (a plain `new()` replaced once, by an initialization, leaks nothing).
            var alreadyHeld = ordered.Any(a => a.Kind != SourceKind.Plain
                    && (a.Place == TimerAssignmentPlace.Initializer || (a.Place == TimerAssignmentPlace.Constructor && !a.StaticFromInstanceConstructor)))
                || memberUses.Any(u => u.Use == SourceReferenceUse.TimerStarted && u.Method.IsConstructorOf(member.IsStatic));
            foreach (var assignment in ordered)
            {
                if (assignment.Place != TimerAssignmentPlace.Method && !assignment.StaticFromInstanceConstructor)
                {
                    continue;
                }

                var methodUses = memberUses.Where(u => SymbolEqualityComparer.Default.Equals(u.Method, assignment.Method)).ToList();
                var repeated = assignment.StaticFromInstanceConstructor
                    || alreadyHeld
                    || assignment.InLoop
                    || methodUses.Any(u => u.Use != SourceReferenceUse.Assigned && u.Tree == assignment.Creation.Syntax.SyntaxTree && u.Position < assignment.Creation.Syntax.SpanStart);
                if (!repeated || assignment.Guarded || methodUses.Any(u => u.NullCheck || IsRelease(u.Use, kind)) || !Reports(context, assignment, kind))
                {
                    continue;
                }

                context.ReportDiagnostic(CancellationSourceAnalyzer.Create(kind, assignment.Creation, CancellationSourceAnalyzer.ReassignedKind, canUseUsing: false, SourceMessages.Reassigned(member.Name, kind)));
            }
        }
    }

    private string? NeverDisposedMessage(ISymbol member, SourceKind kind, List<SourceMemberAssignment> ordered, SourceMemberAssignment first)
    {
        if (kind == SourceKind.Linked)
        {
            // Reported where the type has a disposal that forgets the link. Registrations on the object's own tokens
            // die with the object; in a type with no disposal at all, the parent is as often the owner's own (an
            // injected per-owner token) as a longer-lived one, and nothing shows which.
            var dispose = FindStopMethod(disposalOnly: true);
            return dispose is null && !_type.AllInterfaces.Any(i => i.SpecialType == SpecialType.System_IDisposable || i.IsType(_symbols.AsyncDisposable))
                || ordered.Where(a => a.Kind == SourceKind.Linked).All(a => a.OwnParents)
                ? null
                : SourceMessages.MemberNeverDisposed(member.Name, _type.Name, kind, first.Creation, dispose?.Name.Split('.').Last() ?? "Dispose");
        }

        var stop = FindStopMethod(disposalOnly: false)?.Name.Split('.').Last();

        // A timer fires once and then lets the source go: it matters where the type has an end (Dispose, Stop) that
        // the timer outlives, as for a one-shot timer (GOV2001).
        return stop is null ? null : SourceMessages.MemberNeverDisposed(member.Name, _type.Name, kind, first.Creation, stop);
    }

    private bool Reports(SymbolAnalysisContext context, SourceMemberAssignment assignment, SourceKind kind)
        => ReportedRules.For(context.Options, assignment.Creation.Syntax.SyntaxTree, assignment.Method, _testProject).Reports(kind);

    private static bool IsRelease(SourceReferenceUse use, SourceKind kind)
        => use == SourceReferenceUse.Disposed || (use == SourceReferenceUse.Cancelled && kind == SourceKind.Timer);

    /// <summary>The type's own way to end: a <c>Dispose</c> or <c>DisposeAsync</c> method, or also <c>Stop</c> or <c>StopAsync</c>.</summary>
    private IMethodSymbol? FindStopMethod(bool disposalOnly)
    {
        IMethodSymbol? stop = null;
        foreach (var member in _type.GetMembers())
        {
            if (member is IMethodSymbol { MethodKind: MethodKind.Ordinary or MethodKind.ExplicitInterfaceImplementation, IsStatic: false } method)
            {
                switch (method.Name.Split('.').Last())
                {
                    case "Dispose" or "DisposeAsync":
                        return method;
                    case "Stop" or "StopAsync" when !disposalOnly:
                        stop ??= method;
                        break;
                }
            }
        }

        return stop;
    }

    /// <summary>
    /// One instance per process: a hosted service (the host makes one), or a type whose constructors are all private
    /// and which makes its instances only once per process (a static initializer, static constructor or <c>??=</c>).
    /// </summary>
    private bool IsProcessLifetime(System.Threading.CancellationToken cancellationToken)
    {
        if (_type.IsOrImplements(_symbols.HostedService))
        {
            return true;
        }

        return !_type.IsStatic
            && _type.InstanceConstructors.Length > 0
            && _type.InstanceConstructors.All(c => c.DeclaredAccessibility == Accessibility.Private)
            && System.Threading.Volatile.Read(ref _selfCreationsOnce) > 0
            && System.Threading.Volatile.Read(ref _selfCreationsElsewhere) == 0
            && !_type.IsNamedInNestedTypes(_type.Name, cancellationToken);
    }

    private static bool IsCreatedOnce(IOperation creation, ISymbol containingSymbol)
    {
        if (containingSymbol is IFieldSymbol { IsStatic: true } or IPropertySymbol { IsStatic: true } || containingSymbol.IsConstructorOf(isStatic: true))
        {
            return true;
        }

        return creation.GetConsumer(out var child) is ICoalesceAssignmentOperation { Target: IMemberReferenceOperation { Member.IsStatic: true } } assignment
            && assignment.Value == child;
    }

    /// <summary>
    /// Every parent of a linked source is a token of this object: an instance property of its own (<c>Stopping</c>),
    /// or the <c>Token</c> of one of its own sources (<c>_stopping.Token</c>).
    /// </summary>
    private bool HasOwnParentsOnly(IInvocationOperation linked)
    {
        var any = false;
        foreach (var parent in CancellationSymbols.GetParents(linked))
        {
            var value = parent.WalkDownConversions();
            var own = value switch
            {
                IPropertyReferenceOperation { Property.Name: "Token", Instance: IMemberReferenceOperation { Instance: IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } } source }
                    => _symbols.IsSourceType(source.Type),
                IPropertyReferenceOperation { Instance: IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } } property
                    => property.Type?.Name == "CancellationToken",
                _ => false,
            };
            if (!own)
            {
                return false;
            }

            any = true;
        }

        return any;
    }

    private static bool IsOwnInstanceOrStatic(IMemberReferenceOperation target)
        => target.Instance is null or IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance };

    private static bool IsInsideLoop(IOperation operation)
    {
        for (var current = operation.Parent; current is not null; current = current.Parent)
        {
            if (current is ILoopOperation)
            {
                return true;
            }

            if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
            {
                return false;
            }
        }

        return false;
    }

    private sealed class MemberUse
    {
        public MemberUse(ISymbol member, ISymbol method, SourceReferenceUse use, bool nullCheck, SyntaxTree tree, int position)
        {
            Member = member;
            Method = method;
            Use = use;
            NullCheck = nullCheck;
            Tree = tree;
            Position = position;
        }

        public ISymbol Member { get; }

        public ISymbol Method { get; }

        public SourceReferenceUse Use { get; }

        public bool NullCheck { get; }

        public SyntaxTree Tree { get; }

        public int Position { get; }
    }
}
