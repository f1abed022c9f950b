using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;

namespace Governance.Cli.Diagnosis.Watch;

/// <summary>
/// An EventPipe session on another .NET process that listens to the <c>System.Diagnostics.Metrics</c> event source the way
/// dotnet-counters does, and hands over one <see cref="WatchInterval"/> per refresh interval.
/// </summary>
/// <remarks>
/// The session is the runtime's shared one (session id <c>SHARED</c>, plus a client id of our own): the event source
/// aggregates for one configuration at a time, and a second tool asking with the same refresh interval, time-series and
/// histogram limits joins it instead of being refused. dotnet-counters (and dotnet-monitor) ask with 1 s, 1,000 and 10,
/// so those are the defaults here; the meters each tool asks for are added together, so events of meters we did not ask
/// for are ignored. A tool that asks with other limits gets the runtime's MultipleSessionsConfiguredIncorrectly error, a
/// tool that does not share gets MultipleSessionsNotSupported: both are reported, one line each.
/// </remarks>
internal sealed class MetricsSession
{
    internal const string MetricsSourceName = "System.Diagnostics.Metrics";
    internal const string SharedSessionId = "SHARED";
    internal const int MaxTimeSeries = 1000;
    internal const int MaxHistograms = 10;

    // MetricsEventSource's keywords: 0x2 publishes the time series' values, 0x4 announces instruments as they appear.
    private const long TimeSeriesValuesKeyword = 0x2;
    private const long InstrumentPublishingKeyword = 0x4;

    private readonly HashSet<string> _meters;
    private readonly Dictionary<(string Meter, string Instrument), string> _units = [];
    private readonly TimeSpan _refreshInterval;
    private readonly string _clientId = Guid.NewGuid().ToString();
    private List<MetricPoint> _current = [];

    // .NET 8's runtime figures, from the System.Runtime EventCounters: the latest of each, added to the next interval
    // unless that interval has the System.Runtime meter's own figures.
    private readonly Dictionary<string, MetricPoint> _counterPoints = new(StringComparer.Ordinal);
    private bool _metricsIntervalSeen;
    private string? _refused;
    private Action? _stop;

    private MetricsSession(IEnumerable<string> meters, TimeSpan refreshInterval)
    {
        _meters = new HashSet<string>(meters, StringComparer.Ordinal);
        _refreshInterval = refreshInterval;
    }

