namespace Governance.AspNetCore;

/// <summary>
/// Bounds concurrent outbound calls of one named HttpClient with a <see cref="TaskLimiter"/> (queue limit and queue
/// timeout included) and bounds each call in time — the cure for the article's root cause: calls with no timeout
/// piling up behind a slow dependency.
/// </summary>
/// <remarks>
/// The slot and the per-call timeout cover the call up to the response headers (what a handler sees); with
/// <c>HttpCompletionOption.ResponseContentRead</c>, HttpClient then buffers the body under its own
/// <c>Timeout</c>. A call that gets no slot throws <see cref="LimiterRejectedException"/>; one that runs past the
/// per-call timeout throws <see cref="TaskCanceledException"/> with an inner <see cref="TimeoutException"/>, as
/// HttpClient's own timeout does, so existing handling keeps working.
/// </remarks>
internal sealed class TaskLimiterHandler(TaskLimiter limiter, TimeSpan perCallTimeout, TimeProvider timeProvider) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var lease = await limiter.AcquireAsync(cancellationToken).ConfigureAwait(false);
        if (perCallTimeout == Timeout.InfiniteTimeSpan)
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        using var timeout = new CancellationTokenSource(perCallTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await base.SendAsync(request, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TaskCanceledException(
                $"The call to {request.RequestUri} did not complete within the per-call timeout of {perCallTimeout.TotalSeconds} s " +
                $"(limiter '{limiter.Name}').",
                new TimeoutException($"Per-call timeout of {perCallTimeout.TotalSeconds} s elapsed.", ex));
        }
    }
}
