namespace Governance.Cli.Scanning;

/// <summary>What a scan found, and what it cost.</summary>
internal sealed record ScanResult(
    string Root, int Files, long Lines, long DurationMs, int AnalyzerExceptions, IReadOnlyList<Finding> Diagnostics);
