using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Governance.Analyzers.Operations;
using Governance.Analyzers.Symbols;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Governance.Analyzers.Timers;

/// <summary>The type-wide half: timers in private fields and auto-properties, across every partial declaration.</summary>
internal sealed class TimerMemberAnalysis
{
    private readonly INamedTypeSymbol _type;
    private readonly TimerSymbols _symbols;
    private readonly ConcurrentBag<TimerMemberAssignment> _assignments = new();
    private readonly ConcurrentBag<(ISymbol Member, ISymbol Method, TimerReferenceUse Use)> _uses = new();
    private readonly ConcurrentBag<(ISymbol Member, ISymbol Method)> _nullChecks = new();
    private readonly ConcurrentBag<ISymbol> _periodicStarts = new();

    // `new ThisType(...)` inside the type: where the type makes its own instances decides whether it is a singleton.
    private int _selfCreationsOnce;
    private int _selfCreationsElsewhere;

    // Self-creations that are once per process depending on the rest of the type: stored into a static member by a
    // method that checks the member for null first (double-checked locking), or returned by a private static factory
    // that only static initializers call (`new Lazy<T>(Create)`).
    private readonly ConcurrentBag<(ISymbol Member, ISymbol Method)> _guardedSelfCreations = new();
    private readonly ConcurrentBag<ISymbol> _factorySelfCreations = new();
    private readonly ConcurrentBag<(ISymbol Member, ISymbol Method)> _instanceNullChecks = new();
    private readonly ConcurrentBag<ISymbol> _instanceOtherWrites = new();
    private readonly ConcurrentBag<(ISymbol Factory, ISymbol Caller)> _factoryReferences = new();

    private TimerMemberAnalysis(INamedTypeSymbol type, TimerSymbols symbols)
    {
        _type = type;
        _symbols = symbols;
    }

    public static void Register(SymbolStartAnalysisContext context, TimerSymbols symbols)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (!HasTrackableMembers(type))
        {
            return;
        }

        var analysis = new TimerMemberAnalysis(type, symbols);
        context.RegisterOperationAction(analysis.OnCreation, OperationKind.ObjectCreation, OperationKind.Invocation);
        context.RegisterOperationAction(analysis.OnMethodReference, OperationKind.MethodReference);
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

    // Perf: a member whose type cannot hold a timer (an ILogger, a string) is never looked at again.
    private bool IsTracked(ISymbol? member)
        => member is not null
            && SymbolEqualityComparer.Default.Equals(member.ContainingType, _type)
            && member.IsPrivateToType()
            && _symbols.CanHoldTimer(member switch { IFieldSymbol field => field.Type, IPropertySymbol property => property.Type, _ => null })
            && member.IsTrackableStorage();

    private void OnCreation(OperationAnalysisContext context)
    {
        if (context.Operation is IObjectCreationOperation { Type: { } created } && SymbolEqualityComparer.Default.Equals(created.OriginalDefinition, _type.OriginalDefinition))
        {
            if (IsCreatedOnce(context.Operation, context.ContainingSymbol))
            {
                System.Threading.Interlocked.Increment(ref _selfCreationsOnce);
            }
            else if (GetStaticInstanceTarget(context.Operation) is { } instanceMember)
            {
                _guardedSelfCreations.Add((instanceMember, context.ContainingSymbol));
            }
            else if (IsPrivateStaticFactory(context.ContainingSymbol) && context.Operation.GetConsumer(out _) is IReturnOperation)
            {
                _factorySelfCreations.Add(context.ContainingSymbol);
            }
            else
            {
                System.Threading.Interlocked.Increment(ref _selfCreationsElsewhere);
            }

            return;
        }

        if (context.Operation is IInvocationOperation call && IsPrivateStaticFactory(call.TargetMethod.OriginalDefinition))
        {
            _factoryReferences.Add((call.TargetMethod.OriginalDefinition, context.ContainingSymbol));
        }

        if (!_symbols.IsTimerCreation(context.Operation, out _))
        {
            return;
        }

        var consumer = context.Operation.GetConsumer(out var child);
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

        _assignments.Add(new TimerMemberAssignment(
            member!,
            context.ContainingSymbol,
            context.Operation,
            place,
            guarded,
            IsInsideLoop(context.Operation),
            IsSelfRescheduling(context.Operation, context.ContainingSymbol),
            place != TimerAssignmentPlace.Initializer && member!.IsStatic && context.ContainingSymbol.IsConstructorOf(isStatic: false),
            _symbols.IsOneShot(context.Operation)));
    }

