using System.Diagnostics;

namespace Governance.Testing;

/// <summary>
/// A leak check for one test, Go's <c>goleak.VerifyNone(t)</c> scoped to the test instead of the process: the governed
/// work started inside the check (through <see cref="TaskGroup"/>, <see cref="WorkerPool{T}"/>,
/// <see cref="TickerStateMachine"/>, <see cref="TaskLimiter"/> queues or <see cref="Governed.Run"/>, and the work that
/// work starts) and still alive at the end is a leak, and so is a timer created through <see cref="TimeProvider"/> and
/// never disposed. Tests running in parallel each see only their own.
/// </summary>
/// <example>
/// <code>
/// await using var check = LeakCheck.Begin();
/// await service.ProcessAsync(order, check.TimeProvider);
/// await check.VerifyNoneAsync();
/// </code>
/// </example>
/// <remarks>
/// <para><b>Scope.</b> <see cref="Begin"/> starts a <see cref="CensusScope"/> in the calling flow (an <see cref="AsyncLocal{T}"/>):
/// work started after it in that flow, or by that work, belongs to the check. Work started before it, or by another
/// test, does not. Call <see cref="Begin"/> and dispose the check in the same method (a <c>using</c>).</para>
/// <para><b>Retry.</b> <see cref="VerifyNoneAsync"/> looks at once and, while something is alive, again with back-off
/// until <see cref="LeakCheckOptions.RetryTimeout"/> (one second by default) has passed; only then does it fail.</para>
/// <para><b>Vacuous checks.</b> A check inside which nothing governed ran passes without having looked at anything;
/// its <see cref="LeakCheckResult.NothingTracked"/> says so, and <see cref="LeakCheckOptions.FailWhenNothingTracked"/>
/// makes it fail.</para>
/// <para>Disposing the check ends its scope; it does not verify.</para>
/// </remarks>
public sealed class LeakCheck : IDisposable, IAsyncDisposable
{
    private static readonly TimeSpan s_firstRetryDelay = TimeSpan.FromMilliseconds(1);
    private static readonly AsyncLocal<LeakCheck?> s_current = new();

    private readonly LeakCheckOptions _options;
    private readonly TrackingTimeProvider _time;
    private readonly CensusScope _scope;
    private readonly LeakCheck? _previous;
    private int _disposed;

    private LeakCheck(LeakCheckOptions options)
    {
        _options = options;
        _time = new TrackingTimeProvider(options.TimeProvider);
        _previous = s_current.Value;
        _scope = TaskCensus.BeginScope("leak-check");
        s_current.Value = this;
    }

    /// <summary>The innermost check begun in this flow and not yet disposed, if any (the one a test attribute began, for instance).</summary>
    public static LeakCheck? Current => s_current.Value;

    /// <summary>
    /// A time provider for the code under test: it forwards to <see cref="LeakCheckOptions.TimeProvider"/> and tracks
    /// the timers created through it; those still undisposed when the check verifies are leaks, reported where they
    /// were created.
    /// </summary>
    public TimeProvider TimeProvider => _time;

    /// <summary>How many governed units were started inside the check so far, ended or not.</summary>
    public long UnitsStarted => _scope.UnitsStarted;

    /// <summary>Begins a check in the calling flow.</summary>
    /// <param name="options">The settings; the defaults when <see langword="null"/>. Validated and copied.</param>
    /// <returns>The check; verify it with <see cref="VerifyNoneAsync"/> and dispose it.</returns>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public static LeakCheck Begin(LeakCheckOptions? options = null) =>
        new((options ?? new LeakCheckOptions()).ValidateAndCopy());

    /// <summary>Looks once, now, without waiting and without failing.</summary>
    /// <returns>What is alive now.</returns>
    public LeakCheckResult Inspect() => Look(attempts: 1, TimeSpan.Zero);

