namespace Governance;

/// <summary>
/// Thrown when a <see cref="TaskLimiter"/> does not admit a caller: the queue is full, the caller waited longer
/// than the queue timeout, the limiter was disposed, the caller asked for more permits than the limit, or the limiter's
/// external budget could not be reached.
/// <see cref="Reason"/> says which.
/// </summary>
/// <remarks>
/// A caller whose own <see cref="System.Threading.CancellationToken"/> fires gets an
/// <see cref="System.OperationCanceledException"/> instead: cancellation is the caller's decision, a rejection is the limiter's.
/// </remarks>
public sealed class LimiterRejectedException : Exception
{
    /// <summary>Creates an exception for a rejection by the limiter named <paramref name="limiterName"/>.</summary>
    /// <param name="reason">Why the caller was rejected.</param>
    /// <param name="limiterName">The <see cref="TaskLimiterOptions.Name"/> of the limiter.</param>
    /// <param name="message">The message; when <see langword="null"/>, one is built from the reason.</param>
    public LimiterRejectedException(LimiterRejectionReason reason, string limiterName, string? message = null)
        : base(message ?? BuildMessage(reason, limiterName))
    {
        Reason = reason;
        LimiterName = limiterName;
    }

    /// <summary>Why the caller was rejected.</summary>
    public LimiterRejectionReason Reason { get; }

    /// <summary>The name of the limiter that rejected the caller.</summary>
    public string LimiterName { get; }

    private static string BuildMessage(LimiterRejectionReason reason, string limiterName) => reason switch
    {
        LimiterRejectionReason.QueueFull =>
            $"TaskLimiter '{limiterName}' rejected the caller: every slot is taken and the wait queue is full.",
        LimiterRejectionReason.QueueTimeout =>
            $"TaskLimiter '{limiterName}' rejected the caller: no slot became free within the queue timeout.",
        LimiterRejectionReason.Disposed =>
            $"TaskLimiter '{limiterName}' rejected the caller: the limiter has been disposed.",
        LimiterRejectionReason.PermitsExceedLimit =>
            $"TaskLimiter '{limiterName}' rejected the caller: it asked for more permits than the limit, so it could never be admitted.",
        LimiterRejectionReason.Unavailable =>
            $"TaskLimiter '{limiterName}' rejected the caller: its external budget could not be reached.",
        _ => $"TaskLimiter '{limiterName}' rejected the caller ({reason}).",
    };
}
