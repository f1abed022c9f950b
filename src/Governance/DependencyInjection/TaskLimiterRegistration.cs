namespace Governance;

/// <summary>
/// Records that a <see cref="TaskLimiter"/> was registered under a name (<c>services.AddTaskLimiter(name, ...)</c>), so
/// that code which needs every limiter — health checks, say — can find them: resolve
/// <c>IEnumerable&lt;TaskLimiterRegistration&gt;</c>, then each limiter with <c>GetRequiredKeyedService&lt;TaskLimiter&gt;(Name)</c>.
/// </summary>
/// <remarks>One instance per registration; a name registered twice appears twice.</remarks>
public sealed class TaskLimiterRegistration
{
    internal TaskLimiterRegistration(string name) => Name = name;

    /// <summary>The name the limiter was registered under, which is also its service key.</summary>
    public string Name { get; }
}
