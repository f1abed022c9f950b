using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace Governance;

/// <summary>
/// Settings of a <see cref="TickerStateMachine{TEvent}"/>, passed to its base constructor. They are validated and copied
/// when the machine is created.
/// </summary>
/// <remarks>
/// <see cref="Period"/> has no default: a ticker without a period is a mistake, and the constructor says so. The other
/// settings default to a queue of 1,024 events, the system clock, and a loop that goes on after a handler fails.
/// </remarks>
public sealed class TickerStateMachineOptions
{
    /// <summary>The time between two ticks. Must be positive and at most 49 days; there is no default.</summary>
    public TimeSpan Period { get; set; }

    /// <summary>
    /// How many posted events may wait for the loop. A full queue makes <see cref="TickerStateMachine{TEvent}.Post"/>
    /// return <see langword="false"/> and <see cref="TickerStateMachine{TEvent}.PostAsync"/> wait for space. Must be
    /// greater than zero; defaults to 1,024.
    /// </summary>
    public int EventCapacity { get; set; } = 1024;

    /// <summary>
    /// The name used in metrics tags, log messages and exception messages. When <see langword="null"/> (the default),
    /// the name of the derived machine's type.
    /// </summary>
    public string? Name { get; set; }

    /// <summary>The source of time for the ticks. Defaults to <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Whether a handler failure stops the machine. When <see langword="false"/> (the default) a failure is reported
    /// and the loop goes on with the next tick or event. When <see langword="true"/> the loop stops after reporting it,
    /// the events still queued are abandoned, and the failure surfaces from
    /// <see cref="TickerStateMachine.StopAsync"/> and <see cref="TickerStateMachine.Completion"/>.
    /// </summary>
    public bool StopOnError { get; set; }

    /// <summary>Where handler failures are logged; when <see langword="null"/> (the default) they are not logged.</summary>
    public ILogger? Logger { get; set; }

    /// <summary>
    /// The factory that creates the <c>Governance</c> meter; when <see langword="null"/>, a process-wide meter is used.
    /// Pass the application's <see cref="IMeterFactory"/> to keep metrics scoped to a DI container.
    /// </summary>
    public IMeterFactory? MeterFactory { get; set; }

    // The largest period a System.Threading timer accepts (0xFFFFFFFE ms).
    private const double MaxTimerMilliseconds = 4294967294;

    /// <summary>The first problem with these options, as the exception the machine throws for it; <see langword="null"/> when valid.</summary>
    /// <remarks>Shared by the constructor and the DI validator, so both report the same message.</remarks>
    internal ArgumentException? Validate()
    {
        if (ValidatePeriod(Period, "options") is { } invalidPeriod)
        {
            return invalidPeriod;
        }

        if (EventCapacity <= 0)
        {
            return new ArgumentOutOfRangeException("options", EventCapacity, "TickerStateMachineOptions.EventCapacity must be greater than zero.");
        }

        if (TimeProvider is null)
        {
            return new ArgumentException("TickerStateMachineOptions.TimeProvider must not be null.", "options");
        }

        return null;
    }

    /// <summary>The problem with <paramref name="period"/> as a ticker's period, or <see langword="null"/> when it is valid.</summary>
    internal static ArgumentOutOfRangeException? ValidatePeriod(TimeSpan period, string parameterName) =>
        period <= TimeSpan.Zero || period.TotalMilliseconds > MaxTimerMilliseconds
            ? new ArgumentOutOfRangeException(parameterName, period, "TickerStateMachineOptions.Period must be positive and at most 49 days.")
            : null;
}
