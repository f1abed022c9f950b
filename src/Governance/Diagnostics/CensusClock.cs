namespace Governance;

/// <summary>
/// The clock of census ages. With <see cref="TimeProvider.System"/> it is <see cref="Environment.TickCount64"/>
/// (milliseconds, a couple of nanoseconds to read, where a precise timestamp costs tens of nanoseconds on a VM): a
/// census age needs no finer grain, and the census must cost next to nothing per unit. Any other provider (a fake
/// one in tests) is asked for its own timestamps, so that its ages are exact.
/// </summary>
internal static class CensusClock
{
    internal static long Now(TimeProvider time) =>
        ReferenceEquals(time, TimeProvider.System) ? Environment.TickCount64 : time.GetTimestamp();

    internal static TimeSpan Age(TimeProvider time, long since) =>
        ReferenceEquals(time, TimeProvider.System)
            ? TimeSpan.FromMilliseconds(Math.Max(0, Environment.TickCount64 - since))
            : time.GetElapsedTime(since);
}