    /// <summary>
    /// Fails if governed work started inside the check, or a timer created through <see cref="TimeProvider"/>, is still
    /// alive once <see cref="LeakCheckOptions.RetryTimeout"/> has passed; returns as soon as none is.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>What the check saw: no leak, and whether it saw anything at all (<see cref="LeakCheckResult.NothingTracked"/>).</returns>
    /// <exception cref="LeakCheckException">
    /// Something is still alive (the message lists each group: site, owner, state, count, oldest age), or nothing was
    /// tracked and <see cref="LeakCheckOptions.FailWhenNothingTracked"/> is set.
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired while the check waited.</exception>
    public async Task<LeakCheckResult> VerifyNoneAsync(CancellationToken cancellationToken = default)
    {
        // The check fails only on a look made at or after the bound, so a failure always means "alive for RetryTimeout".
        var started = Stopwatch.GetTimestamp();
        var delay = s_firstRetryDelay;
        var attempts = 1;
        var elapsed = TimeSpan.Zero;
        var result = Look(attempts, elapsed);
        while (result.HasLeaks && elapsed < _options.RetryTimeout)
        {
            var left = _options.RetryTimeout - elapsed;
            await Task.Delay(left < delay ? Max(left, s_firstRetryDelay) : delay, cancellationToken).ConfigureAwait(false);
            delay = delay * 2 < _options.MaxRetryDelay ? delay * 2 : _options.MaxRetryDelay;
            attempts++;
            elapsed = Stopwatch.GetElapsedTime(started);
            result = Look(attempts, elapsed);
        }

        if (result.HasLeaks)
        {
            throw new LeakCheckException(result, result.Message);
        }

        if (result.NothingTracked && _options.FailWhenNothingTracked)
        {
            throw new LeakCheckException(result, result.Message + " (LeakCheckOptions.FailWhenNothingTracked is set.)");
        }

        return result;
    }

    /// <summary>Ends the check's scope: work this flow starts from now on no longer belongs to it. Does not verify.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            // Synchronous on purpose: the scope's AsyncLocal is restored in the caller's flow.
            _scope.Dispose();
            if (ReferenceEquals(s_current.Value, this))
            {
                s_current.Value = _previous;
            }
        }
    }

    /// <summary>Ends the check's scope, as <see cref="Dispose"/>. Does not verify.</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return default;
    }

    // Task.Delay rounds a delay under a millisecond down to none: wait at least one.
    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private LeakCheckResult Look(int attempts, TimeSpan elapsed)
    {
        var ignored = 0;
        var units = new Dictionary<(CreationSite, GovernedOwnerKind, string, GovernedUnitState), (int Count, TimeSpan Oldest)>();
        foreach (var unit in _scope.GetLiveUnits())
        {
            if (IsIgnored(unit))
            {
                ignored += unit.Count;
                continue;
            }

            var key = (unit.Site, unit.OwnerKind, unit.OwnerName, unit.State);
            units[key] = units.TryGetValue(key, out var seen)
                ? (seen.Count + unit.Count, seen.Oldest > unit.Age ? seen.Oldest : unit.Age)
                : (unit.Count, unit.Age);
        }

        var timers = new Dictionary<(CreationSite, TimeSpan, bool), (int Count, TimeSpan Oldest)>();
        foreach (var timer in _time.LiveTimers())
        {
            if (IsIgnored(timer.Site))
            {
                ignored++;
                continue;
            }

            var (period, stopped) = timer.Schedule;
            var key = (timer.Site, period, stopped);
            var age = _time.AgeOf(timer);
            timers[key] = timers.TryGetValue(key, out var seen)
                ? (seen.Count + 1, seen.Oldest > age ? seen.Oldest : age)
                : (1, age);
        }

        var unitGroups = units
            .Select(u => new LeakedUnitGroup(u.Key.Item1, u.Key.Item2, u.Key.Item3, u.Key.Item4, u.Value.Count, u.Value.Oldest))
            .OrderBy(g => g.Site.FilePath, StringComparer.Ordinal).ThenBy(g => g.Site.Line).ThenBy(g => g.OwnerName, StringComparer.Ordinal).ThenBy(g => g.State)
            .ToList();
        var timerGroups = timers
            .Select(t => new LeakedTimerGroup(t.Key.Item1, t.Key.Item2, t.Key.Item3, t.Value.Count, t.Value.Oldest))
            .OrderBy(g => g.Site.FilePath, StringComparer.Ordinal).ThenBy(g => g.Site.Line)
            .ToList();
        return new LeakCheckResult(unitGroups, timerGroups, ignored, _scope.UnitsStarted, _time.Created, TaskCensus.Enabled, attempts, elapsed);
    }

    private bool IsIgnored(GovernedUnit unit)
    {
        foreach (var rule in _options.Ignored)
        {
            if (rule.Matches(unit))
            {
                return true;
            }
        }

        return false;
    }

    private bool IsIgnored(in CreationSite site)
    {
        foreach (var rule in _options.Ignored)
        {
            if (rule.MatchesTimer(site))
            {
                return true;
            }
        }

        return false;
    }
}
