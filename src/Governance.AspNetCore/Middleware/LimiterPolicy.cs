namespace Governance.AspNetCore;

/// <summary>
/// A named limiter policy as the middleware uses it: the registered limiter, plus the smaller limiters that trusted
/// limit headers asked for.
/// </summary>
/// <remarks>
/// A header limit never replaces the policy's limiter: a request under a header limit holds a slot of both, so the
/// header can only lower the concurrency its requests get, never raise it. Header limiters are bounded in number;
/// an idle one is evicted to make room for a new value.
/// </remarks>
internal sealed class LimiterPolicy(string name, TaskLimiter limiter, int maxHeaderLimits)
{
    private readonly Dictionary<int, TaskLimiter> _headerLimiters = new();
    private readonly Lock _lock = new();

    internal string Name { get; } = name;

    internal TaskLimiter Limiter { get; } = limiter;

    /// <summary>The limiter for a header limit, or <see langword="null"/> when the value would not lower anything or no room is left.</summary>
    internal TaskLimiter? ForHeaderLimit(int limit)
    {
        if (limit <= 0 || limit >= Limiter.MaxConcurrency)
        {
            return null;
        }

        lock (_lock)
        {
            if (_headerLimiters.TryGetValue(limit, out var existing))
            {
                return existing;
            }

            if (_headerLimiters.Count >= maxHeaderLimits && !TryEvictIdleUnsynchronized())
            {
                return null;
            }

            var created = new TaskLimiter(new TaskLimiterOptions
            {
                Name = $"{Name}:header-{limit}",
                MaxConcurrency = limit,
                QueueLimit = Limiter.QueueLimit,
                QueueTimeout = Limiter.QueueTimeout,
                TimeProvider = Limiter.TimeProvider,
                MeterFactory = Limiter.MeterFactory,
            });
            _headerLimiters.Add(limit, created);
            return created;
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

    private bool TryEvictIdleUnsynchronized()
    {
        foreach (var (limit, candidate) in _headerLimiters)
        {
            var statistics = candidate.GetStatistics();
            if (statistics.InFlight == 0 && statistics.Queued == 0)
            {
                _headerLimiters.Remove(limit);

                // Disposing rejects nobody (it is idle) and a request that raced to it still holds a valid lease.
                candidate.Dispose();
                return true;
            }
        }

        return false;
    }
}
