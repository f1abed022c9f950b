using System.Threading.Channels;
using Governance.Cli.Diagnosis;
using Governance.Cli.Diagnosis.Watch;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Governance.Cli.Commands;

/// <summary>
/// <c>governance watch &lt;pid&gt;</c>: live figures of another .NET process (the Governance meter and the runtime's), read
/// over EventPipe like dotnet-counters, with threshold alerts that must hold for a whole window.
/// </summary>
/// <remarks>
/// Output: a table refreshed in place on a terminal; the same table once per interval for a pipe; one JSON object per
/// line with <c>--json</c>. Alerts always go to stderr as one line (<c>governance: alert: …</c>); with <c>--json</c> they are
/// also a JSON line on stdout, so a reader of the stream sees them in order. Exit codes: 0 at the end of
/// <c>--duration</c>, on Ctrl+C or when the target exits; 2 for a usage error or a process that can't be watched;
/// 3 when an alert fires under <c>--exit-on-alert</c>.
/// </remarks>
internal sealed class WatchCommand(IAnsiConsole console, ErrorOutput error) : AsyncCommand<WatchSettings>
{
    /// <summary>The meters watch asks for.</summary>
    internal static readonly IReadOnlyList<string> Meters = [GovernanceMeter.MeterName, RuntimeCounters.MeterName];

    public override async Task<int> ExecuteAsync(CommandContext context, WatchSettings settings, CancellationToken cancellationToken)
    {
        var rules = settings.Rules;
        var refresh = settings.RefreshIntervalValue;
        var evaluator = new AlertEvaluator(rules, refresh);
        evaluator.Mismatch += (rule, point, reason) => error.Writer.WriteLine($"governance: --alert '{rule.Text}' can't fire: {reason}");

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (settings.DurationValue is { } duration)
        {
            stop.CancelAfter(duration);
        }

        var intervals = Channel.CreateUnbounded<WatchInterval>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var csv = settings.Record is null ? null : OpenRecord(settings.Record);
        if (settings.Record is not null && csv is null)
        {
            return ExitCodes.UsageError;
        }

        var session = Task.Run(
            () => MetricsSession.RunAsync(
                settings.Pid,
                Meters,
                refresh,
                interval => intervals.Writer.TryWrite(interval),
                problem => error.Writer.WriteLine($"governance: {problem}"),
                stop.Token),
            CancellationToken.None);
        _ = session.ContinueWith(_ => intervals.Writer.TryComplete(), TaskScheduler.Default);

        var exit = ExitCodes.Clean;
        var fired = new List<AlertFiring>();
        var live = !settings.Json && console.Profile.Out.IsTerminal;
        var table = new WatchTable(settings.Pid);

        async Task ConsumeAsync(Action<WatchInterval> show)
        {
            await foreach (var interval in intervals.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                csv?.Append(interval);
                var alerts = evaluator.Evaluate(interval);
                fired.AddRange(alerts);
                show(interval);
                foreach (var alert in alerts)
                {
                    await error.Writer.WriteLineAsync($"governance: {alert}").ConfigureAwait(false);
                    if (settings.Json)
                    {
                        console.Profile.Out.Writer.WriteLine(WatchJson.Alert(settings.Pid, alert));
                        console.Profile.Out.Writer.Flush();
                    }
                }

                if (alerts.Count > 0 && settings.ExitOnAlert)
                {
                    exit = ExitCodes.Alert;
                    await stop.CancelAsync().ConfigureAwait(false);
                    break;
                }
            }
        }

        if (live)
        {
            // A spinner until the first interval; a process that can't be watched then ends with its one line, no table.
            var connected = await console.Status().StartAsync(
                $"Connecting to process {settings.Pid}…",
                _ => intervals.Reader.WaitToReadAsync(CancellationToken.None).AsTask()).ConfigureAwait(false);
            if (!connected)
            {
                return await EndAsync(session, exit).ConfigureAwait(false);
            }

            await console.Live(table.Render(null, fired)).AutoClear(false).StartAsync(async ctx =>
            {
                await ConsumeAsync(interval =>
                {
                    ctx.UpdateTarget(table.Render(interval, fired));
                    ctx.Refresh();
                }).ConfigureAwait(false);
            }).ConfigureAwait(false);
        }
        else if (settings.Json)
        {
            await ConsumeAsync(interval =>
            {
                console.Profile.Out.Writer.WriteLine(WatchJson.Interval(settings.Pid, interval));
                console.Profile.Out.Writer.Flush();
            }).ConfigureAwait(false);
        }
        else
        {
            await ConsumeAsync(interval => console.Write(table.Render(interval, []))).ConfigureAwait(false);
        }

        return await EndAsync(session, exit).ConfigureAwait(false);
    }

    private async Task<int> EndAsync(Task session, int exit)
    {
        try
        {
            await session.ConfigureAwait(false);
        }
        catch (TargetProcessException ex)
        {
            await error.Writer.WriteLineAsync($"governance: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.UsageError;
        }

        return exit;
    }

    private WatchCsv? OpenRecord(string path)
    {
        try
        {
            return new WatchCsv(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            error.Writer.WriteLine($"governance: cannot write --record '{path}': {ex.Message}");
            return null;
        }
    }
}
