namespace Governance.Analyzers.Timers;

/// <summary>What one reference to a variable or member holding a timer does with it.</summary>
internal enum TimerReferenceUse
{
    /// <summary>Uses the timer without taking or giving away responsibility for it (<c>t.Elapsed += ...</c>).</summary>
    Neutral,

    /// <summary>Stops the timer for good: dispose, stop, or a change to an infinite due time.</summary>
    Stopped,

    /// <summary>Stores a new value into the variable or member.</summary>
    Assigned,

    /// <summary>Hands the timer to someone else, who may stop it: returned, passed, stored elsewhere, captured.</summary>
    Escaped,
}
