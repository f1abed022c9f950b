namespace Governance.Cli;

/// <summary>The command's exit codes.</summary>
internal static class ExitCodes
{
    /// <summary>No finding at or above <c>--fail-on</c>.</summary>
    internal const int Clean = 0;

    /// <summary>Findings at or above <c>--fail-on</c>.</summary>
    internal const int Findings = 1;

    /// <summary>A usage or load error, reported in one line.</summary>
    internal const int UsageError = 2;

    /// <summary><c>governance watch --exit-on-alert</c>: an <c>--alert</c> rule fired.</summary>
    internal const int Alert = 3;
}
