namespace Governance;

/// <summary>Records that a limiter was registered under a name, so that health checks can find every limiter.</summary>
internal sealed record TaskLimiterRegistration(string Name);
