using Microsoft.AspNetCore.Http;

namespace Governance.AspNetCore;

/// <summary>What <see cref="TaskLimiterMiddlewareOptions.OnRejected"/> is told about a rejected request.</summary>
/// <remarks>
/// When this runs, the request has already given back every slot it took before the rejecting limiter; it holds none.
/// </remarks>
/// <param name="httpContext">The request; its status code and <c>Retry-After</c> header are already set.</param>
/// <param name="policyName">The policy whose limiter rejected the request.</param>
/// <param name="limiterName">The limiter that rejected it: the policy's own, or a header limiter named <c>{policy}:header-{limit}</c>.</param>
/// <param name="reason">Why it was rejected.</param>
public sealed class TaskLimiterRejectedContext(HttpContext httpContext, string policyName, string limiterName, LimiterRejectionReason reason)
{
    /// <summary>The request; its status code and <c>Retry-After</c> header are already set, its body is not written.</summary>
    public HttpContext HttpContext { get; } = httpContext;

    /// <summary>The policy whose limiter rejected the request.</summary>
    public string PolicyName { get; } = policyName;

    /// <summary>
    /// The limiter that rejected the request: the policy's own (named like the policy), or the header limiter that a
    /// trusted limit header asked for (named <c>{policy}:header-{limit}</c>).
    /// </summary>
    public string LimiterName { get; } = limiterName;

    /// <summary>Why the request was rejected.</summary>
    public LimiterRejectionReason Reason { get; } = reason;
}
