// The target of governance watch's tests: one TaskLimiter ("target", one slot, a queue of 100) under a load set by
// commands on stdin, one per line:
//   load none    no work
//   load light   2 callers, each holding the slot 2 ms: queue waits of a few milliseconds
//   load heavy   4 callers, each holding the slot 300 ms: queue waits near a second
//   exit         (or the end of stdin) ends the process
// It prints "ready <pid>" once the limiter (and so its meter) exists, and "load <name>" once a load is running.
using Governance;

using var limiter = new TaskLimiter(new TaskLimiterOptions { Name = "target", MaxConcurrency = 1, QueueLimit = 100 });
await limiter.RunAsync(_ => Task.CompletedTask);
Console.WriteLine($"ready {Environment.ProcessId}");

CancellationTokenSource? running = null;
var workers = new List<Task>();
while (Console.ReadLine() is { } line)
{
    var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    if (words is ["exit"])
    {
        break;
    }

    if (words is not ["load", var name])
    {
        Console.WriteLine($"unknown command: {line}");
        continue;
    }

    (int Callers, TimeSpan Hold)? load = name switch
    {
        "none" => (0, TimeSpan.Zero),
        "light" => (2, TimeSpan.FromMilliseconds(2)),
        "heavy" => (4, TimeSpan.FromMilliseconds(300)),
        _ => null,
    };
    if (load is not { } l)
    {
        Console.WriteLine($"unknown load: {name}");
        continue;
    }

    if (running is not null)
    {
        await running.CancelAsync();
        await Task.WhenAll(workers).ContinueWith(_ => { }, TaskScheduler.Default);
        running.Dispose();
        workers.Clear();
    }

    running = new CancellationTokenSource();
    for (var i = 0; i < l.Callers; i++)
    {
        workers.Add(CallAsync(limiter, l.Hold, running.Token));
    }

    Console.WriteLine($"load {name}");
}

if (running is not null)
{
    await running.CancelAsync();
    await Task.WhenAll(workers).ContinueWith(_ => { }, TaskScheduler.Default);
    running.Dispose();
}

static async Task CallAsync(TaskLimiter limiter, TimeSpan hold, CancellationToken cancellationToken)
{
    while (!cancellationToken.IsCancellationRequested)
    {
        try
        {
            await limiter.RunAsync(token => Task.Delay(hold, token), cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }
    }
}
