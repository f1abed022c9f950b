using System.Diagnostics;
using System.Reflection;

namespace Governance.Testing;

/// <summary>
/// A <see cref="TimeProvider"/> that forwards everything to an inner one and remembers every timer created through it
/// until the timer is disposed, with where it was created, so that a <see cref="LeakCheck"/> can report the timers a
/// test left behind.
/// </summary>
/// <remarks>
/// The creation site is the first frame of a stack trace taken in <see cref="CreateTimer"/> that is not Governance's,
/// the runtime's or Microsoft's (a <c>PeriodicTimer</c> or a <c>CancellationTokenSource</c> with a delay is reported
/// where the test's code created it). A stack walk per timer is fine in a test tool; the census itself never walks
/// the stack. Undisposed timers are held strongly until the check ends, so the report does not depend on the GC.
/// </remarks>
internal sealed class TrackingTimeProvider(TimeProvider inner) : TimeProvider
{
    private static readonly TimerCallback s_fire = static state => ((TrackedTimer)state!).Fire();
    private readonly Lock _lock = new();
    private readonly HashSet<TrackedTimer> _live = new();
    private int _created;

    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

    public override long TimestampFrequency => inner.TimestampFrequency;

    /// <summary>How many timers were created through this provider, disposed or not.</summary>
    internal int Created => Volatile.Read(ref _created);

    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

    public override long GetTimestamp() => inner.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new TrackedTimer(this, callback, state, CallerSite.Find(new StackTrace(1, fNeedFileInfo: true)), dueTime, period, inner.GetTimestamp());
        lock (_lock)
        {
            _live.Add(timer);
            _created++;
        }

        try
        {
            timer.Inner = inner.CreateTimer(s_fire, timer, dueTime, period);
        }
        catch
        {
            Forget(timer);
            throw;
        }

        return timer;
    }

    /// <summary>The timers created through this provider and not disposed, now.</summary>
    internal List<TrackedTimer> LiveTimers()
    {
        lock (_lock)
        {
            return _live.ToList();
        }
    }

    internal TimeSpan AgeOf(TrackedTimer timer) => inner.GetElapsedTime(timer.CreatedAt);

    private void Forget(TrackedTimer timer)
    {
        lock (_lock)
        {
            _live.Remove(timer);
        }
    }

    internal sealed class TrackedTimer(TrackingTimeProvider owner, TimerCallback callback, object? state, CreationSite site, TimeSpan dueTime, TimeSpan period, long createdAt) : ITimer
    {
        private readonly Lock _lock = new();
        private TimeSpan _dueTime = dueTime;
        private TimeSpan _period = period;

        internal ITimer? Inner { get; set; }

        internal CreationSite Site { get; } = site;

        internal long CreatedAt { get; } = createdAt;

        /// <summary>The period and due time last set (a period of <see cref="Timeout.InfiniteTimeSpan"/> or zero: one-shot; a due time of <see cref="Timeout.InfiniteTimeSpan"/>: stopped).</summary>
        internal (TimeSpan Period, bool Stopped) Schedule
        {
            get
            {
                lock (_lock)
                {
                    return (_period, _dueTime == Timeout.InfiniteTimeSpan);
                }
            }
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (_lock)
            {
                var changed = Inner!.Change(dueTime, period);
                if (changed)
                {
                    (_dueTime, _period) = (dueTime, period);
                }

                return changed;
            }
        }

        public void Dispose()
        {
            owner.Forget(this);
            Inner?.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            owner.Forget(this);
            return Inner?.DisposeAsync() ?? default;
        }

        internal void Fire() => callback(state);
    }
}

/// <summary>Finds the code that called into Governance or the framework, in a stack trace.</summary>
internal static class CallerSite
{
    private static readonly string[] s_governanceAssemblies = ["Governance", "Governance.AspNetCore", "Governance.Testing", "Governance.Testing.Xunit"];

    /// <summary>The first frame outside Governance, System and Microsoft, as a site; an unknown site when there is none.</summary>
    internal static CreationSite Find(StackTrace trace)
    {
        foreach (var frame in trace.GetFrames())
        {
            if (frame.GetMethod() is not { } method || IsInfrastructure(method))
            {
                continue;
            }

            return new CreationSite(MemberName(method), frame.GetFileName() ?? string.Empty, frame.GetFileLineNumber());
        }

        return new CreationSite(string.Empty, string.Empty, 0);
    }

    private static bool IsInfrastructure(MethodBase method)
    {
        var assembly = (method.DeclaringType?.Assembly ?? method.Module.Assembly).GetName().Name ?? string.Empty;
        return Array.IndexOf(s_governanceAssemblies, assembly) >= 0
            || assembly is "System" or "mscorlib" or "netstandard"
            || assembly.StartsWith("System.", StringComparison.Ordinal)
            || assembly.StartsWith("Microsoft.", StringComparison.Ordinal);
    }

    // The member as caller info would name it: an async method's or iterator's state machine (<RunAsync>d__4.MoveNext)
    // and a lambda (<RunAsync>b__0) are named after the member that declares them.
    private static string MemberName(MethodBase method)
    {
        var name = method.Name;
        if (method.DeclaringType is { Name: ['<', ..] } generated && name is "MoveNext" && generated.Name.IndexOf('>', StringComparison.Ordinal) is > 1 and var end)
        {
            return generated.Name[1..end];
        }

        return name is ['<', ..] && name.IndexOf('>', StringComparison.Ordinal) is > 1 and var close ? name[1..close] : name;
    }
}
