namespace Governance.Cli.Scanning;

/// <summary>A problem with the input (path not found, no C# files, unreadable file): exit code 2 with a one-line message.</summary>
internal sealed class ScanException(string message) : Exception(message);
