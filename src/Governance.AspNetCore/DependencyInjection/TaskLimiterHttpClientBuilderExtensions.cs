using Governance;
using Governance.AspNetCore;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Bounds the outbound calls of a named HttpClient.</summary>
public static class TaskLimiterHttpClientBuilderExtensions
{
    /// <summary>
    /// Bounds the client's concurrent calls with a <see cref="TaskLimiter"/> registered as <c>http:{client name}</c>
    /// (validated at start-up, resizable through options reload, published in metrics), and each call in time.
    /// </summary>
    /// <param name="builder">The HttpClient builder.</param>
    /// <param name="configure">Sets the limiter's options: <see cref="TaskLimiterOptions.MaxConcurrency"/>, queue limit and queue timeout.</param>
    /// <param name="perCallTimeout">How long one call may take up to its response headers; positive, or <see cref="Timeout.InfiniteTimeSpan"/>. Defaults to 30 seconds.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="perCallTimeout"/> is zero or negative and not infinite.</exception>
    public static IHttpClientBuilder AddTaskLimiter(this IHttpClientBuilder builder, Action<TaskLimiterOptions> configure, TimeSpan? perCallTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var timeout = perCallTimeout ?? TimeSpan.FromSeconds(30);
        if (timeout != Timeout.InfiniteTimeSpan && timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(perCallTimeout), timeout, "The per-call timeout must be positive, or Timeout.InfiniteTimeSpan.");
        }

        // The limiter is a keyed singleton, not part of the handler: handlers are recycled every few minutes, and
        // every generation must share the same slots.
        var key = "http:" + builder.Name;
        builder.Services.AddTaskLimiter(key, configure);
        return builder.AddHttpMessageHandler(sp => new TaskLimiterHandler(
            sp.GetRequiredKeyedService<TaskLimiter>(key), timeout, sp.GetService<TimeProvider>() ?? TimeProvider.System));
    }
}
