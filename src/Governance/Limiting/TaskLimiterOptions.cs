using System.Diagnostics.Metrics;

namespace Governance;

/// <summary>Settings of a <see cref="TaskLimiter"/>. They are validated and copied when the limiter is created.</summary>
/// <remarks>
/// The defaults admit at most <see cref="MaxConcurrency"/> callers and reject the next one at once
/// (<see cref="QueueLimit"/> = 0), like <see cref="System.Threading.RateLimiting.ConcurrencyLimiterOptions"/>:
/// a governed service sheds load rather than queueing without bound. Set a queue limit and a queue timeout to let
/// callers wait, as the Go GoroutineLimiter (a semaphore plus <c>context.WithTimeout</c>) does.
/// </remarks>
public sealed class TaskLimiterOptions
{
    /// <summary>The most units of work admitted at once. Must be greater than zero; there is no default.</summary>
    public int MaxConcurrency { get; set; }

    /// <summary>
    /// How many callers may wait for a slot when all are taken. Zero (the default) rejects at once with
    /// <see cref="LimiterRejectionReason.QueueFull"/>. Must not be negative.
    /// </summary>
    public int QueueLimit { get; set; }

    /// <summary>
    /// How long a caller may wait in the queue for a slot before it is rejected with
    /// <see cref="LimiterRejectionReason.QueueTimeout"/>. It bounds the wait only, never how long the admitted work
    /// runs. Must be positive, or <see cref="Timeout.InfiniteTimeSpan"/> (the default) to wait until a slot frees,
    /// the caller cancels, or the limiter is disposed.
    /// </summary>
    public TimeSpan QueueTimeout { get; set; } = Timeout.InfiniteTimeSpan;

    /// <summary>The name used in metrics tags, exception messages and diagnostics. Defaults to <c>"default"</c>.</summary>
    public string Name { get; set; } = "default";

    /// <summary>The source of time for queue timeouts and wait durations. Defaults to <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// The factory that creates the <c>Governance</c> meter; when <see langword="null"/>, a process-wide meter is used.
    /// Pass the application's <see cref="IMeterFactory"/> to keep metrics scoped to a DI container.
    /// </summary>
    public IMeterFactory? MeterFactory { get; set; }

    /// <summary>
    /// A budget outside the limiter that every permit also needs — a cluster-wide limit, say; <see langword="null"/>
    /// (the default) for a limiter that is limited locally only. See <see cref="TaskLimiterBudget"/>.
    /// </summary>
    /// <remarks>
    /// With a budget, <see cref="TaskLimiter.TryAcquire(out TaskLimiterLease)"/> never takes permits (it cannot wait for
    /// the budget): use <see cref="TaskLimiter.AcquireOrRejectAsync"/>. The limiter does not dispose the budget, which
    /// may serve others; disposing the limiter rejects the callers waiting for the budget with
    /// <see cref="LimiterRejectionReason.Disposed"/>.
    /// </remarks>
    public TaskLimiterBudget? Budget { get; set; }

    // The largest period a System.Threading timer accepts (0xFFFFFFFE ms).
    private const double MaxTimerMilliseconds = 4294967294;

    /// <summary>The first problem with these options, as the exception the limiter throws for it; <see langword="null"/> when valid.</summary>
    /// <remarks>Shared by the constructor and the DI validator, so both report the same message.</remarks>
    internal ArgumentException? Validate()
    {
        if (MaxConcurrency <= 0)
        {
            return new ArgumentOutOfRangeException("options", MaxConcurrency, "TaskLimiterOptions.MaxConcurrency must be greater than zero.");
        }

        if (QueueLimit < 0)
        {
            return new ArgumentOutOfRangeException("options", QueueLimit,
                "TaskLimiterOptions.QueueLimit must not be negative (0 rejects at once when every slot is taken).");
        }

        if (QueueTimeout != Timeout.InfiniteTimeSpan && (QueueTimeout <= TimeSpan.Zero || QueueTimeout.TotalMilliseconds > MaxTimerMilliseconds))
        {
            return new ArgumentOutOfRangeException("options", QueueTimeout,
                "TaskLimiterOptions.QueueTimeout must be positive and at most 49 days, or Timeout.InfiniteTimeSpan " +
                "(set QueueLimit = 0 to reject at once instead of waiting).");
        }

        if (Name is null || TimeProvider is null)
        {
            return new ArgumentException(
                Name is null ? "TaskLimiterOptions.Name must not be null." : "TaskLimiterOptions.TimeProvider must not be null.", "options");
        }

        return null;
    }
}
