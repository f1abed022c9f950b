namespace Governance.Cli.Diagnosis;

/// <summary>
/// The process to look at cannot be looked at: it does not exist, it is not .NET, its runtime is too old, or the OS
/// refuses to let us attach. The message is one line for the user; the command exits with <see cref="ExitCodes.UsageError"/>.
/// </summary>
internal sealed class TargetProcessException : Exception
{
    public TargetProcessException(string message)
        : base(message)
    {
    }

    public TargetProcessException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public TargetProcessException()
    {
    }
}
