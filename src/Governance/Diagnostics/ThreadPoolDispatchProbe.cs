using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;

namespace Governance;

/// <summary>Settings of a <see cref="ThreadPoolDispatchProbe"/>. Validated and copied when the probe is created.</summary>
public sealed class ThreadPoolDispatchProbeOptions
{
    /// <summary>How often a work item is queued; greater than zero. Defaults to one second.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many recent delays the percentiles are computed over; at least 1. Defaults to 120 (two minutes at the default interval).</summary>
    public int Window { get; set; } = 120;

    /// <summary>The source of time for the interval. The delay itself is always measured on the real clock. Defaults to <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>The factory that creates the <c>Governance</c> meter; when <see langword="null"/>, a process-wide meter is used.</summary>
    public IMeterFactory? MeterFactory { get; set; }

    internal ArgumentException? Validate()
    {
        if (Interval <= TimeSpan.Zero || Interval == Timeout.InfiniteTimeSpan)
        {
            return new ArgumentOutOfRangeException("options", Interval, "ThreadPoolDispatchProbeOptions.Interval must be positive and finite.");
        }

        if (Window < 1)
        {
            return new ArgumentOutOfRangeException("options", Window, "ThreadPoolDispatchProbeOptions.Window must be at least 1.");
        }

        return TimeProvider is null ? new ArgumentException("ThreadPoolDispatchProbeOptions.TimeProvider must not be null.", "options") : null;
    }
}

/// <summary>
/// Measures the thread pool's dispatch delay — the time from queueing a work item to its start — by queueing one every
/// <see cref="ThreadPoolDispatchProbeOptions.Interval"/>. It is the .NET counterpart of the Go article's <c>newproc</c>
/// slow-path latency: it grows when the pool starves, long before CPU or request latency shows anything.
/// </summary>
/// <remarks>
/// <para>Each delay is recorded in the histogram <c>governance.threadpool.dispatch_delay</c> (seconds) and kept for
/// <see cref="GetPercentile"/>, which the health checks read. Alert on its P99 (the article pages above 1.5 ms for
/// <c>newproc</c>; a healthy pool dispatches in microseconds).</para>
/// <para>At most one probe is in flight: while the pool is so starved that the last one has not started, no other is
/// queued, and the late one records the whole wait when it finally runs. The timer that paces the probes also runs on
/// the pool, so under starvation the probes come late as well as slow.</para>
/// <para>Opt-in: register it with <c>services.AddThreadPoolDispatchProbe()</c> (a hosted service), or start it yourself.</para>
/// </remarks>
public sealed class ThreadPoolDispatchProbe : IHostedService, IAsyncDisposable
{
    private static readonly TimerCallback s_onTimer = static state => ((ThreadPoolDispatchProbe)state!).OnTimer();

    private readonly TimeSpan _interval;
    private readonly TimeProvider _timeProvider;
    private readonly Histogram<double> _histogram;
    private readonly Lock _lock = new();
    private readonly double[] _window;
    private int _next;
    private int _count;
    private int _inFlight;
    private long _samples;
    private ITimer? _timer;

    /// <summary>Creates a probe; it measures nothing until <see cref="StartAsync"/> (or a call to <see cref="ProbeOnceAsync"/>).</summary>
    /// <param name="options">The settings; validated and copied.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public ThreadPoolDispatchProbe(ThreadPoolDispatchProbeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { } invalid)
        {
            throw invalid;
        }

