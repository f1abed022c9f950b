using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Governance;

/// <summary>
/// Starts a <see cref="TickerStateMachine"/> with the host, stops it with the host, and keeps its period in step with
/// the machine's named options while it runs.
/// </summary>
/// <typeparam name="TMachine">
/// The machine's type. Generic so that each machine type gets its own hosted-service type: the host registers hosted
/// services with TryAddEnumerable, which would keep only the first of several registrations of one type.
/// </typeparam>
/// <remarks>
/// The host's stop token is the machine's: when the host's shutdown timeout passes, the running handler's token fires
/// and the queued events are abandoned (see <see cref="TickerStateMachine.StopAsync"/>). A failure that stopped the
/// machine (<see cref="TickerStateMachineOptions.StopOnError"/>) surfaces from the host's StopAsync. The container, not
/// this adapter, disposes the machine. A configured <see cref="TickerStateMachineOptions.Period"/> of zero (not set)
/// leaves the period the machine's constructor gave.
/// </remarks>
internal sealed class TickerStateMachineHostedService<TMachine>(TMachine machine, IOptionsMonitor<TickerStateMachineOptions> options) : IHostedService
    where TMachine : TickerStateMachine
{
    private IDisposable? _reloads;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var name = TickerStateMachineServiceCollectionExtensions.OptionsName<TMachine>();
        ApplyPeriod(options.Get(name));
        _reloads = options.OnChange((changed, changedName) =>
        {
            if (changedName == name)
            {
                ApplyPeriod(changed);
            }
        });
        return machine.StartAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _reloads?.Dispose();
        return machine.StopAsync(cancellationToken);
    }

    private void ApplyPeriod(TickerStateMachineOptions configured)
    {
        // An invalid reload leaves the period as it was, as a limiter's or a pool's invalid reload leaves its size.
        if (configured.Period != TimeSpan.Zero && configured.Period != machine.Period
            && TickerStateMachineOptions.ValidatePeriod(configured.Period, nameof(configured)) is null)
        {
            machine.SetPeriod(configured.Period);
        }
    }
}
