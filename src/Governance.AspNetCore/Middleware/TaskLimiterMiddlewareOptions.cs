using Microsoft.AspNetCore.Http;

namespace Governance.AspNetCore;

/// <summary>Settings of the request-limiting middleware (<c>app.UseTaskLimiter()</c>).</summary>
/// <remarks>Configure with <c>services.Configure&lt;TaskLimiterMiddlewareOptions&gt;(o =&gt; ...)</c>.</remarks>
public sealed class TaskLimiterMiddlewareOptions
{
    /// <summary>
    /// The policy (a limiter registered with <c>services.AddTaskLimiter(name, ...)</c>) every request holds a slot of,
    /// before any endpoint policy. <see langword="null"/> (the default): only endpoints with a policy are limited.
    /// </summary>
    public string? GlobalPolicy { get; set; }

    /// <summary>The status code of a rejected request. Defaults to 503 Service Unavailable.</summary>
    public int RejectionStatusCode { get; set; } = StatusCodes.Status503ServiceUnavailable;

    /// <summary>
    /// The <c>Retry-After</c> sent with a rejection, rounded up to whole seconds. Defaults to one second;
    /// <see langword="null"/> sends none.
    /// </summary>
    public TimeSpan? RetryAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Called for each rejected request after the status code and <c>Retry-After</c> are set; it may write a body.</summary>
    public Func<TaskLimiterRejectedContext, ValueTask>? OnRejected { get; set; }

    /// <summary>
    /// The request header through which a trusted caller (a service mesh, say) lowers the limit for the requests it
    /// sends — the article's <c>X-Goroutine-Limit</c>. Defaults to <c>X-Concurrency-Limit</c>.
    /// </summary>
    public string LimitHeaderName { get; set; } = "X-Concurrency-Limit";

    /// <summary>
    /// Decides whether a request comes from a source whose limit header is honoured. <see langword="null"/> (the
    /// default) trusts nobody: the header is ignored. Typical predicates check the peer address of the mesh sidecar
    /// or a client certificate — never a value the caller controls, such as another header.
    /// </summary>
    public Func<HttpContext, bool>? IsTrustedSource { get; set; }

    /// <summary>
    /// How many distinct header limits one policy keeps at a time (each is a small limiter). When all are in use, a
    /// request with yet another value runs under the policy's own limit and the header is ignored. Defaults to 8.
    /// </summary>
    public int MaxHeaderLimitsPerPolicy { get; set; } = 8;
}
