namespace Governance.AspNetCore;

/// <summary>Settings of the task census endpoint (<c>app.MapTaskDiagnostics("/debug/tasks")</c>).</summary>
public sealed class TaskDiagnosticsOptions
{
    /// <summary>
    /// The authorization policy a caller must satisfy to read the census. <see langword="null"/> (the default): only
    /// loopback callers are answered, and every other caller gets 404, as if nothing were mapped there. When set, the
    /// endpoint requires the policy (through <c>RequireAuthorization</c>, so <c>UseAuthorization()</c> must run) and
    /// answers any caller that satisfies it, from any address.
    /// </summary>
    /// <remarks>
    /// Behind a reverse proxy on the same host every request comes from loopback: run the forwarded-headers middleware
    /// before the endpoint, or give a policy.
    /// </remarks>
    public string? AuthorizationPolicy { get; set; }
}
