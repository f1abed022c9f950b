namespace Governance.Analyzers;

/// <summary>One category per rule family, so that a team can raise or silence a whole family at once.</summary>
internal static class DiagnosticCategories
{
    public const string Tasks = "Governance.Tasks";
    public const string Timers = "Governance.Timers";
    public const string Channels = "Governance.Channels";
    public const string Http = "Governance.Http";
    public const string Cancellation = "Governance.Cancellation";
}
