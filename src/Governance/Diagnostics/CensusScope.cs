namespace Governance;

/// <summary>
/// The work started in one flow — a test, a request — from <see cref="TaskCensus.BeginScope"/> until the scope is
/// disposed, including work that work starts. Its live units can be listed apart from the rest of the process, which
/// is what makes a leak check per test possible while tests run in parallel.
/// </summary>
public sealed class CensusScope : IDisposable
{
    private int _disposed;
    private long _started;

    internal CensusScope(string? name, CensusScope? parent)
    {
        Name = name;
        Parent = parent;
    }

    /// <summary>The name given to <see cref="TaskCensus.BeginScope"/>, if any.</summary>
    public string? Name { get; }

    internal CensusScope? Parent { get; }

    /// <summary>
    /// How many units the census recorded inside this scope (or a scope nested in it) so far, ended or not. Zero means
    /// nothing governed ran here: a leak check over this scope would pass without having looked at anything.
    /// </summary>
    public long UnitsStarted => Interlocked.Read(ref _started);

    internal CensusContext? Restore { get; set; }

    /// <summary>The live units started inside this scope (or a scope nested in it), now.</summary>
    /// <returns>The units; empty when none is alive.</returns>
    public IReadOnlyList<GovernedUnit> GetLiveUnits()
    {
        var live = new List<GovernedUnit>();
        foreach (var unit in TaskCensus.Snapshot().Units)
        {
            if (unit.Context?.IsIn(this) == true)
            {
                live.Add(unit);
            }
        }

        return live;
    }

    internal void NoteStarted()
    {
        for (var scope = this; scope is not null; scope = scope.Parent)
        {
            Interlocked.Increment(ref scope._started);
        }
    }

    /// <summary>Stops tagging new work of this flow with the scope; units already started keep it and stay listed.</summary>
    /// <remarks>Dispose it in the flow that began it (a <c>using</c>), which restores the labels and scope that were current before.</remarks>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            TaskCensus.Restore(Restore);
        }
    }
}
