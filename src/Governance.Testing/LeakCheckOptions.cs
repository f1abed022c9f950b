namespace Governance.Testing;

/// <summary>Settings of a <see cref="LeakCheck"/>. They are validated and copied when the check begins.</summary>
public sealed class LeakCheckOptions
{
    private static readonly TimeSpan s_maxBound = TimeSpan.FromHours(1);
    private readonly List<IgnoreRule> _ignored = new();

    /// <summary>
    /// How long <see cref="LeakCheck.VerifyNoneAsync"/> keeps looking before it fails, so that work which is ending
    /// (a unit finishing its last await, a pool draining) is not reported. Defaults to one second; <see cref="TimeSpan.Zero"/>
    /// looks once. At most one hour.
    /// </summary>
    /// <remarks>
    /// The wait between two looks starts at 1 ms and doubles up to <see cref="MaxRetryDelay"/>: with the defaults, about
    /// 17 looks in one second, fewer on a busy machine (goleak makes 20 tries in at most about 0.43 s). A check that
    /// finds nothing on its first look returns at once, so a clean test pays nothing. A check fails only on a look made
    /// at or after this bound.
    /// </remarks>
    public TimeSpan RetryTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between two looks (goleak's <c>maxSleep</c>). Defaults to 100 ms; greater than zero, at most one hour.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Whether <see cref="LeakCheck.VerifyNoneAsync"/> fails when nothing governed ran inside the check (no unit started,
    /// no timer created through <see cref="LeakCheck.TimeProvider"/>), instead of passing with
    /// <see cref="LeakCheckResult.NothingTracked"/> set. Defaults to <see langword="false"/>.
    /// </summary>
    public bool FailWhenNothingTracked { get; set; }

    /// <summary>
    /// The source of time that <see cref="LeakCheck.TimeProvider"/> wraps: every call is forwarded to it, and timers
    /// are created by it. Defaults to <see cref="TimeProvider.System"/>; give a <c>FakeTimeProvider</c> to control time
    /// in the test. The check's own waits between looks always use real time.
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal IReadOnlyList<IgnoreRule> Ignored => _ignored;

    /// <summary>
    /// Ignores the units started, and the timers created, at a site: by the calling member (<c>"ProcessAsync"</c>, as
    /// the compiler's caller info names it), by source file, or both.
    /// </summary>
    /// <param name="member">The member's name, compared exactly; <see langword="null"/> for any member.</param>
    /// <param name="file">
    /// The source file: a full path, or its end after a folder separator (<c>"OrderService.cs"</c>,
    /// <c>"Orders/OrderService.cs"</c>), compared without case, with <c>\</c> and <c>/</c> alike;
    /// <see langword="null"/> for any file.
    /// </param>
    /// <returns>These options, for chaining.</returns>
    /// <exception cref="ArgumentException">Both are <see langword="null"/> or empty.</exception>
    public LeakCheckOptions IgnoreSite(string? member = null, string? file = null)
    {
        if (string.IsNullOrEmpty(member) && string.IsNullOrEmpty(file))
        {
            throw new ArgumentException("LeakCheckOptions.IgnoreSite needs a member, a file, or both.", nameof(member));
        }

        _ignored.Add(new IgnoreRule(Empty(member), Empty(file) is { } path ? Normalize(path) : null, null, null));
        return this;
    }

    /// <summary>Ignores the units of an owner: by kind, by name (a group's, pool's, limiter's or ticker's <c>Name</c> option), or both.</summary>
    /// <param name="kind">The kind of owner; <see langword="null"/> for any kind.</param>
    /// <param name="name">The owner's name, compared exactly; <see langword="null"/> for any name.</param>
    /// <returns>These options, for chaining.</returns>
    /// <remarks>Timers have no owner: ignore them by site.</remarks>
    /// <exception cref="ArgumentException">Both are <see langword="null"/> (or the name is empty).</exception>
    public LeakCheckOptions IgnoreOwner(GovernedOwnerKind? kind = null, string? name = null)
    {
        if (kind is null && string.IsNullOrEmpty(name))
        {
            throw new ArgumentException("LeakCheckOptions.IgnoreOwner needs a kind, a name, or both.", nameof(kind));
        }

        _ignored.Add(new IgnoreRule(null, null, kind, Empty(name)));
        return this;
    }

    /// <summary>A validated copy, so that later changes to this object do not affect a running check.</summary>
    internal LeakCheckOptions ValidateAndCopy()
    {
        if (RetryTimeout < TimeSpan.Zero || RetryTimeout > s_maxBound)
        {
            throw new ArgumentOutOfRangeException("options", RetryTimeout, "LeakCheckOptions.RetryTimeout must be between zero and one hour.");
        }

        if (MaxRetryDelay <= TimeSpan.Zero || MaxRetryDelay > s_maxBound)
        {
            throw new ArgumentOutOfRangeException("options", MaxRetryDelay, "LeakCheckOptions.MaxRetryDelay must be greater than zero and at most one hour.");
        }

        if (TimeProvider is null)
        {
            throw new ArgumentException("LeakCheckOptions.TimeProvider must not be null.", "options");
        }

        var copy = new LeakCheckOptions
        {
            RetryTimeout = RetryTimeout,
            MaxRetryDelay = MaxRetryDelay,
            FailWhenNothingTracked = FailWhenNothingTracked,
            TimeProvider = TimeProvider,
        };
        copy._ignored.AddRange(_ignored);
        return copy;
    }

    internal static string Normalize(string path) => path.Replace('\\', '/');

    private static string? Empty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>One ignore rule; a null field matches anything.</summary>
    internal sealed record IgnoreRule(string? Member, string? File, GovernedOwnerKind? Kind, string? Name)
    {
        internal bool Matches(in CreationSite site) =>
            (Member is null || string.Equals(site.Member, Member, StringComparison.Ordinal))
            && (File is null || FileMatches(site.FilePath, File));

        internal bool Matches(GovernedUnit unit) =>
            ((Member is null && File is null) || Matches(unit.Site))
            && (Kind is null || unit.OwnerKind == Kind)
            && (Name is null || string.Equals(unit.OwnerName, Name, StringComparison.Ordinal));

        // A rule that names an owner never matches a timer: timers have none.
        internal bool MatchesTimer(in CreationSite site) => Kind is null && Name is null && Matches(site);

        private static bool FileMatches(string sitePath, string file)
        {
            var path = Normalize(sitePath);
            return path.EndsWith(file, StringComparison.OrdinalIgnoreCase)
                && (path.Length == file.Length || path[path.Length - file.Length - 1] == '/' || file[0] == '/');
        }
    }
}
