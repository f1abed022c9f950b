namespace Governance;

/// <summary>Where a <see cref="LeaseTicket"/> stands while its owner waits; changed only under the limiter's lock.</summary>
internal enum WaiterState : byte
{
    None = 0,
    Queued,
    Granted,
    TimedOut,
    Canceled,
    Rejected,
}
