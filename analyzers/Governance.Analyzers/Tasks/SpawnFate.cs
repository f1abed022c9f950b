namespace Governance.Analyzers.Tasks;

/// <summary>What becomes of the task a spawn returns.</summary>
internal enum SpawnFate
{
    /// <summary>Awaited, waited on or its result read where it is started: sequential, so bounded.</summary>
    Awaited,

    /// <summary>Dropped: an expression statement, <c>_ =</c>, a local nobody uses, or a forget helper.</summary>
    Discarded,

    /// <summary>Added to a local collection that the method goes on to use (await, pass on, return).</summary>
    Collected,

    /// <summary>Kept in a field, property or collection member, where nothing in the method waits for it.</summary>
    Stored,

    /// <summary>Handed to someone else: returned, passed as an argument. Theirs to manage.</summary>
    Escaped,
}
