using System.Threading.RateLimiting;

namespace Governance;

/// <summary>
/// The <see cref="RateLimiter"/> face of a <see cref="TaskLimiter"/> (see <see cref="TaskLimiter.AsRateLimiter"/>):
/// same slots, queue and counters; rejections come back as failed leases rather than exceptions, as the
/// RateLimiter contract expects.
/// </summary>
/// <remarks>
/// The view does not own the limiter (other code may hold it), so it does not override disposal: disposing the view
/// leaves the limiter running. Rejected and probe leases are shared and stateless; they hold nothing to release.
/// </remarks>
internal sealed class TaskLimiterRateLimiter : RateLimiter
{
    private static readonly RateLimitLease s_probeSucceeded = new ProbeLease(isAcquired: true);
    private static readonly RateLimitLease s_probeFailed = new ProbeLease(isAcquired: false);
    private static readonly RateLimitLease[] s_rejected =
    [
        new RejectedLease(LimiterRejectionReason.QueueFull),
        new RejectedLease(LimiterRejectionReason.QueueTimeout),
        new RejectedLease(LimiterRejectionReason.Disposed),
        new RejectedLease(LimiterRejectionReason.PermitsExceedLimit),
    ];

    private readonly TaskLimiter _limiter;

    internal TaskLimiterRateLimiter(TaskLimiter limiter) => _limiter = limiter;

    public override TimeSpan? IdleDuration => _limiter.GetIdleDuration();

    public override RateLimiterStatistics? GetStatistics()
    {
        var statistics = _limiter.GetStatistics();
        return new RateLimiterStatistics
        {
            CurrentAvailablePermits = Math.Max(0, statistics.MaxConcurrency - statistics.InFlight),
            CurrentQueuedCount = statistics.Queued,
            TotalSuccessfulLeases = statistics.TotalAdmitted,
            TotalFailedLeases = statistics.TotalRejected,
        };
    }

    // Callers of the RateLimiter face (ASP.NET Core's rate limiting, Polly) wait in the census under this site.
    private static readonly CreationSite s_site = new("TaskLimiter.AsRateLimiter", string.Empty, 0);

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        ValidatePermitCount(permitCount);
        if (permitCount == 0)
        {
            return _limiter.HasFreeSlot ? s_probeSucceeded : s_probeFailed;
        }

        if (_limiter.TryAcquire(permitCount, out var lease))
        {
            return new AcquiredLease(lease);
        }

        return s_rejected[(int)(permitCount > _limiter.MaxConcurrency ? LimiterRejectionReason.PermitsExceedLimit : LimiterRejectionReason.QueueFull)];
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        ValidatePermitCount(permitCount);
        if (permitCount == 0)
        {
            return new ValueTask<RateLimitLease>(_limiter.HasFreeSlot ? s_probeSucceeded : s_probeFailed);
        }

        var pending = _limiter.AcquireCore(permitCount, throwOnRejection: false, s_site, cancellationToken);
        return pending.IsCompletedSuccessfully ? new ValueTask<RateLimitLease>(ToRateLimitLease(pending.Result)) : AwaitLease(pending);

        static async ValueTask<RateLimitLease> AwaitLease(ValueTask<TaskLimiterLease> pending) =>
            ToRateLimitLease(await pending.ConfigureAwait(false));
    }

    private static RateLimitLease ToRateLimitLease(TaskLimiterLease lease) =>
        lease.RejectionReason is { } reason ? s_rejected[(int)reason] : new AcquiredLease(lease);

    private static void ValidatePermitCount(int permitCount)
    {
        // RateLimiter's public methods already reject negative counts; this guards direct calls of the Core methods.
        if (permitCount < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(permitCount), permitCount, "The permit count must not be negative.");
        }
    }

    private sealed class AcquiredLease(TaskLimiterLease lease) : RateLimitLease
    {
        public override bool IsAcquired => true;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            lease.Dispose();
            base.Dispose(disposing);
        }
    }

    private sealed class RejectedLease(LimiterRejectionReason reason) : RateLimitLease
    {
        private readonly string _reasonPhrase = reason switch
        {
            LimiterRejectionReason.QueueFull => "Every slot is taken and the wait queue is full.",
            LimiterRejectionReason.QueueTimeout => "No slot became free within the queue timeout.",
            LimiterRejectionReason.PermitsExceedLimit => "More permits were asked for than the limit.",
            _ => "The limiter has been disposed.",
        };

        public override bool IsAcquired => false;

        public override IEnumerable<string> MetadataNames => [MetadataName.ReasonPhrase.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            if (metadataName == MetadataName.ReasonPhrase.Name)
            {
                metadata = _reasonPhrase;
                return true;
            }

            metadata = null;
            return false;
        }
    }

    private sealed class ProbeLease(bool isAcquired) : RateLimitLease
    {
        public override bool IsAcquired => isAcquired;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}
