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

    // A GovernedUnitState, or Free (a pooled unit linked for good, doing nothing now); written by the unit, read by
    // snapshots.
    internal volatile int CensusState;

    // Odd while the fields above are being rewritten (a sequence lock): a snapshot that reads a reused unit retries
    // rather than mix the site of one unit with the start of another.
    internal int CensusSequence;

    internal const int Free = -1;

    // Whether the census fields describe a unit being tracked (the census was on when it started).
    internal bool CensusStamped;

    internal void Stamp(in CreationSite site, GovernedUnitState state, long startedAt, CensusContext? context, bool isNewUnit = true)
    {
        if (isNewUnit)
        {
            context?.Scope?.NoteStarted();
        }

        Interlocked.Increment(ref CensusSequence);
        Site = site;
        StartedAt = startedAt;
        Captured = context;
        CensusStamped = true;
        Volatile.Write(ref CensusSequence, CensusSequence + 1);
        CensusState = (int)state;
    }

    internal void Unstamp()
    {
        CensusState = Free;
        CensusStamped = false;
        Captured = null;
    }

    /// <summary>Reads the unit's record consistently, or returns false when it is free or keeps changing.</summary>
    internal bool TryRead(out CreationSite site, out long startedAt, out CensusContext? context, out GovernedUnitState state)
    {
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var before = Volatile.Read(ref CensusSequence);
            var current = CensusState;
            site = Site;
            startedAt = StartedAt;
            context = Captured;
            Interlocked.MemoryBarrier();
            if ((before & 1) == 0 && before == Volatile.Read(ref CensusSequence))
            {
                state = (GovernedUnitState)current;
                return current != Free && CensusStamped;
            }
        }

        site = default;
        startedAt = 0;
        context = null;
        state = default;
        return false;
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

    /// <summary>Links <paramref name="node"/> for good, free: a pooled unit that is stamped and freed as it is reused (see <see cref="CensusNode.Stamp"/>).</summary>
    internal void Link(CensusNode node)
    {
        node.Unstamp();
        LinkAtHead(node);
    }

    private void LinkAtHead(CensusNode node)
    {
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

    /// <summary>Records <paramref name="node"/> as live, started at <paramref name="site"/> with <paramref name="context"/> (the starter's labels and scope).</summary>
    internal void Add(CensusNode node, in CreationSite site, GovernedUnitState state, long startedAt, CensusContext? context, bool isNewUnit = true)
    {
        node.Stamp(site, state, startedAt, context, isNewUnit);
        LinkAtHead(node);
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
                if (Describe(node, kind, name, time) is { } unit)
                {
                    into.Add(unit);
                }
            }
        }
    }

    /// <summary>The unit's census entry; <see langword="null"/> when it is free. Ages are read with <see cref="CensusClock"/>.</summary>
    internal static GovernedUnit? Describe(CensusNode node, GovernedOwnerKind kind, string name, TimeProvider time) =>
        node.TryRead(out var site, out var startedAt, out var context, out var state)
            ? new GovernedUnit(site, kind, name, state, CensusClock.Age(time, startedAt), context?.Labels ?? CensusContext.NoLabels, 1)
            {
                Context = context,
            }
            : null;
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
