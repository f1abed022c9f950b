using System.Diagnostics.Metrics;
using Governance;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers named <see cref="TaskLimiter"/> instances in a service collection.</summary>
public static class TaskLimiterServiceCollectionExtensions
{
    /// <summary>
    /// Registers a <see cref="TaskLimiter"/> as a keyed singleton under <paramref name="name"/>, with options validated
    /// at start-up and <see cref="TaskLimiterOptions.MaxConcurrency"/> reloaded live.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The limiter's key and name (it overrides <see cref="TaskLimiterOptions.Name"/>).</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The options builder of the limiter's named options, as every <c>Add*</c> registration of Governance returns.</returns>
    /// <remarks>
    /// Resolve it with <c>[FromKeyedServices("orders")] TaskLimiter limiter</c> or
    /// <c>GetRequiredKeyedService&lt;TaskLimiter&gt;("orders")</c>. The application's <see cref="IMeterFactory"/> and
    /// <see cref="TimeProvider"/>, when registered, are used unless <paramref name="configure"/> sets others. When the
    /// options change (configuration reload through <see cref="IOptionsMonitor{TOptions}"/>), a new
    /// <see cref="TaskLimiterOptions.MaxConcurrency"/> resizes the live limiter; the other options are fixed when the
    /// limiter is created, and an invalid reload leaves the limit as it was.
    /// </remarks>
    public static OptionsBuilder<TaskLimiterOptions> AddTaskLimiter(this IServiceCollection services, string name, Action<TaskLimiterOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return services.AddTaskLimiter(name).Configure(configure);
    }

    /// <summary>
    /// Registers a <see cref="TaskLimiter"/> as a keyed singleton under <paramref name="name"/> and returns its options
    /// builder, to bind configuration (<c>.BindConfiguration("Limiters:orders")</c>) or add validation.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The limiter's key and name.</param>
    /// <returns>The options builder of the limiter's named options.</returns>
    /// <remarks>See <see cref="AddTaskLimiter(IServiceCollection, string, Action{TaskLimiterOptions})"/>.</remarks>
    public static OptionsBuilder<TaskLimiterOptions> AddTaskLimiter(this IServiceCollection services, string name)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);

        services.AddSingleton(new TaskLimiterRegistration(name));

        // Application services first, so that the caller's configuration can still override them.
        services.AddSingleton<IConfigureOptions<TaskLimiterOptions>>(sp => new ConfigureNamedOptions<TaskLimiterOptions>(name, options =>
        {
            options.MeterFactory ??= sp.GetService<IMeterFactory>();
            if (ReferenceEquals(options.TimeProvider, TimeProvider.System) && sp.GetService<TimeProvider>() is { } time)
            {
                options.TimeProvider = time;
            }
        }));
        // One validator per name (TryAddEnumerable would keep only the first: they share an implementation type).
        services.AddSingleton<IValidateOptions<TaskLimiterOptions>>(new NamedOptionsValidator<TaskLimiterOptions>(name, static o => o.Validate()));
        services.AddKeyedSingleton(name, static (sp, key) =>
        {
            var name = (string)key!;
            var monitor = sp.GetRequiredService<IOptionsMonitor<TaskLimiterOptions>>();
            var limiter = new TaskLimiter(monitor.Get(name));
            OptionsReload.Watch(monitor, name, static o => o.MaxConcurrency, () => limiter.MaxConcurrency, limiter.SetMaxConcurrency);
            return limiter;
        });

        return services.AddOptions<TaskLimiterOptions>(name)
            .PostConfigure(options => options.Name = name)
            .ValidateOnStart();
    }
}
