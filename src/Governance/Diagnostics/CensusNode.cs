namespace Governance;

/// <summary>
/// The census record of one unit of work, inherited by the unit's own object (a task group's unit or waiting producer,
/// a fire-and-forget run), so that tracking allocates nothing per unit.
/// </summary>
internal abstract class CensusNode
{
    internal CensusNode? CensusPrevious;
    internal CensusNode? CensusNext;
    internal bool CensusLinked;
    internal CreationSite Site;
    internal long StartedAt;
    internal CensusContext? Captured;

    // A GovernedUnitState; written by the unit, read by snapshots.
    internal volatile int CensusState;

    // Whether the census fields describe a unit being tracked (the census was on when it started).
    internal bool CensusStamped;

    internal void Stamp(in CreationSite site, GovernedUnitState state, long startedAt, CensusContext? context, bool isNewUnit = true)
    {
        if (isNewUnit)
        {
            context?.Scope?.NoteStarted();
        }

        Site = site;
        StartedAt = startedAt;
        CensusState = (int)state;
        Captured = context;
        CensusStamped = true;
    }

    internal void Unstamp()
    {
        CensusStamped = false;
        Captured = null;
    }
}

/// <summary>
/// The live units of one owner: an intrusive doubly-linked list of <see cref="CensusNode"/>s under its own lock. Adding
/// and removing a unit costs one uncontended lock and no allocation.
/// </summary>
internal sealed class CensusList
{
    private readonly Lock _lock = new();
    private CensusNode? _head;
    private int _count;

    internal int Count => Volatile.Read(ref _count);

    /// <summary>Records <paramref name="node"/> as live, started at <paramref name="site"/> with <paramref name="context"/> (the starter's labels and scope).</summary>
    internal void Add(CensusNode node, in CreationSite site, GovernedUnitState state, long startedAt, CensusContext? context, bool isNewUnit = true)
    {
        node.Stamp(site, state, startedAt, context, isNewUnit);
        lock (_lock)
        {
            if (node.CensusLinked)
            {
                return;
            }

            node.CensusLinked = true;
            node.CensusPrevious = null;
            node.CensusNext = _head;
            if (_head is not null)
            {
                _head.CensusPrevious = node;
            }

            _head = node;
            _count++;
        }
    }

    /// <summary>Records <paramref name="node"/> as ended; does nothing if it is not live (tracking was off when it started).</summary>
    internal void Remove(CensusNode node)
    {
        if (!Volatile.Read(ref node.CensusLinked))
        {
            return;
        }

        lock (_lock)
        {
            if (!node.CensusLinked)
            {
                return;
            }

            if (node.CensusPrevious is null)
            {
                _head = node.CensusNext;
            }
            else
            {
                node.CensusPrevious.CensusNext = node.CensusNext;
            }

            if (node.CensusNext is not null)
            {
                node.CensusNext.CensusPrevious = node.CensusPrevious;
            }

            node.CensusPrevious = null;
            node.CensusNext = null;
            node.CensusLinked = false;
            _count--;
        }

        node.Unstamp();
    }

    internal void Collect(List<GovernedUnit> into, GovernedOwnerKind kind, string name, TimeProvider time)
    {
        lock (_lock)
        {
            for (var node = _head; node is not null; node = node.CensusNext)
            {
                into.Add(Describe(node, kind, name, time));
            }
        }
    }

    internal static GovernedUnit Describe(CensusNode node, GovernedOwnerKind kind, string name, TimeProvider time) =>
        new(node.Site, kind, name, (GovernedUnitState)node.CensusState, time.GetElapsedTime(node.StartedAt),
            node.Captured?.Labels ?? CensusContext.NoLabels, 1)
        {
            Context = node.Captured,
        };
}

/// <summary>A primitive whose live units the census can list.</summary>
internal interface ICensusSource
{
    /// <summary>The kind of primitive.</summary>
    GovernedOwnerKind Kind { get; }

    /// <summary>How many units it tracks now (summed over items for a worker pool's queue); cheap, for gauges.</summary>
    int LiveUnits { get; }

    /// <summary>Adds every live unit to <paramref name="into"/>; called by a snapshot, never on the hot path.</summary>
    void CollectUnits(List<GovernedUnit> into);
}
