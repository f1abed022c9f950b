using Microsoft.CodeAnalysis;

namespace Governance.Analyzers.Timers;

/// <summary>One store of a new timer into a tracked member, with what the end-of-type check needs to know about it.</summary>
internal sealed class TimerMemberAssignment
{
    public TimerMemberAssignment(ISymbol member, ISymbol method, IOperation creation, TimerAssignmentPlace place, bool guarded, bool inLoop, bool selfRescheduling, bool staticFromInstanceConstructor, bool oneShot)
    {
        Member = member;
        Method = method;
        Creation = creation;
        Place = place;
        Guarded = guarded;
        InLoop = inLoop;
        SelfRescheduling = selfRescheduling;
        StaticFromInstanceConstructor = staticFromInstanceConstructor;
        OneShot = oneShot;
    }

    public ISymbol Member { get; }

    /// <summary>The method, constructor or field whose code does the store.</summary>
    public ISymbol Method { get; }

    public IOperation Creation { get; }

    public TimerAssignmentPlace Place { get; }

    /// <summary>Under <c>??=</c>: the store happens only while the member is empty.</summary>
    public bool Guarded { get; }

    public bool InLoop { get; }

    /// <summary>The timer's callback is the method that stores it, so every tick replaces the timer.</summary>
    public bool SelfRescheduling { get; }

    /// <summary>A static member stored by an instance constructor: every new instance replaces the previous timer.</summary>
    public bool StaticFromInstanceConstructor { get; }

    /// <summary>Created to tick once (no period): it stops by itself, unless a later <c>Change</c> gives it a period.</summary>
    public bool OneShot { get; }
}
