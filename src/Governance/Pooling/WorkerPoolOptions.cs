using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace Governance;

/// <summary>Settings of a <see cref="WorkerPool{T}"/>. They are validated and copied when the pool is created.</summary>
public sealed class WorkerPoolOptions
{
    /// <summary>How many workers drain the queue. Must be greater than zero; there is no default. Change it at run time with <see cref="WorkerPool{T}.SetWorkerCount"/>.</summary>
    public int Workers { get; set; }

    /// <summary>How many items may wait in the queue. Must be greater than zero; there is no default.</summary>
    public int Capacity { get; set; }

    /// <summary>What happens to a new item when the queue is full. Defaults to <see cref="WorkerPoolFullMode.Wait"/>.</summary>
    public WorkerPoolFullMode FullMode { get; set; } = WorkerPoolFullMode.Wait;

    /// <summary>The name used in metrics tags, log messages and exceptions. Defaults to <c>"workerpool"</c>.</summary>
    public string Name { get; set; } = "workerpool";

    /// <summary>The source of time for queue-wait measurements. Defaults to <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>The factory that creates the <c>Governance</c> meter; when <see langword="null"/>, a process-wide meter is used.</summary>
    public IMeterFactory? MeterFactory { get; set; }

    /// <summary>Where handler failures are logged (as errors, with the pool's name). Optional.</summary>
    public ILogger? Logger { get; set; }

    /// <summary>The first problem with these options, as the exception the pool throws for it; <see langword="null"/> when valid.</summary>
    /// <remarks>Shared by the constructor and the DI validator, so both report the same message.</remarks>
    internal ArgumentException? Validate()
    {
        if (Workers <= 0)
        {
            return new ArgumentOutOfRangeException("options", Workers, "WorkerPoolOptions.Workers must be greater than zero.");
        }

        if (Capacity <= 0)
        {
            return new ArgumentOutOfRangeException("options", Capacity, "WorkerPoolOptions.Capacity must be greater than zero.");
        }

        if (!Enum.IsDefined(FullMode))
        {
            return new ArgumentOutOfRangeException("options", FullMode, "WorkerPoolOptions.FullMode is not a WorkerPoolFullMode value.");
        }

        if (Name is null || TimeProvider is null)
        {
            return new ArgumentException(
                Name is null ? "WorkerPoolOptions.Name must not be null." : "WorkerPoolOptions.TimeProvider must not be null.", "options");
        }

        return null;
    }
}
