using System.Diagnostics.Metrics;
using Governance;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers named <see cref="WorkerPool{T}"/> instances in a service collection.</summary>
public static class WorkerPoolServiceCollectionExtensions
{
    /// <summary>
    /// Registers a <see cref="WorkerPool{T}"/> as a keyed singleton under <paramref name="name"/>, started with the host
    /// and drained when the host stops; options are validated at start-up and
    /// <see cref="WorkerPoolOptions.Workers"/> is reloaded live.
    /// </summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The pool's key and name (it overrides <see cref="WorkerPoolOptions.Name"/>).</param>
    /// <param name="handler">Handles one item, with the root service provider (create a scope for scoped services).</param>
    /// <param name="configure">Sets the options.</param>
    /// <param name="onError">Called with the root service provider, the item and the exception when the handler throws (see the pool's constructor). Optional.</param>
    /// <param name="onDropped">Called with the root service provider and each item the pool drops without handling it (see the pool's constructor). Optional.</param>
    /// <returns>The options builder of the pool's named options.</returns>
    /// <remarks>
    /// On host shutdown the pool stops taking items and drains its queue until the host's shutdown timeout; what is
    /// left then is dropped as <see cref="WorkerPool{T}.DisposeAsync"/> documents. Handler failures are logged through
    /// the application's <see cref="ILoggerFactory"/> (category <c>Governance.WorkerPool</c>) unless
    /// <see cref="WorkerPoolOptions.Logger"/> is set.
    /// </remarks>
    public static OptionsBuilder<WorkerPoolOptions> AddWorkerPool<T>(
        this IServiceCollection services,
        string name,
        Func<IServiceProvider, T, CancellationToken, Task> handler,
        Action<WorkerPoolOptions>? configure = null,
        Action<IServiceProvider, T, Exception>? onError = null,
        Action<IServiceProvider, T>? onDropped = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(handler);

        services.AddSingleton<IConfigureOptions<WorkerPoolOptions>>(sp => new ConfigureNamedOptions<WorkerPoolOptions>(name, options =>
        {
            options.MeterFactory ??= sp.GetService<IMeterFactory>();
            options.Logger ??= sp.GetService<ILoggerFactory>()?.CreateLogger("Governance.WorkerPool");
            if (ReferenceEquals(options.TimeProvider, TimeProvider.System) && sp.GetService<TimeProvider>() is { } time)
            {
                options.TimeProvider = time;
            }
        }));
        // One validator per name (TryAddEnumerable would keep only the first: they share an implementation type).
        services.AddSingleton<IValidateOptions<WorkerPoolOptions>>(new NamedOptionsValidator<WorkerPoolOptions>(name, static o => o.Validate()));
        services.AddKeyedSingleton(name, (sp, _) =>
        {
            var monitor = sp.GetRequiredService<IOptionsMonitor<WorkerPoolOptions>>();
            var pool = new WorkerPool<T>(
                (item, ct) => handler(sp, item, ct),
                monitor.Get(name),
                onError is null ? null : (item, error) => onError(sp, item, error),
                onDropped is null ? null : item => onDropped(sp, item));
            OptionsReload.Watch(monitor, name, static o => o.Workers, () => pool.Workers, pool.SetWorkerCount);
            return pool;
        });
        services.AddSingleton<IHostedService>(sp => new WorkerPoolHostedService<T>(sp.GetRequiredKeyedService<WorkerPool<T>>(name)));

        var builder = services.AddOptions<WorkerPoolOptions>(name)
            .PostConfigure(options => options.Name = name)
            .ValidateOnStart();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        return builder;
    }
}
