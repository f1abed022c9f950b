namespace Governance.Cli.Scanning;

/// <summary>What a scan found, how it loaded the code, and what it cost.</summary>
/// <param name="FallbackReason">Why project mode fell back to source mode; <see langword="null"/> when it did not.</param>
/// <param name="Binding">How well source mode resolved the core types; <see langword="null"/> in project mode.</param>
/// <param name="LoadNotes">Project mode: the projects skipped and why, and the MSBuild messages counted.</param>
internal sealed record ScanResult(
    string Root,
    ScanMode Mode,
    string? FallbackReason,
    int Files,
    long Lines,
    long DurationMs,
    int AnalyzerExceptions,
    BindingReport? Binding,
    IReadOnlyList<Finding> Diagnostics,
    IReadOnlyList<string>? LoadNotes = null)
{
    /// <summary>The mode in one line, and why.</summary>
    internal string ModeDescription => LoadedCode.Describe(Mode, FallbackReason);

    /// <summary>What the reader must know to trust the result: what source mode assumed and where it was blind.</summary>
    internal IReadOnlyList<string> Notes => [.. LoadNotes ?? [], .. Binding?.Notes() ?? []];
}
