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
        if (!_symbols.IsTimerCreation(context.Operation, out _) || _symbols.IsOneShot(context.Operation))
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
            place != TimerAssignmentPlace.Initializer && member!.IsStatic && context.ContainingSymbol.IsConstructorOf(isStatic: false)));
    }

    private static bool IsOwnInstanceOrStatic(IMemberReferenceOperation target)
        => target.Instance is null or IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance };

    private void OnMemberReference(OperationAnalysisContext context)
    {
        var reference = (IMemberReferenceOperation)context.Operation;
        if (!IsTracked(reference.Member))
        {
            return;
        }

        var use = TimerReferenceClassifier.Classify(reference, _symbols);
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

        var handledMembers = new HashSet<ISymbol>(_uses.Select(u => u.Member), SymbolEqualityComparer.Default);
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
            if (!handledMembers.Contains(member))
            {
                // Static storage assigned once (initializer, static constructor, under a null guard) is a
                // process-lifetime timer by design; one assigned by an ordinary method is not.
                var unowned = member.IsStatic
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
                var repeated = assignment.StaticFromInstanceConstructor
                    || (assignment.Place == TimerAssignmentPlace.Method && (alreadyHeld || assignment.InLoop || assignment.SelfRescheduling));
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
