namespace Governance.AspNetCore;

/// <summary>
/// Puts an endpoint (a controller or an action) under the named limiter policy: requests to it hold a slot of the
/// <see cref="TaskLimiter"/> registered under <see cref="PolicyName"/> (<c>services.AddTaskLimiter(name, ...)</c>).
/// </summary>
/// <remarks>For minimal APIs use <c>.RequireTaskLimit("orders")</c>. The most specific attribute wins.</remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class TaskLimitAttribute : Attribute
{
    /// <summary>Puts the endpoint under the limiter registered as <paramref name="policyName"/>.</summary>
    /// <param name="policyName">The name the limiter was registered under.</param>
    public TaskLimitAttribute(string policyName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(policyName);
        PolicyName = policyName;
    }

    /// <summary>The name of the limiter policy.</summary>
    public string PolicyName { get; }
}
