namespace Governance.AspNetCore;

/// <summary>
/// A named limiter policy as the middleware uses it: the registered limiter, plus the smaller limiters that trusted
/// limit headers asked for.
/// </summary>
/// <remarks>
/// A header limit never replaces the policy's limiter: a request under a header limit holds a slot of both, so the
/// header can only lower the concurrency its requests get, never raise it. Header limiters are bounded in number;
/// an unused one is evicted to make room for a new value.
/// </remarks>
internal sealed class LimiterPolicy(string name, TaskLimiter limiter, int maxHeaderLimits)
{
    private readonly Dictionary<int, HeaderLimiter> _headerLimiters = new();
    private readonly Lock _lock = new();

    internal string Name { get; } = name;

    internal TaskLimiter Limiter { get; } = limiter;

    /// <summary>
    /// Rents the limiter for a header limit, or returns <see langword="null"/> when the value would not lower anything
    /// or no room is left. The caller must hand it back with <see cref="Return"/> once its request is done.
    /// </summary>
    /// <remarks>
    /// The rental, not the limiter's statistics, decides when a header limiter may be evicted: between this call and
    /// the caller's acquire, the limiter shows no work in flight and nobody queued, yet it is about to be used. Evicting
    /// (and disposing) it then would reject a legitimate request with <see cref="LimiterRejectionReason.Disposed"/>.
    /// </remarks>
    internal HeaderLimiter? RentHeaderLimiter(int limit)
    {
        if (limit <= 0 || limit >= Limiter.MaxConcurrency)
        {
            return null;
        }

        lock (_lock)
        {
            if (!_headerLimiters.TryGetValue(limit, out var header))
            {
                if (_headerLimiters.Count >= maxHeaderLimits && !TryEvictUnusedUnsynchronized())
                {
                    return null;
                }

                header = new HeaderLimiter(new TaskLimiter(new TaskLimiterOptions
                {
                    Name = $"{Name}:header-{limit}",
                    MaxConcurrency = limit,
                    QueueLimit = Limiter.QueueLimit,
                    QueueTimeout = Limiter.QueueTimeout,
                    TimeProvider = Limiter.TimeProvider,
                    MeterFactory = Limiter.MeterFactory,
                }));
                _headerLimiters.Add(limit, header);
            }

            header.Renters++;
            return header;
        }
    }

    /// <summary>Hands back a header limiter rented with <see cref="RentHeaderLimiter"/>; it may be evicted once nobody rents it.</summary>
    internal void Return(HeaderLimiter header)
    {
        lock (_lock)
        {
            header.Renters--;
        }
    }

    internal int HeaderLimitCount
    {
        get
        {
            lock (_lock)
            {
                return _headerLimiters.Count;
            }
        }
    }

    private bool TryEvictUnusedUnsynchronized()
    {
        foreach (var (limit, candidate) in _headerLimiters)
        {
            // A request rents its header limiter for its whole life (queued, running, releasing), so no renters means
            // nobody holds a lease of it, waits in its queue, or is about to acquire from it: disposing it rejects nobody.
            if (candidate.Renters == 0)
            {
                _headerLimiters.Remove(limit);
                candidate.Limiter.Dispose();
                return true;
            }
        }

        return false;
    }

    /// <summary>A header limiter and how many requests rent it now; <see cref="Renters"/> is guarded by the policy's lock.</summary>
    internal sealed class HeaderLimiter(TaskLimiter limiter)
    {
        internal TaskLimiter Limiter { get; } = limiter;

        internal int Renters { get; set; }
    }
}