        _interval = options.Interval;
        _timeProvider = options.TimeProvider;
        _window = new double[options.Window];
        _histogram = DispatchDelayHistogram.For(MeterProvider.Get(options.MeterFactory));
    }

    /// <summary>How many delays have been measured.</summary>
    public long Samples => Interlocked.Read(ref _samples);

    /// <summary>Starts queueing a probe every interval.</summary>
    /// <param name="cancellationToken">Not used; starting never waits.</param>
    /// <returns>A completed task.</returns>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _timer ??= _timeProvider.CreateTimer(s_onTimer, this, _interval, _interval);
        }

        return Task.CompletedTask;
    }

    /// <summary>Stops queueing probes; one already queued still records its delay.</summary>
    /// <param name="cancellationToken">Not used; stopping never waits.</param>
    /// <returns>A completed task.</returns>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _timer?.Dispose();
            _timer = null;
        }

        return Task.CompletedTask;
    }

    /// <summary>Queues one work item now and returns its dispatch delay once it has started (recorded like every probe).</summary>
    /// <returns>The delay, measured on the real clock.</returns>
    public Task<TimeSpan> ProbeOnceAsync()
    {
        var probe = new Probe(this);
        probe.Queue();
        return probe.Completion.Task;
    }

    /// <summary>A percentile of the recent delays (the last <see cref="ThreadPoolDispatchProbeOptions.Window"/>).</summary>
    /// <param name="percentile">Between 0 and 1: 0.5 for the median, 0.99 for the P99.</param>
    /// <returns>The delay, or <see langword="null"/> before the first measurement.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="percentile"/> is not between 0 and 1.</exception>
    public TimeSpan? GetPercentile(double percentile)
    {
        if (double.IsNaN(percentile) || percentile < 0 || percentile > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "The percentile must be between 0 and 1 (0.99 for the P99).");
        }

        double[] recent;
        lock (_lock)
        {
            if (_count == 0)
            {
                return null;
            }

            recent = new double[_count];
            Array.Copy(_window, recent, _count);
        }

        Array.Sort(recent);

        // Nearest rank: the smallest value with at least that share of the samples at or below it.
        var rank = Math.Max(1, (int)Math.Ceiling(percentile * recent.Length));
        // Rounded to the nearest tick: FromSeconds truncates, and seconds * 10^7 may land a hair below the recorded tick.
        return TimeSpan.FromTicks((long)Math.Round(recent[rank - 1] * TimeSpan.TicksPerSecond));
    }

    /// <summary>Stops the probe.</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        StopAsync(CancellationToken.None);
        return default;
    }

    private void OnTimer()
    {
        // One probe in flight at most: a starved pool gets no pile of probes, and the late one measures the whole wait.
        if (Interlocked.CompareExchange(ref _inFlight, 1, 0) == 0)
        {
            new Probe(this) { Paced = true }.Queue();
        }
    }

    internal void Record(TimeSpan delay, bool paced)
    {
        var seconds = delay.TotalSeconds;
        lock (_lock)
        {
            _window[_next] = seconds;
            _next = (_next + 1) % _window.Length;
            _count = Math.Min(_count + 1, _window.Length);
        }

        Interlocked.Increment(ref _samples);
        if (paced)
        {
            Volatile.Write(ref _inFlight, 0);
        }

        // Last: whoever sees the measurement sees the probe done, and the next tick free to queue another.
        _histogram.Record(seconds);
    }

    private sealed class Probe(ThreadPoolDispatchProbe owner) : IThreadPoolWorkItem
    {
        private long _queuedAt;

        internal bool Paced { get; init; }

        internal TaskCompletionSource<TimeSpan> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        internal void Queue()
        {
            _queuedAt = Stopwatch.GetTimestamp();
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }

        public void Execute()
        {
            var delay = Stopwatch.GetElapsedTime(_queuedAt);
            owner.Record(delay, Paced);
            Completion.TrySetResult(delay);
        }
    }
}

/// <summary>The dispatch-delay histogram of one meter, shared by every probe publishing on it.</summary>
internal static class DispatchDelayHistogram
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Meter, Histogram<double>> s_byMeter = new();

    internal static Histogram<double> For(Meter meter) => s_byMeter.GetValue(meter, static m => m.CreateHistogram<double>(
        "governance.threadpool.dispatch_delay", "s", "Time from queueing a thread-pool work item to its start, measured by the dispatch probe.",
        tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.0005, 0.001, 0.0015, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5] }));
}
