using System.Diagnostics.Metrics;
using Governance;
using Governance.Redis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Gives a registered <see cref="TaskLimiter"/> a cluster-wide budget in Redis.</summary>
public static class RedisTaskLimiterOptionsBuilderExtensions
{
    /// <summary>
    /// Makes the limiter registered by <c>services.AddTaskLimiter(name, ...)</c> take every permit also from a
    /// cluster-wide budget in Redis (<see cref="RedisTaskLimiterBudget"/>): <c>services.AddTaskLimiter("payments", o =&gt; ...).UseRedis(o =&gt; { o.Configuration = "localhost:6379"; o.ClusterLimit = 200; })</c>.
    /// </summary>
    /// <param name="builder">The limiter's options builder, as <c>AddTaskLimiter</c> returns it.</param>
    /// <param name="configure">Sets the Redis options.</param>
    /// <returns>The builder of the Redis options (named like the limiter), to bind configuration or add validation.</returns>
    /// <remarks>See <see cref="UseRedis(OptionsBuilder{TaskLimiterOptions})"/>.</remarks>
    public static OptionsBuilder<RedisTaskLimiterOptions> UseRedis(this OptionsBuilder<TaskLimiterOptions> builder, Action<RedisTaskLimiterOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return builder.UseRedis().Configure(configure);
    }

    /// <summary>
    /// Makes the limiter registered by <c>services.AddTaskLimiter(name, ...)</c> take every permit also from a
    /// cluster-wide budget in Redis, and returns the Redis options' builder to configure:
    /// <c>.UseRedis().BindConfiguration("Limiters:payments:Redis")</c>.
    /// </summary>
    /// <param name="builder">The limiter's options builder, as <c>AddTaskLimiter</c> returns it.</param>
    /// <returns>The builder of the Redis options (named like the limiter), validated at start-up.</returns>
    /// <remarks>
    /// The budget is created with the limiter and disposed with the container (its leases are given back). It logs
    /// through the application's <see cref="ILoggerFactory"/> and publishes on its <see cref="IMeterFactory"/>, when
    /// registered. The ASP.NET Core middleware, the <c>HttpClient</c> handler and the health checks resolve the named
    /// limiter as before, so they work with the cluster-wide limit unchanged.
    /// </remarks>
    public static OptionsBuilder<RedisTaskLimiterOptions> UseRedis(this OptionsBuilder<TaskLimiterOptions> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var name = builder.Name;
        var services = builder.Services;
        services.TryAddSingleton<RedisBudgetRegistry>();
        services.AddSingleton<IValidateOptions<RedisTaskLimiterOptions>>(new RedisOptionsValidator(name));
        services.AddSingleton<IPostConfigureOptions<TaskLimiterOptions>>(sp => new PostConfigureOptions<TaskLimiterOptions>(
            name, options => options.Budget ??= sp.GetRequiredService<RedisBudgetRegistry>().Get(name)));
        return services.AddOptions<RedisTaskLimiterOptions>(name).ValidateOnStart();
    }
}
