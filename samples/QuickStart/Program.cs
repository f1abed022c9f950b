// The TaskLimiter quick start. README.md shows the part between the snippet markers, and a test keeps the two equal.
// Run it: dotnet run --project samples/QuickStart

// begin-snippet: quickstart
using Governance;

// The GoroutineLimiter: at most 20 calls in flight, at most 200 callers waiting, each for at most 100 ms.
await using var limiter = new TaskLimiter(new TaskLimiterOptions
{
    Name = "payments-api",
    MaxConcurrency = 20,
    QueueLimit = 200,
    QueueTimeout = TimeSpan.FromMilliseconds(100),
});

// A burst of 500 requests. RunAsync holds a slot while the call runs and gives it back however the call ends;
// callers that cannot get a slot in time are rejected with a reason instead of piling up.
var results = await Task.WhenAll(Enumerable.Range(0, 500).Select(async order =>
{
    try
    {
        return await limiter.RunAsync(ct => ChargeAsync(order, ct), CancellationToken.None);
    }
    catch (LimiterRejectedException ex)
    {
        return $"rejected: {ex.Reason}";
    }
}));

// The explicit form: a lease that holds the slot until disposed.
using (await limiter.AcquireAsync(CancellationToken.None))
{
    await ChargeAsync(order: 500, CancellationToken.None);
}

var statistics = limiter.GetStatistics();
Console.WriteLine($"admitted {statistics.TotalAdmitted}, rejected {statistics.TotalRejected} " +
    $"(queue full {statistics.RejectedQueueFull}, queue timeout {statistics.RejectedQueueTimeout}), in flight now {statistics.InFlight}");
foreach (var group in results.GroupBy(r => r).OrderBy(g => g.Key))
{
    Console.WriteLine($"{group.Count(),5} × {group.Key}");
}

// A downstream call that takes 20 ms.
static async Task<string> ChargeAsync(int order, CancellationToken cancellationToken)
{
    await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
    return "charged";
}
// end-snippet
