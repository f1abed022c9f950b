using System.Globalization;
using System.Text;

namespace Governance.Testing;

/// <summary>Live governed units left by a test, grouped: one site, one owner, one state.</summary>
public sealed class LeakedUnitGroup
{
    internal LeakedUnitGroup(CreationSite site, GovernedOwnerKind ownerKind, string ownerName, GovernedUnitState state, int count, TimeSpan oldestAge)
    {
        Site = site;
        OwnerKind = ownerKind;
        OwnerName = ownerName;
        State = state;
        Count = count;
        OldestAge = oldestAge;
    }

    /// <summary>Where the work was started.</summary>
    public CreationSite Site { get; }

    /// <summary>The kind of primitive that owns it.</summary>
    public GovernedOwnerKind OwnerKind { get; }

    /// <summary>The owner's name.</summary>
    public string OwnerName { get; }

    /// <summary>What the units are doing.</summary>
    public GovernedUnitState State { get; }

    /// <summary>How many units (items queued in a worker pool each count).</summary>
    public int Count { get; }

    /// <summary>The oldest unit's age, by its owner's <see cref="TimeProvider"/>.</summary>
    public TimeSpan OldestAge { get; }

    /// <summary>The group as one line of the leak report.</summary>
    /// <returns>The text, e.g. <c>2 @ ProcessAsync (/src/OrderService.cs:42): taskgroup "orders", running, oldest 1.2s</c>.</returns>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Count} @ {Site}: {LeakCheckResult.KindName(OwnerKind)} \"{OwnerName}\", {State.ToString().ToLowerInvariant()}, oldest {LeakCheckResult.Age(OldestAge)}");
}

/// <summary>Timers created through <see cref="LeakCheck.TimeProvider"/> and not disposed, grouped by site and period.</summary>
public sealed class LeakedTimerGroup
{
    internal LeakedTimerGroup(CreationSite site, TimeSpan period, bool stopped, int count, TimeSpan oldestAge)
    {
        Site = site;
        Period = period;
        Stopped = stopped;
        Count = count;
        OldestAge = oldestAge;
    }

    /// <summary>Where the timer was created: the first frame of the creating stack that is not Governance's, the runtime's or Microsoft's.</summary>
    public CreationSite Site { get; }

    /// <summary>The period last set; <see cref="Timeout.InfiniteTimeSpan"/> or <see cref="TimeSpan.Zero"/> for a one-shot timer.</summary>
    public TimeSpan Period { get; }

    /// <summary>Whether the timers were stopped (their due time last set to <see cref="Timeout.InfiniteTimeSpan"/>) but never disposed.</summary>
    public bool Stopped { get; }

    /// <summary>How many timers.</summary>
    public int Count { get; }

    /// <summary>The oldest timer's age, by the <see cref="LeakCheckOptions.TimeProvider"/>.</summary>
    public TimeSpan OldestAge { get; }

    /// <summary>The group as one line of the leak report.</summary>
    /// <returns>The text, e.g. <c>1 @ StartAsync (/src/Worker.cs:10): timer, period 5.0s, undisposed, oldest 3.0s</c>.</returns>
    public override string ToString()
    {
        var period = Stopped ? "stopped" : Period > TimeSpan.Zero ? "period " + LeakCheckResult.Age(Period) : "one-shot";
        return string.Create(CultureInfo.InvariantCulture, $"{Count} @ {Site}: timer, {period}, undisposed, oldest {LeakCheckResult.Age(OldestAge)}");
    }
}

/// <summary>
/// What a <see cref="LeakCheck"/> saw: the leaked work (if any), whether it saw anything at all, and how long it looked.
/// </summary>
public sealed class LeakCheckResult
{
    internal LeakCheckResult(
        IReadOnlyList<LeakedUnitGroup> units,
        IReadOnlyList<LeakedTimerGroup> timers,
        int ignored,
        long unitsStarted,
        int timersCreated,
        bool censusEnabled,
        int attempts,
        TimeSpan elapsed)
    {
        Units = units;
        Timers = timers;
        Ignored = ignored;
        UnitsStarted = unitsStarted;
        TimersCreated = timersCreated;
        Attempts = attempts;
        Elapsed = elapsed;
        Message = Describe(censusEnabled);
    }

    /// <summary>The live units started inside the check, grouped by site, owner and state; empty when none is left.</summary>
    public IReadOnlyList<LeakedUnitGroup> Units { get; }