    /// <summary>
    /// The arguments the metrics event source reads: the same the dotnet-counters family sends for a shared session.
    /// </summary>
    internal static Dictionary<string, string> Arguments(IEnumerable<string> meters, TimeSpan refreshInterval, string clientId) => new()
    {
        ["SessionId"] = SharedSessionId,
        ["ClientId"] = clientId,
        ["Metrics"] = string.Join(';', meters),
        ["RefreshInterval"] = refreshInterval.TotalSeconds.ToString(CultureInfo.InvariantCulture),
        ["MaxTimeSeries"] = MaxTimeSeries.ToString(CultureInfo.InvariantCulture),
        ["MaxHistograms"] = MaxHistograms.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// Watches <paramref name="pid"/> until <paramref name="cancellationToken"/> fires or the process exits, calling
    /// <paramref name="onInterval"/> (on the event thread) after each interval and <paramref name="onProblem"/> with a
    /// line for each error the event source reports.
    /// </summary>
    /// <exception cref="TargetProcessException">No such process, no diagnostics connection, or a runtime without the metrics source.</exception>
    internal static async Task RunAsync(
        int pid,
        IReadOnlyList<string> meters,
        TimeSpan refreshInterval,
        Action<WatchInterval> onInterval,
        Action<string> onProblem,
        CancellationToken cancellationToken)
    {
        TargetProcess.EnsureRunning(pid);
        var runtimeMajor = TargetProcess.RuntimeMajorVersion(pid);
        if (runtimeMajor is { } major && major < 8)
        {
            throw new TargetProcessException($"process {pid} runs {(major < 5 ? ".NET Core" : ".NET")} {major}; watch needs .NET 8 or later (the shared System.Diagnostics.Metrics session)");
        }

        var session = new MetricsSession(meters, refreshInterval);
        var providers = new List<EventPipeProvider>
        {
            new(MetricsSourceName, EventLevel.Informational, TimeSeriesValuesKeyword | InstrumentPublishingKeyword, Arguments(meters, refreshInterval, session._clientId)),
        };

        // .NET 8 publishes its runtime figures through the System.Runtime EventCounters only; .NET 9+ also as a meter.
        // Where the version is unknown both are asked for, and the meter's figures win.
        var eventCounters = runtimeMajor is null or 8 && meters.Contains(RuntimeCounters.MeterName);
        if (eventCounters)
        {
            providers.Add(new EventPipeProvider(RuntimeCounters.MeterName, EventLevel.Informational, 0, new Dictionary<string, string>
            {
                ["EventCounterIntervalSec"] = refreshInterval.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            }));
        }

        var client = new DiagnosticsClient(pid);
        EventPipeSession eventPipe;
        try
        {
            eventPipe = await client.StartEventPipeSessionAsync(providers, requestRundown: false, circularBufferMB: 64, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ServerNotAvailableException or UnauthorizedAccessException or IOException or TimeoutException or UnsupportedCommandException or ServerErrorException)
        {
            throw new TargetProcessException(TargetProcess.ConnectionError(pid, ex), ex);
        }

        using (eventPipe)
        {
            using var source = new EventPipeEventSource(eventPipe.EventStream);
            source.Dynamic.All += e => session.OnEvent(e, onInterval, onProblem);
            session._stop = () => Stop(eventPipe);
            var processing = Task.Factory.StartNew(source.Process, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            using (cancellationToken.Register(() => Stop(eventPipe)))
            {
                await processing.ConfigureAwait(false);
            }
        }

        if (session._refused is { } refused)
        {
            throw new TargetProcessException($"cannot watch process {pid}: {refused}");
        }

        // The stream also ends when Ctrl+C interrupts its read, before the cancellation is seen: say only what is sure.
        if (!cancellationToken.IsCancellationRequested && !TargetProcess.StillRunning(pid))
        {
            onProblem($"process {pid} exited");
        }
    }

    private static void Stop(EventPipeSession session)
    {
        try
        {
            // Ends the session in the target; the event stream then ends and Process() returns.
            session.Stop();
        }
        catch (Exception ex) when (ex is ServerNotAvailableException or IOException or ObjectDisposedException or TimeoutException or ServerErrorException)
        {
            // The target exited meanwhile: the stream has ended anyway.
        }
    }

    private void OnEvent(TraceEvent e, Action<WatchInterval> onInterval, Action<string> onProblem)
    {
        if (e.ProviderName == RuntimeCounters.MeterName && e.EventName == "EventCounters")
        {
            // TraceEvent gives the payload as one unnamed struct holding the "Payload" struct (dictionaries both).
            var payload = e.PayloadNames.Length > 0 ? e.PayloadValue(0) : null;
            if (payload is IDictionary<string, object> outer && outer.TryGetValue("Payload", out var inner))
            {
                payload = inner;
            }

            if (RuntimeCounters.FromEventCounter(payload, _refreshInterval) is { } point)
            {
                // A process with no meter at all (nothing makes its runtime start the metrics source) sends no
                // intervals: the EventCounters then make them, one per round of counters.
                if (!_metricsIntervalSeen && _counterPoints.ContainsKey(point.Name))
                {
                    Flush(DateTimeOffset.UtcNow, onInterval);
                }

                _counterPoints[point.Name] = point;
            }

            return;
        }

        if (e.ProviderName != MetricsSourceName)
        {
            return;
        }

        switch (e.EventName)
        {
            // Sent to every listener: it concerns us when the session running is not the shared one (then we are the
            // one refused), or when the client configured wrongly is us (by the client id we sent).
            case "MultipleSessionsNotSupportedError" when e.PayloadValue(0) as string != SharedSessionId:
                Refuse($"another tool holds a metrics session that does not share (session {e.PayloadValue(0)}; dotnet-counters collect does that): stop it, or watch alongside a tool that shares (dotnet-counters monitor)");
                return;
            case "MultipleSessionsConfiguredIncorrectlyError" when e.PayloadValue(0) as string == _clientId:
                Refuse(string.Create(CultureInfo.InvariantCulture, $"another tool shares the metrics session with other settings (refresh interval {Text(e, "expectedRefreshInterval")} s, max histograms {Text(e, "expectedMaxHistograms")}, max time series {Text(e, "expectedMaxTimeSeries")}): use its --refresh-interval"));
                return;
            case "MultipleSessionsNotSupportedError" or "MultipleSessionsConfiguredIncorrectlyError":
                return;
        }

        if (Text(e, "sessionId") != SharedSessionId)
        {
            return;
        }

        switch (e.EventName)
        {
            // TraceEvent names these two by their opcodes.
            case "CollectionStart" or "Collection/Start":
                _current = [];
                return;
            case "CollectionStop" or "Collection/Stop":
                _metricsIntervalSeen = true;
                Flush(e.PayloadByName("intervalEndTime") is DateTime t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : DateTimeOffset.UtcNow, onInterval);
                return;
            case "Error":
                onProblem($"the target's metrics source reported an error: {FirstLine(Text(e, "errorMessage"))}");
                return;
            case "ObservableInstrumentCallbackError":
                onProblem($"an observable instrument's callback threw in the target: {FirstLine(Text(e, "errorMessage"))}");
                return;
            case "TimeSeriesLimitReached":
                onProblem($"the shared session's limit of {MaxTimeSeries} time series is reached: new series are not reported");
                return;
            case "HistogramLimitReached":
                onProblem($"the shared session's limit of {MaxHistograms} histograms is reached: new histograms are not reported");
                return;
            case "BeginInstrumentReporting" or "InstrumentPublished":
                _units[(Text(e, "meterName"), Text(e, "instrumentName"))] = Text(e, "unit");
                return;
        }

        var meter = Text(e, "meterName");
        if (!_meters.Contains(meter))
        {
            return;
        }

        var name = Text(e, "instrumentName");
        var unit = Text(e, "unit") is { Length: > 0 } u ? u : _units.GetValueOrDefault((meter, name), string.Empty);
        var tags = Text(e, "tags");
        switch (e.EventName)
        {
            case "GaugeValuePublished":
                _current.Add(new MetricPoint(meter, name, tags, unit, InstrumentKind.Value, Number(Text(e, "lastValue")), null, MetricPoint.NoQuantiles));
                break;
            case "UpDownCounterRateValuePublished":
                _current.Add(new MetricPoint(meter, name, tags, unit, InstrumentKind.Value, Number(Text(e, "value")), null, MetricPoint.NoQuantiles));
                break;
            case "CounterRateValuePublished" when RuntimeCounters.IsCurrentCount(meter, name):
                _current.Add(new MetricPoint(meter, name, tags, unit, InstrumentKind.Value, Number(Text(e, "value")), null, MetricPoint.NoQuantiles));
                break;
            case "CounterRateValuePublished":
                // "rate" is the increase over the interval (empty on the first one); per second it reads like dotnet-counters.
                var delta = Number(Text(e, "rate"));
                _current.Add(new MetricPoint(meter, name, tags, unit, InstrumentKind.Counter, Number(Text(e, "value")), delta / _refreshInterval.TotalSeconds, MetricPoint.NoQuantiles));
                break;
            case "HistogramValuePublished":
                var count = e.PayloadByName("count") is int c ? c : 0;
                _current.Add(new MetricPoint(meter, name, tags, unit, InstrumentKind.Histogram, null, null, ParseQuantiles(Text(e, "quantiles")), count));
                break;
        }
    }

    private void Flush(DateTimeOffset end, Action<WatchInterval> onInterval)
    {
        var points = _current;
        _current = [];
        if (!points.Any(p => p.Provider == RuntimeCounters.MeterName))
        {
            points.AddRange(_counterPoints.Values);
        }

        _counterPoints.Clear();
        onInterval(new WatchInterval(end, points));
    }

    private void Refuse(string reason)
    {
        _refused ??= reason;
        _stop?.Invoke();
    }

    /// <summary>Parses the runtime's quantile text, <c>0.5=1.2;0.95=3.4;0.99=5.6</c> (empty when nothing was recorded).</summary>
    internal static IReadOnlyDictionary<double, double> ParseQuantiles(string text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return MetricPoint.NoQuantiles;
        }

        var quantiles = new Dictionary<double, double>();
        foreach (var pair in text.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0
                && double.TryParse(pair.AsSpan(0, equals), NumberStyles.Float, CultureInfo.InvariantCulture, out var q)
                && double.TryParse(pair.AsSpan(equals + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
            {
                quantiles[q] = v;
            }
        }

        return quantiles;
    }

    private static double? Number(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static string Text(TraceEvent e, string name) => e.PayloadByName(name) as string ?? string.Empty;

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
