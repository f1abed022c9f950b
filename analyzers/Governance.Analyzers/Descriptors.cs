using Microsoft.CodeAnalysis;

namespace Governance.Analyzers;

/// <summary>
/// Every rule's descriptor in one place, so that the documentation test can check titles and help links against
/// docs/rules without instantiating analyzers.
/// </summary>
internal static class Descriptors
{
    private const string HelpLinkBase = "https://github.com/governance-dotnet/governance/blob/main/docs/rules/";

    public static readonly DiagnosticDescriptor UnboundedSpawnInLoop = Create(
        DiagnosticIds.UnboundedSpawnInLoop,
        DiagnosticCategories.Tasks,
        DiagnosticSeverity.Warning,
        title: "Unbounded fire-and-forget spawn in a loop",
        messageFormat: "{0} inside {1} starts {2}",
        description: "A task or thread started per iteration that nobody bounds or awaits grows with the input: under load the process runs out of threads, memory or downstream connections. Await it, bound it with a limiter, or use Parallel.ForEachAsync.");

    public static readonly DiagnosticDescriptor UnboundedFanOut = Create(
        DiagnosticIds.UnboundedFanOut,
        DiagnosticCategories.Tasks,
        DiagnosticSeverity.Info,
        title: "Unbounded fan-out awaited together",
        messageFormat: "{0} waits for one task per item of '{1}', all started at once with no bound on concurrency",
        description: "Every task is awaited, but all of them start at once: fine for ten items, an outage for fifty thousand. Bound the concurrency with Parallel.ForEachAsync or a limiter.");

    public static readonly DiagnosticDescriptor BackgroundLoopWithoutExit = Create(
        DiagnosticIds.BackgroundLoopWithoutExit,
        DiagnosticCategories.Tasks,
        DiagnosticSeverity.Warning,
        title: "Background loop with no exit",
        messageFormat: "'{0}' in {1} has no way out: nothing breaks, returns or throws out of it, it observes no cancellation token, and it awaits nothing that ends when its owner stops",
        description: "A background loop that nothing can end runs until the process dies: its owner cannot stop it on shutdown, on disposal or when the request that started it ends. Observe a cancellation token in the loop, or give it an exit.");

    /// <remarks>
    /// Info by default: with a token the loop stops, and PeriodicTimer is an improvement. A polling delay with no token
    /// is reported as a Warning (the effective severity of that diagnostic), because then nothing can end the wait.
    /// </remarks>
    public static readonly DiagnosticDescriptor PollingWithDelay = Create(
        DiagnosticIds.PollingWithDelay,
        DiagnosticCategories.Tasks,
        DiagnosticSeverity.Info,
        title: "Polling with Task.Delay in a loop",
        messageFormat: "{0}",
        description: "A long-lived loop that waits with Task.Delay creates a timer per iteration and drifts by the duration of its work; without a cancellation token the wait cannot be ended, so stopping the loop waits out the delay. PeriodicTimer keeps one timer for the loop's lifetime, does not drift, and stops with its token.");

    public static readonly DiagnosticDescriptor TimerNeverDisposed = Create(
        DiagnosticIds.TimerNeverDisposed,
        DiagnosticCategories.Timers,
        DiagnosticSeverity.Warning,
        title: "Timer is never disposed",
        messageFormat: "{0}",
        description: "A timer that is never disposed or stopped keeps firing for the life of the process and keeps its callback, and everything the callback references, alive.");

    public static readonly DiagnosticDescriptor TimerNotReferenced = Create(
        DiagnosticIds.TimerNotReferenced,
        DiagnosticCategories.Timers,
        DiagnosticSeverity.Warning,
        title: "Timer is not referenced",
        messageFormat: "The {0} created here is not stored anywhere: nobody can ever stop it, and the garbage collector may collect it and silently stop it firing",
        description: "A timer that nobody references can never be stopped, and a System.Threading.Timer nobody references may be garbage-collected at any time, after which it silently stops firing. Store it in a field and dispose it.");

