using Microsoft.Extensions.Hosting;

namespace Governance;

/// <summary>Starts a <see cref="TickerStateMachine"/> with the host and stops it with the host.</summary>
/// <typeparam name="TMachine">
/// The machine's type. Generic so that each machine type gets its own hosted-service type: the host registers hosted
/// services with TryAddEnumerable, which would keep only the first of several registrations of one type.
/// </typeparam>
/// <remarks>
/// The host's stop token is the machine's: when the host's shutdown timeout passes, the running handler's token fires
/// and the queued events are abandoned (see <see cref="TickerStateMachine.StopAsync"/>). A failure that stopped the
/// machine (<see cref="TickerStateMachineOptions.StopOnError"/>) surfaces from the host's StopAsync. The container, not
/// this adapter, disposes the machine.
/// </remarks>
internal sealed class TickerStateMachineHostedService<TMachine>(TMachine machine) : IHostedService
    where TMachine : TickerStateMachine
{
    public Task StartAsync(CancellationToken cancellationToken) => machine.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => machine.StopAsync(cancellationToken);
}
