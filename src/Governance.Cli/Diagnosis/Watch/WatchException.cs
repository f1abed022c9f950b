namespace Governance.Cli.Diagnosis.Watch;

/// <summary>A failure to watch a process (none with that id, no diagnostics connection, a runtime too old), said in one line.</summary>
internal sealed class WatchException : Exception
{
    public WatchException()
    {
    }

    public WatchException(string message)
        : base(message)
    {
    }

    public WatchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
