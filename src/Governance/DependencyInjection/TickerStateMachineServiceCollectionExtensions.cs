using Governance;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="TickerStateMachine{TEvent}"/> machines that run for the life of the host.</summary>
public static class TickerStateMachineServiceCollectionExtensions
{
    /// <summary>
    /// Registers <typeparamref name="TMachine"/> as a singleton, and a hosted service that starts it when the host
    /// starts, stops it when the host stops, and changes its period live when configuration reloads.
    /// </summary>
    /// <typeparam name="TMachine">The machine; its constructor's parameters are resolved from the container.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the machine's named options. Optional.</param>
    /// <returns>
    /// The options builder of the machine's named options (named after the machine type's full name), to bind
    /// configuration (<c>.BindConfiguration("Tickers:Reconciler")</c>) or add validation.
    /// </returns>
    /// <remarks>
    /// Inject <typeparamref name="TMachine"/> where events are posted. Registering the same type twice registers it
    /// once. The host's shutdown timeout bounds how long the stop drains queued events (see
    /// <see cref="TickerStateMachine.StopAsync"/>). The container disposes the machine; it is
    /// <see cref="IAsyncDisposable"/> only, so dispose the service provider with <c>DisposeAsync</c>, as the host does.
    /// <para><b>Reloads.</b> The machine's constructor gives its settings. Of the registered options, only
    /// <see cref="TickerStateMachineOptions.Period"/> is used: when set (not zero), it replaces the constructor's period
    /// when the host starts, and every reload that changes it calls <see cref="TickerStateMachine.SetPeriod"/>, so the
    /// next tick comes one new period later. An invalid period fails at start-up (<c>ValidateOnStart</c>); an invalid
    /// reload leaves the period as it was.</para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static OptionsBuilder<TickerStateMachineOptions> AddTickerStateMachine<TMachine>(
        this IServiceCollection services, Action<TickerStateMachineOptions>? configure = null)
        where TMachine : TickerStateMachine
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<TMachine>();
        return AddHostedMachine<TMachine>(services, configure);
    }

    /// <summary>
    /// Registers the machine that <paramref name="factory"/> creates as a singleton, and a hosted service that starts
    /// it when the host starts, stops it when the host stops, and changes its period live when configuration reloads.
    /// </summary>
    /// <typeparam name="TMachine">The machine's type.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="factory">Creates the machine, once.</param>
    /// <param name="configure">Sets the machine's named options. Optional.</param>
    /// <returns>The options builder of the machine's named options (named after the machine type's full name).</returns>
    /// <remarks>See <see cref="AddTickerStateMachine{TMachine}(IServiceCollection, Action{TickerStateMachineOptions})"/>.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="factory"/> is <see langword="null"/>.</exception>
    public static OptionsBuilder<TickerStateMachineOptions> AddTickerStateMachine<TMachine>(
        this IServiceCollection services, Func<IServiceProvider, TMachine> factory, Action<TickerStateMachineOptions>? configure = null)
        where TMachine : TickerStateMachine
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(factory);
        services.TryAddSingleton(factory);
        return AddHostedMachine<TMachine>(services, configure);
    }

    /// <summary>The name of the options a registered <typeparamref name="TMachine"/> follows.</summary>
    internal static string OptionsName<TMachine>() => typeof(TMachine).FullName ?? typeof(TMachine).Name;

    private static OptionsBuilder<TickerStateMachineOptions> AddHostedMachine<TMachine>(
        IServiceCollection services, Action<TickerStateMachineOptions>? configure)
        where TMachine : TickerStateMachine
    {
        var name = OptionsName<TMachine>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, TickerStateMachineHostedService<TMachine>>());

        // Only a configured period is checked: zero means "the machine's own", and the other settings come from its constructor.
        services.AddSingleton<IValidateOptions<TickerStateMachineOptions>>(new NamedOptionsValidator<TickerStateMachineOptions>(
            name, static o => o.Period == TimeSpan.Zero ? null : TickerStateMachineOptions.ValidatePeriod(o.Period, "options")));
        var builder = services.AddOptions<TickerStateMachineOptions>(name).ValidateOnStart();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        return builder;
    }
}
