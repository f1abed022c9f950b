namespace Governance.Analyzers.Cancellation;

/// <summary>What one reference to a variable or member holding a <c>CancellationTokenSource</c> does with it.</summary>
internal enum SourceReferenceUse
{
    /// <summary>Uses the source without taking or giving away responsibility for it (<c>cts.Token</c>, <c>cts.IsCancellationRequested</c>).</summary>
    Neutral,

    /// <summary><c>Dispose()</c>, <c>DisposeAsync()</c>, <c>using</c>: removes the links and the timer.</summary>
    Disposed,

    /// <summary><c>Cancel()</c>, <c>CancelAsync()</c>, <c>TryReset()</c>: stops the timer, keeps the links.</summary>
    Cancelled,

    /// <summary><c>CancelAfter(delay)</c> with a finite delay: gives the source a timer.</summary>
    TimerStarted,

    /// <summary>Stores a new value into the variable or member.</summary>
    Assigned,

    /// <summary>Hands the source to someone else, who may dispose it: returned, passed, stored elsewhere.</summary>
    Escaped,
}
