using Microsoft.Extensions.Hosting;

namespace Governance;

/// <summary>Starts a registered pool with the host and drains it when the host stops.</summary>
internal sealed class WorkerPoolHostedService<T>(WorkerPool<T> pool) : IHostedService
{
    // Resolving the pool (in the constructor) is what starts its workers.
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await pool.CompleteAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The shutdown timeout ran out: cancel the handlers and drop what is left, counted and reported.
            await pool.DisposeAsync().ConfigureAwait(false);
        }
    }
}