    /// <summary>
    /// The type making an instance of itself where that happens once per process: a static field or property
    /// initializer (directly or inside a <c>Lazy&lt;T&gt;</c> factory written there), the static constructor, or
    /// <c>??=</c> into a static member.
    /// </summary>
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
    /// A process-lifetime singleton: every constructor is private, and the type makes its instances only once
    /// per process, so its timers live as long as the process by design: in a static initializer or constructor
    /// (<see cref="IsCreatedOnce"/>), into a static member that the same method checks for null first
    /// (<c>if (s_instance == null) { lock (s_gate) { if (s_instance == null) s_instance = new T(); } }</c>) and nothing
    /// else assigns, or in a private static factory that only static initializers call (<c>new Lazy&lt;T&gt;(Create)</c>).
    /// </summary>
    private bool IsProcessLifetimeSingleton(System.Threading.CancellationToken cancellationToken)
    {
        if (_type.IsStatic
            || _type.InstanceConstructors.Length == 0
            || !_type.InstanceConstructors.All(c => c.DeclaredAccessibility == Accessibility.Private)
            || System.Threading.Volatile.Read(ref _selfCreationsElsewhere) > 0)
        {
            return false;
        }

        var once = System.Threading.Volatile.Read(ref _selfCreationsOnce) > 0;
        foreach (var (member, method) in _guardedSelfCreations)
        {
            if (_instanceOtherWrites.Contains(member, SymbolEqualityComparer.Default)
                || !_instanceNullChecks.Any(c => SymbolEqualityComparer.Default.Equals(c.Member, member) && SymbolEqualityComparer.Default.Equals(c.Method, method)))
            {
                return false;
            }

            once = true;
        }

        foreach (var factory in _factorySelfCreations)
        {
            var callers = _factoryReferences.Where(r => SymbolEqualityComparer.Default.Equals(r.Factory, factory)).Select(r => r.Caller).ToList();
            if (callers.Count == 0 || !callers.All(IsStaticInitializerOrConstructor))
            {
                return false;
            }

            once = true;
        }

        return once && !_type.IsNamedInNestedTypes(_type.Name, cancellationToken);
    }

    private static bool IsStaticInitializerOrConstructor(ISymbol symbol)
        => symbol is IFieldSymbol { IsStatic: true } or IPropertySymbol { IsStatic: true } || symbol.IsConstructorOf(isStatic: true);

    private bool IsPrivateStaticFactory(ISymbol? symbol)
        => symbol is IMethodSymbol { MethodKind: MethodKind.Ordinary, IsStatic: true, DeclaredAccessibility: Accessibility.Private } method
            && SymbolEqualityComparer.Default.Equals(method.ContainingType?.OriginalDefinition, _type.OriginalDefinition);

    /// <summary>The static member of this type's own type that a <c>new ThisType()</c> is assigned to: <c>s_instance = new T()</c>.</summary>
    private ISymbol? GetStaticInstanceTarget(IOperation creation)
        => creation.GetConsumer(out var child) is ISimpleAssignmentOperation { Target: IMemberReferenceOperation { Member: { IsStatic: true } member } } assignment
            && assignment.Value == child
            && IsStaticInstanceMember(member)
                ? member
                : null;

    private bool IsStaticInstanceMember(ISymbol member)
        => member.IsStatic
            && SymbolEqualityComparer.Default.Equals(member.ContainingType, _type)
            && SymbolEqualityComparer.Default.Equals(
                (member switch { IFieldSymbol field => field.Type, IPropertySymbol property => property.Type, _ => null })?.OriginalDefinition,
                _type.OriginalDefinition);

