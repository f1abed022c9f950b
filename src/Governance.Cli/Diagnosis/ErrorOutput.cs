namespace Governance.Cli.Diagnosis;

/// <summary>Where the diagnosis commands write progress and one-line errors: stderr, so that stdout stays one report.</summary>
internal sealed record ErrorOutput(TextWriter Writer);
