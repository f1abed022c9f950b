namespace Governance.Analyzers.Cancellation;

/// <summary>What a <c>CancellationTokenSource</c> holds that outlives it when nobody disposes it.</summary>
internal enum SourceKind
{
    /// <summary><c>new CancellationTokenSource()</c>: nothing, unless a later <c>CancelAfter</c> gives it a timer.</summary>
    Plain,

    /// <summary>A delay at creation or a <c>CancelAfter</c>: a timer, rooted until it fires (GOV5002).</summary>
    Timer,

    /// <summary><c>CreateLinkedTokenSource</c>: a registration on each parent token, until disposed (GOV5001).</summary>
    Linked,
}