    /// <summary>The undisposed timers created through <see cref="LeakCheck.TimeProvider"/>, grouped by site and period.</summary>
    public IReadOnlyList<LeakedTimerGroup> Timers { get; }

    /// <summary>Whether any unit or timer is left.</summary>
    public bool HasLeaks => Units.Count > 0 || Timers.Count > 0;

    /// <summary>How many live units and timers the ignore rules of <see cref="LeakCheckOptions"/> left out of the report.</summary>
    public int Ignored { get; }

    /// <summary>
    /// Whether the check looked at nothing: no governed unit was started inside it and no timer was created through
    /// <see cref="LeakCheck.TimeProvider"/>. A pass then proves nothing; <see cref="Message"/> says so, and
    /// <see cref="LeakCheckOptions.FailWhenNothingTracked"/> turns it into a failure.
    /// </summary>
    public bool NothingTracked => UnitsStarted == 0 && TimersCreated == 0;

    /// <summary>How many governed units were started inside the check, ended or not (<see cref="CensusScope.UnitsStarted"/>).</summary>
    public long UnitsStarted { get; }

    /// <summary>How many timers were created through <see cref="LeakCheck.TimeProvider"/>, disposed or not.</summary>
    public int TimersCreated { get; }

    /// <summary>How many times the check looked.</summary>
    public int Attempts { get; }

    /// <summary>How long it kept looking (real time).</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>The report: each leaked group on its own line, or why there is none.</summary>
    public string Message { get; }

    /// <summary>The report.</summary>
    /// <returns><see cref="Message"/>.</returns>
    public override string ToString() => Message;

    // As the census text writes an owner kind.
    internal static string KindName(GovernedOwnerKind kind) => kind.ToString().ToLowerInvariant();

    internal static string Age(TimeSpan age) => string.Create(CultureInfo.InvariantCulture, $"{age.TotalSeconds:0.0}s");

    private string Describe(bool censusEnabled)
    {
        var inv = CultureInfo.InvariantCulture;
        var looked = Attempts == 1
            ? "1 look"
            : string.Create(inv, $"{Attempts} looks over {Elapsed.TotalSeconds:0.00}s");
        var text = new StringBuilder();
        if (HasLeaks)
        {
            var units = Units.Sum(u => u.Count);
            var timers = Timers.Sum(t => t.Count);
            var what = (units, timers) switch
            {
                (0, _) => Counted(timers, "timer"),
                (_, 0) => Counted(units, "unit"),
                _ => Counted(units, "unit") + " and " + Counted(timers, "timer"),
            };
            text.Append(inv, $"governance leak check: {what} started in this check still alive after {looked}");
            if (Ignored > 0)
            {
                text.Append(inv, $" ({Ignored} more ignored)");
            }

            text.Append(':');
            foreach (var group in Units)
            {
                text.Append('\n').Append("  ").Append(group);
            }

            foreach (var group in Timers)
            {
                text.Append('\n').Append("  ").Append(group);
            }

            return text.ToString();
        }

        if (NothingTracked)
        {
            text.Append("governance leak check: nothing governed ran in this check (no unit started, no timer created through LeakCheck.TimeProvider), so it looked at nothing.");
            text.Append(censusEnabled
                ? " Start the work inside the check (after LeakCheck.Begin, in the same flow), and give the code under test LeakCheck.TimeProvider."
                : " TaskCensus.Enabled is false: the census records no unit.");
            return text.ToString();
        }

        var alive = Ignored > 0 ? string.Create(inv, $"none alive but {Ignored} ignored") : "all ended";
        return string.Create(inv, $"governance leak check: no leak; {Counted(UnitsStarted, "unit")} started and {Counted(TimersCreated, "timer")} created in this check, {alive} ({looked}).");
    }

    private static string Counted(long count, string noun) => string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? noun : noun + "s")}");
}

/// <summary>The exception <see cref="LeakCheck.VerifyNoneAsync"/> throws when governed work or a timer started inside the check is still alive, or when it looked at nothing and was told to fail then.</summary>
public sealed class LeakCheckException : Exception
{
    internal LeakCheckException(LeakCheckResult result, string message)
        : base(message)
    {
        Result = result;
    }

    /// <summary>What the check saw.</summary>
    public LeakCheckResult Result { get; }
}
