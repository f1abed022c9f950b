using Governance.Analyzers.Timers;
using Microsoft.CodeAnalysis;

namespace Governance.Analyzers.Cancellation;

/// <summary>One store of a new source into a tracked member, with what the end-of-type check needs to know about it.</summary>
internal sealed class SourceMemberAssignment
{
    public SourceMemberAssignment(ISymbol member, ISymbol method, IOperation creation, SourceKind kind, TimerAssignmentPlace place, bool guarded, bool inLoop, bool staticFromInstanceConstructor, bool ownParents)
    {
        Member = member;
        Method = method;
        Creation = creation;
        Kind = kind;
        Place = place;
        Guarded = guarded;
        InLoop = inLoop;
        StaticFromInstanceConstructor = staticFromInstanceConstructor;
        OwnParents = ownParents;
    }

    public ISymbol Member { get; }

    /// <summary>The method, constructor or field whose code does the store.</summary>
    public ISymbol Method { get; }

    public IOperation Creation { get; }

    public SourceKind Kind { get; }

    public TimerAssignmentPlace Place { get; }

    /// <summary>Under <c>??=</c>: the store happens only while the member is empty.</summary>
    public bool Guarded { get; }

    public bool InLoop { get; }

    /// <summary>A static member stored by an instance constructor: every new instance replaces the previous source.</summary>
    public bool StaticFromInstanceConstructor { get; }

    /// <summary>
    /// A linked source whose every parent token belongs to the same object (<c>_stopping.Token</c>, an inherited
    /// <c>Stopping</c> property): its registrations live and die with the object, so leaving it undisposed leaks nothing.
    /// </summary>
    public bool OwnParents { get; }
}
