namespace LeakyOrders;

/// <summary>Talks to the payment provider and reconciles settled payments.</summary>
public sealed class PaymentReconciler(ILogger<PaymentReconciler> logger)
{
    private static readonly HttpClient s_provider = new()
    {
        BaseAddress = new Uri("http://payments.invalid/"),

        // LEAK (GOV4002): no time bound at all, and the sends below pass no token: a hung provider holds every call.
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public async Task<string> GetStatusAsync(string paymentId, CancellationToken requestAborted)
    {
        // LEAK (GOV5001): linked to the request token and never disposed: its registration outlives the request.
        var linked = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);

        // LEAK (GOV4001): a new client (and new connections) per call; under load the process runs out of sockets.
        using var client = new HttpClient();
        try
        {
            return await client.GetStringAsync($"http://payments.invalid/status/{paymentId}", linked.Token);
        }
        catch (HttpRequestException ex)
        {
            logger.LogWarning(ex, "payment provider unreachable");
            return "unknown";
        }
    }

    // LEAK (GOV1003): a background loop nobody can stop — no token, no exit.
    public async Task ReconcileForeverAsync()
    {
        while (true)
        {
            try
            {
                var settled = await s_provider.GetStringAsync("settlements");
                logger.LogInformation("reconciled {Length} bytes", settled.Length);
            }
            catch (HttpRequestException)
            {
                logger.LogDebug("settlements unavailable");
            }

            await Task.Delay(TimeSpan.FromSeconds(5));
        }
    }

    public async Task<bool> TrySettleAsync(string paymentId)
    {
        // LEAK (GOV5002): a source with a timer, never disposed: the timer lives until it fires.
        var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            using var response = await s_provider.PostAsync($"settle/{paymentId}", content: null, timeout.Token);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}
