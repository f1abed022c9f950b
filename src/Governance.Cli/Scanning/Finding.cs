namespace Governance.Cli.Scanning;

/// <summary>One diagnostic reported by a Governance analyzer, located in the scanned tree.</summary>
/// <param name="Id">The rule ID, e.g. GOV1001.</param>
/// <param name="Severity">error, warning or info.</param>
/// <param name="Path">The file, relative to the scan root, with forward slashes.</param>
/// <param name="Line">1-based line of the diagnostic's start.</param>
/// <param name="Column">1-based column of the diagnostic's start.</param>
/// <param name="Message">The diagnostic's message.</param>
internal sealed record Finding(string Id, string Severity, string Path, int Line, int Column, string Message)
{
    /// <summary>Report order: by file, then position, then rule.</summary>
    internal static readonly Comparison<Finding> Order = static (a, b) =>
        (a.Path, a.Line, a.Column, a.Id).CompareTo((b.Path, b.Line, b.Column, b.Id));
}
