namespace Governance.Cli.Scanning;

/// <summary>A solution or project could not be loaded with MSBuild (not restored, SDK missing, evaluation error): the scan falls back to source mode.</summary>
internal sealed class ProjectLoadException(string message) : Exception(message);
