namespace Governance.Analyzers.Timers;

/// <summary>Where a timer is stored into a member: decides whether the member already holds one at that point.</summary>
internal enum TimerAssignmentPlace
{
    Initializer,
    Constructor,
    Method,
}