    private void OnMethodReference(OperationAnalysisContext context)
    {
        var reference = (IMethodReferenceOperation)context.Operation;
        if (IsPrivateStaticFactory(reference.Method.OriginalDefinition))
        {
            _factoryReferences.Add((reference.Method.OriginalDefinition, context.ContainingSymbol));
        }
    }

    private static bool IsOwnInstanceOrStatic(IMemberReferenceOperation target)
        => target.Instance is null or IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance };

    private void OnMemberReference(OperationAnalysisContext context)
    {
        var reference = (IMemberReferenceOperation)context.Operation;
        if (IsStaticInstanceMember(reference.Member))
        {
            // The singleton's instance member: checked for null before it is created, and assigned nothing else.
            if (IsNullCheck(reference))
            {
                _instanceNullChecks.Add((reference.Member, context.ContainingSymbol));
            }
            else if (reference.GetConsumer(out var target) is IAssignmentOperation assignment && assignment.Target == target
                && assignment.Value.WalkDownConversions() is not IObjectCreationOperation)
            {
                _instanceOtherWrites.Add(reference.Member);
            }

            return;
        }

        if (!IsTracked(reference.Member))
        {
            return;
        }

        var use = TimerReferenceClassifier.Classify(reference, _symbols);
        if (use == TimerReferenceUse.Neutral
            && reference.GetConsumer(out var child) is IInvocationOperation invocation
            && invocation.Instance == child
            && _symbols.IsPeriodicStart(invocation))
        {
            _periodicStarts.Add(reference.Member);
        }

        if (use is TimerReferenceUse.Stopped or TimerReferenceUse.Escaped)
        {
            _uses.Add((reference.Member, context.ContainingSymbol, use));
        }
        else if (use == TimerReferenceUse.Neutral && IsNullCheck(reference))
        {
            _nullChecks.Add((reference.Member, context.ContainingSymbol));
        }
    }

    private static bool IsNullCheck(IOperation reference)
        => reference.GetConsumer(out var child) switch
        {
            IBinaryOperation binary => binary.LeftOperand.IsNullLiteral() || binary.RightOperand.IsNullLiteral(),
            IIsPatternOperation => true,
            ICoalesceOperation coalesce => coalesce.Value == child,
            _ => false,
        };

    private void OnTypeEnd(SymbolAnalysisContext context)
    {
        if (_assignments.IsEmpty)
        {
            return;
        }

        var handledMembers = new HashSet<ISymbol>(_uses.Select(u => u.Member), SymbolEqualityComparer.Default);
        var periodicStarts = new HashSet<ISymbol>(_periodicStarts, SymbolEqualityComparer.Default);
        bool? singleton = null;
        foreach (var group in _assignments.GroupBy(a => a.Member, SymbolEqualityComparer.Default))
        {
            var member = (ISymbol)group.Key!;
            if (_type.IsNamedInNestedTypes(member.Name, context.CancellationToken))
            {
                continue;
            }

            var ordered = group.OrderBy(a => a.Creation.Syntax.SyntaxTree.FilePath, System.StringComparer.Ordinal)
                .ThenBy(a => a.Creation.Syntax.SpanStart)
                .ToList();
            if (ordered.All(a => a.OneShot) && !periodicStarts.Contains(member))
            {
                // A one-shot timer stops by itself after its tick; it is reported only where the type has a way to
                // stop (Dispose, DisposeAsync, Stop) that forgets it: then it can fire after its owner is gone.
                if (!member.IsStatic && !handledMembers.Contains(member) && FindStopMethod() is { } stopMethod)
                {
                    var stopName = stopMethod.Name.Split('.').Last();
                    context.ReportDiagnostic(Diagnostic.Create(
                        Descriptors.TimerNeverDisposed,
                        ordered[0].Creation.Syntax.GetLocation(),
                        ImmutableDictionary<string, string?>.Empty.Add(TimerNeverDisposedAnalyzer.KindProperty, TimerNeverDisposedAnalyzer.MemberKind),
                        $"One-shot timer '{member.Name}' is never disposed or stopped in '{_type.Name}', not even by '{stopName}': it can still fire after '{_type.Name}' is {(stopName.StartsWith("Stop", System.StringComparison.Ordinal) ? "stopped" : "disposed")}"));
                }

                continue;
            }

            if (!handledMembers.Contains(member))
            {
                // Storage assigned once per process (a static initializer, static constructor or null guard, or an
                // instance member of a process-lifetime singleton) holds a process-lifetime timer by design; one
                // assigned by an ordinary method is not.
                var processLifetime = member.IsStatic || (singleton ??= IsProcessLifetimeSingleton(context.CancellationToken));
                var unowned = processLifetime
                    ? ordered.FirstOrDefault(a => a.Place == TimerAssignmentPlace.Method && !a.StaticFromInstanceConstructor && !a.Guarded && !IsNullCheckedIn(member, a.Method))
                    : ordered[0];
                if (unowned is not null)
                {
                    context.ReportDiagnostic(Diagnostic.Create(
                        Descriptors.TimerNeverDisposed,
                        unowned.Creation.Syntax.GetLocation(),
                        ImmutableDictionary<string, string?>.Empty.Add(TimerNeverDisposedAnalyzer.KindProperty, TimerNeverDisposedAnalyzer.MemberKind),
                        $"Timer '{member.Name}' is never disposed or stopped anywhere in '{_type.Name}'"));
                    continue;
                }
            }

            var alreadyHeld = ordered.Any(a => a.Place == TimerAssignmentPlace.Initializer
                || (a.Place == TimerAssignmentPlace.Constructor && !a.StaticFromInstanceConstructor));
            foreach (var assignment in ordered)
            {
                // Replacing a one-shot timer leaks nothing that keeps running (a debounce re-arms this way).
                var repeated = !assignment.OneShot
                    && (assignment.StaticFromInstanceConstructor
                        || (assignment.Place == TimerAssignmentPlace.Method && (alreadyHeld || assignment.InLoop || assignment.SelfRescheduling)));
                if (!repeated || assignment.Guarded || IsReleasedIn(member, assignment.Method))
                {
                    continue;
                }

                context.ReportDiagnostic(Diagnostic.Create(
                    Descriptors.TimerNeverDisposed,
                    assignment.Creation.Syntax.GetLocation(),
                    ImmutableDictionary<string, string?>.Empty.Add(TimerNeverDisposedAnalyzer.KindProperty, TimerNeverDisposedAnalyzer.ReassignedKind),
                    $"'{member.Name}' is re-assigned here without disposing the timer it held: every call leaks the previous timer"));
            }
        }
    }

    /// <summary>The type's own way to stop: a <c>Dispose</c>, <c>DisposeAsync</c>, <c>Stop</c> or <c>StopAsync</c> method.</summary>
    private IMethodSymbol? FindStopMethod()
    {
        foreach (var member in _type.GetMembers())
        {
            if (member is IMethodSymbol { MethodKind: MethodKind.Ordinary or MethodKind.ExplicitInterfaceImplementation, IsStatic: false } method
                && method.Name.Split('.').Last() is "Dispose" or "DisposeAsync" or "Stop" or "StopAsync")
            {
                return method;
            }
        }

        return null;
    }

    private bool IsReleasedIn(ISymbol member, ISymbol method)
        => _uses.Any(u => SymbolEqualityComparer.Default.Equals(u.Member, member) && SymbolEqualityComparer.Default.Equals(u.Method, method))
            || IsNullCheckedIn(member, method);

    private bool IsNullCheckedIn(ISymbol member, ISymbol method)
        => _nullChecks.Any(u => SymbolEqualityComparer.Default.Equals(u.Member, member) && SymbolEqualityComparer.Default.Equals(u.Method, method));

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

    // A callback that replaces its own timer on every tick: `void Tick(object? s) { _t = new Timer(Tick, ...); }`.
    private static bool IsSelfRescheduling(IOperation creation, ISymbol method)
    {
        foreach (var descendant in creation.Descendants())
        {
            if (descendant is IMethodReferenceOperation reference
                && SymbolEqualityComparer.Default.Equals(reference.Method.OriginalDefinition, method.OriginalDefinition))
            {
                return true;
            }
        }

        return false;
    }
}
