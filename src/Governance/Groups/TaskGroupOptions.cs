using System.Diagnostics.Metrics;

namespace Governance;

/// <summary>Settings of a <see cref="TaskGroup"/>. They are validated and copied when the group is created.</summary>
public sealed class TaskGroupOptions
{
    /// <summary>The most units of work the group runs at once. Must be greater than zero; there is no default.</summary>
    public int MaxConcurrency { get; set; }

    /// <summary>The name used in metrics tags (as a limiter name) and diagnostics. Defaults to <c>"taskgroup"</c>.</summary>
    public string Name { get; set; } = "taskgroup";

    /// <summary>
    /// The source of time for the ages the task census shows (<see cref="TaskCensus"/>). Defaults to
    /// <see cref="TimeProvider.System"/>.
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>The factory that creates the <c>Governance</c> meter; when <see langword="null"/>, a process-wide meter is used.</summary>
    public IMeterFactory? MeterFactory { get; set; }

    /// <summary>The first problem with these options, as the exception the group throws for it; <see langword="null"/> when valid.</summary>
    internal ArgumentException? Validate() =>
        MaxConcurrency <= 0
            ? new ArgumentOutOfRangeException("options", MaxConcurrency, "TaskGroupOptions.MaxConcurrency (maxConcurrency) must be greater than zero.")
            : TimeProvider is null
                ? new ArgumentException("TaskGroupOptions.TimeProvider must not be null.", "options")
                : null;
}
