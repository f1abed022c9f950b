using System.Diagnostics.Metrics;
using Governance;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the thread-pool dispatch-delay probe.</summary>
public static class ThreadPoolDispatchProbeServiceCollectionExtensions
{
    /// <summary>
    /// Registers a <see cref="ThreadPoolDispatchProbe"/> as a singleton and a hosted service that runs it for the life of
    /// the host; it publishes <c>governance.threadpool.dispatch_delay</c> on the container's <see cref="IMeterFactory"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the probe's options (interval, window). Optional.</param>
    /// <returns>The options builder, to bind configuration (<c>.BindConfiguration("Governance:DispatchProbe")</c>).</returns>
    /// <remarks>Registering it twice registers one probe. Invalid options fail when the host starts.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static OptionsBuilder<ThreadPoolDispatchProbeOptions> AddThreadPoolDispatchProbe(
        this IServiceCollection services, Action<ThreadPoolDispatchProbeOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<ThreadPoolDispatchProbeOptions>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder.Validate(static o => o.Validate() is null, "ThreadPoolDispatchProbeOptions are invalid: Interval must be positive and finite, Window at least 1, TimeProvider set.")
            .ValidateOnStart();
        services.TryAddSingleton(static sp =>
        {
            var options = sp.GetRequiredService<IOptions<ThreadPoolDispatchProbeOptions>>().Value;
            return new ThreadPoolDispatchProbe(new ThreadPoolDispatchProbeOptions
            {
                Interval = options.Interval,
                Window = options.Window,
                TimeProvider = options.TimeProvider,
                MeterFactory = options.MeterFactory ?? sp.GetService<IMeterFactory>(),
            });
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, DispatchProbeHostedService>());
        return builder;
    }

    // A distinct type, so that TryAddEnumerable keeps one registration however often the probe is added.
    private sealed class DispatchProbeHostedService(ThreadPoolDispatchProbe probe) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => probe.StartAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => probe.StopAsync(cancellationToken);
    }
}
