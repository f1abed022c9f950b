using System.Runtime.CompilerServices;

namespace Governance;

/// <summary>
/// The census of live governed work: every unit started through a <see cref="TaskGroup"/>, a <see cref="WorkerPool{T}"/>,
/// a <see cref="TickerStateMachine"/>, <see cref="Governed.Run"/>,
/// and every caller waiting in a <see cref="TaskLimiter"/>'s queue, with where it was started — the .NET counterpart of
/// Go's <c>runtime.NumGoroutine()</c> and <c>/debug/pprof/goroutine</c>.
/// </summary>
/// <remarks>
/// <para><b>On by default</b>, as in Go. Each unit records its creation site (from caller-info attributes: no stack walk),
/// its owner, its state, its start time (from the owner's <see cref="TimeProvider"/>) and the labels set with
/// <see cref="WithLabels(KeyValuePair{string, string}[])"/>. The record is the unit's own object: tracking allocates
/// nothing per unit. Set <see cref="Enabled"/> to <see langword="false"/> to stop recording new units.</para>
/// <para><b>Reading it.</b> <see cref="Snapshot"/> returns every live unit, grouped by site (pprof's <c>debug=1</c>) and one
/// by one (<c>debug=2</c>), as text or JSON, with the thread pool's and the GC's figures beside them.</para>
/// <para><b>What it never holds.</b> Arguments, request data or exceptions: only sites, owners, ages, states and the
/// labels code sets on purpose.</para>
/// </remarks>
public static class TaskCensus
{
    private static readonly AsyncLocal<CensusContext?> s_context = new();
    private static readonly ConditionalWeakTable<ICensusSource, object?> s_sources = new();
    private static volatile bool s_enabled = true;

    static TaskCensus() => CensusCounters.EnsureInstruments();

    /// <summary>Whether new units are recorded (default <see langword="true"/>). Units recorded before it is turned off stay listed until they end.</summary>
    public static bool Enabled
    {
        get => s_enabled;
        set => s_enabled = value;
    }

    internal static CensusContext? CurrentContext => s_context.Value;

    /// <summary>
    /// Sets labels on the work this flow starts until the returned scope is disposed, as Go's <c>pprof.Do</c>: every
    /// unit started inside carries them (an inner label replaces an outer one with the same key).
    /// </summary>
    /// <param name="labels">The labels; keep them low in cardinality (a tenant, an endpoint), never request data you would not log.</param>
    /// <returns>The scope; dispose it to restore the labels that were set before.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="labels"/> or a key or value is <see langword="null"/>.</exception>
    public static IDisposable WithLabels(params KeyValuePair<string, string>[] labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        foreach (var label in labels)
        {
            ArgumentNullException.ThrowIfNull(label.Key, nameof(labels));
            ArgumentNullException.ThrowIfNull(label.Value, nameof(labels));
        }

        return Push(new CensusContext(s_context.Value, (KeyValuePair<string, string>[])labels.Clone(), null));
    }

    /// <summary>Sets one label on the work this flow starts until the returned scope is disposed.</summary>
    /// <param name="key">The label's key.</param>
    /// <param name="value">The label's value.</param>
    /// <returns>The scope; dispose it to restore the labels that were set before.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> or <paramref name="value"/> is <see langword="null"/>.</exception>
    public static IDisposable WithLabels(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        return Push(new CensusContext(s_context.Value, [new(key, value)], null));
    }

    /// <summary>
    /// Starts a scope that owns the work this flow starts until it is disposed (work started by that work included),
    /// so that the units of one test or one request can be listed apart from everything else in the process.
    /// </summary>
    /// <param name="name">A name for the scope, shown nowhere but in the debugger; optional.</param>
    /// <returns>The scope; list its live units with <see cref="CensusScope.GetLiveUnits"/>, and dispose it to stop tagging new work.</returns>
    public static CensusScope BeginScope(string? name = null)
    {
        var scope = new CensusScope(name, s_context.Value?.Scope);
        scope.Restore = s_context.Value;
        s_context.Value = new CensusContext(s_context.Value, null, scope);
        return scope;
    }

    /// <summary>Lists every live unit with the runtime's figures.</summary>
    /// <returns>The snapshot; its units are sorted by site.</returns>
    public static TaskCensusSnapshot Snapshot()
    {
        var units = new List<GovernedUnit>();
        foreach (var source in s_sources)
        {
            source.Key.CollectUnits(units);
        }

        return new TaskCensusSnapshot(DateTimeOffset.UtcNow, units, RuntimeFigures.Capture());
    }

    /// <summary>
    /// Counts the live units, like <see cref="Snapshot"/> but without listing them: cheap enough for a gauge or a health
    /// check (no site, no age, no allocation per unit). Go's <c>runtime.NumGoroutine()</c>.
    /// </summary>
    /// <param name="kind">Only units of this kind of owner; all when <see langword="null"/>.</param>
    /// <returns>The number of live units (queued, waiting or running).</returns>
    public static int CountLiveUnits(GovernedOwnerKind? kind = null)
    {
        var live = CountLiveUnitsByKind();
        if (kind is { } only)
        {
            return live[(int)only];
        }

        var total = 0;
        foreach (var count in live)
        {
            total += count;
        }

        return total;
    }

    /// <summary>
    /// Counts the units started since the process started (task group units, worker pool items handled, ticker loops,
    /// <see cref="Governed.Run"/> calls), whether or not the census was recording them. Its rate is the start rate
    /// that Go's "goroutines created per minute" SLO watches.
    /// </summary>
    /// <param name="kind">Only units of this kind of owner; all when <see langword="null"/>.</param>
    /// <returns>The count.</returns>
    public static long CountStartedUnits(GovernedOwnerKind? kind = null) => CensusCounters.StartedCount(kind);

    internal static int[] CountLiveUnitsByKind()
    {
        var live = new int[5];
        foreach (var source in s_sources)
        {
            live[(int)source.Key.Kind] += source.Key.LiveUnits;
        }

        return live;
    }

    /// <summary>Lets snapshots list <paramref name="source"/>'s units while it is alive; held weakly.</summary>
    internal static void Register(ICensusSource source) => s_sources.AddOrUpdate(source, null);

    internal static void Unregister(ICensusSource source) => s_sources.Remove(source);

    internal static void Restore(CensusContext? context) => s_context.Value = context;

    private static LabelScope Push(CensusContext context)
    {
        var scope = new LabelScope(s_context.Value);
        s_context.Value = context;
        return scope;
    }

    private sealed class LabelScope(CensusContext? previous) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                s_context.Value = previous;
            }
        }
    }
}
