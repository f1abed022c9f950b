using Microsoft.AspNetCore.Http;

namespace Governance.AspNetCore;

/// <summary>What <see cref="TaskLimiterMiddlewareOptions.OnRejected"/> is told about a rejected request.</summary>
/// <param name="httpContext">The request; its status code and <c>Retry-After</c> header are already set.</param>
/// <param name="policyName">The policy whose limiter rejected the request.</param>
/// <param name="reason">Why it was rejected.</param>
public sealed class TaskLimiterRejectedContext(HttpContext httpContext, string policyName, LimiterRejectionReason reason)
{
    /// <summary>The request; its status code and <c>Retry-After</c> header are already set, its body is not written.</summary>
    public HttpContext HttpContext { get; } = httpContext;

    /// <summary>The policy whose limiter rejected the request.</summary>
    public string PolicyName { get; } = policyName;

    /// <summary>Why the request was rejected.</summary>
    public LimiterRejectionReason Reason { get; } = reason;
}