    public static readonly DiagnosticDescriptor ChannelNeverRead = Create(
        DiagnosticIds.ChannelNeverRead,
        DiagnosticCategories.Channels,
        DiagnosticSeverity.Warning,
        title: "Channel is written but never read",
        messageFormat: "Channel '{0}' is written but its Reader is never used in '{1}': writers block when it is full, or its buffer grows forever",
        description: "A channel that is written but never read either blocks its writers forever (bounded) or grows without limit (unbounded).");

    public static readonly DiagnosticDescriptor UnboundedChannel = Create(
        DiagnosticIds.UnboundedChannel,
        DiagnosticCategories.Channels,
        DiagnosticSeverity.Info,
        title: "Unbounded channel outlives its method",
        messageFormat: "Unbounded channel {0}: it has no backpressure, so when its reader slows down or stops, memory grows without bound",
        description: "An unbounded channel that outlives the method creating it has no backpressure: when its reader slows down, or dies while writers go on, memory grows until the process runs out. Use a bounded channel that makes writers wait.");

    public static readonly DiagnosticDescriptor ChannelNeverCompleted = Create(
        DiagnosticIds.ChannelNeverCompleted,
        DiagnosticCategories.Channels,
        DiagnosticSeverity.Info,
        title: "Channel is read but never completed",
        messageFormat: "Channel '{0}' is read until it completes, but its Writer is never completed in '{1}': the reading loop can only end by cancellation",
        description: "A loop that reads a channel until it completes never ends when nobody calls Writer.Complete(): the reading task waits forever. Complete the writer when production ends, or observe a cancellation token in the read loop.");

    public static readonly DiagnosticDescriptor HttpClientPerOperation = Create(
        DiagnosticIds.HttpClientPerOperation,
        DiagnosticCategories.Http,
        DiagnosticSeverity.Warning,
        title: "HttpClient created per operation",
        messageFormat: "{0} creates a new HttpClient {1} and drops it: every client opens its own connections, and under load the process runs out of sockets",
        description: "An HttpClient created, used and dropped per call opens new connections every time, and each closed connection holds its socket for minutes: under load the process runs out of sockets. Share one client (a static field), or create clients with IHttpClientFactory, which pools their handlers.");

    public static readonly DiagnosticDescriptor HttpCallWithoutTimeout = Create(
        DiagnosticIds.HttpCallWithoutTimeout,
        DiagnosticCategories.Http,
        DiagnosticSeverity.Warning,
        title: "HTTP call with no time bound",
        messageFormat: "HttpClient '{0}' never times out ({1}), and its '{2}' call at {3} passes no CancellationToken: a server that never answers holds the call, and everything awaiting it, forever",
        description: "An HttpClient whose Timeout is infinite bounds a request only by the token it is given. A send with no token, or with CancellationToken.None, waits for a hung server forever, and so does everything awaiting it. Set a finite Timeout, or pass every send a token that fires.");
    public static readonly DiagnosticDescriptor LinkedSourceNeverDisposed = Create(
        DiagnosticIds.LinkedSourceNeverDisposed,
        DiagnosticCategories.Cancellation,
        DiagnosticSeverity.Warning,
        title: "Linked CancellationTokenSource is never disposed",
        messageFormat: "{0}",
        description: "CreateLinkedTokenSource registers a callback on every parent token, and only Dispose removes it (Cancel does not). A linked source that is never disposed stays registered, with everything registered on its own token, until the parent is cancelled: on an application-lifetime parent, one more registration per call.");

    public static readonly DiagnosticDescriptor TimerSourceNeverDisposed = Create(
        DiagnosticIds.TimerSourceNeverDisposed,
        DiagnosticCategories.Cancellation,
        DiagnosticSeverity.Warning,
        title: "CancellationTokenSource with a timer is never disposed",
        messageFormat: "{0}",
        description: "A CancellationTokenSource created with a delay, or given one by CancelAfter, holds a timer that roots the source, and every callback registered on its token, until it fires. Dispose (or cancel) it when the operation it bounds is over.");

    private static DiagnosticDescriptor Create(string id, string category, DiagnosticSeverity severity, string title, string messageFormat, string description)
        => new(id, title, messageFormat, category, severity, isEnabledByDefault: true, description, HelpLinkBase + id + ".md");
}
