using Governance;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="TickerStateMachine{TEvent}"/> machines that run for the life of the host.</summary>
public static class TickerStateMachineServiceCollectionExtensions
{
    /// <summary>
    /// Registers <typeparamref name="TMachine"/> as a singleton, and a hosted service that starts it when the host
    /// starts and stops it when the host stops.
    /// </summary>
    /// <typeparam name="TMachine">The machine; its constructor's parameters are resolved from the container.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <remarks>
    /// Inject <typeparamref name="TMachine"/> where events are posted. Registering the same type twice registers it
    /// once. The host's shutdown timeout bounds how long the stop drains queued events (see
    /// <see cref="TickerStateMachine.StopAsync"/>). The container disposes the machine; it is
    /// <see cref="IAsyncDisposable"/> only, so dispose the service provider with <c>DisposeAsync</c>, as the host does.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static IServiceCollection AddTickerStateMachine<TMachine>(this IServiceCollection services)
        where TMachine : TickerStateMachine
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<TMachine>();
        return AddHostedMachine<TMachine>(services);
    }

    /// <summary>
    /// Registers the machine that <paramref name="factory"/> creates as a singleton, and a hosted service that starts
    /// it when the host starts and stops it when the host stops.
    /// </summary>
    /// <typeparam name="TMachine">The machine's type.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="factory">Creates the machine, once.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <remarks>See <see cref="AddTickerStateMachine{TMachine}(IServiceCollection)"/>.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="factory"/> is <see langword="null"/>.</exception>
    public static IServiceCollection AddTickerStateMachine<TMachine>(this IServiceCollection services, Func<IServiceProvider, TMachine> factory)
        where TMachine : TickerStateMachine
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(factory);
        services.TryAddSingleton(factory);
        return AddHostedMachine<TMachine>(services);
    }

    private static IServiceCollection AddHostedMachine<TMachine>(IServiceCollection services)
        where TMachine : TickerStateMachine
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, TickerStateMachineHostedService<TMachine>>());
        return services;
    }
}
