using Governance.Cli.Diagnosis;
using Governance.Cli.Diagnosis.Tasks;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Governance.Cli.Commands;

/// <summary>
/// <c>governance tasks &lt;pid&gt;</c>: every pending async operation of a running process grouped by await chain, its
/// timers by callback and its channels by element type; with <c>--diff</c>, only what grew between two snapshots.
/// </summary>
internal sealed class TasksCommand(IAnsiConsole console, ErrorOutput error) : AsyncCommand<TasksSettings>
{
    private const int DefaultTop = 20;

    public override async Task<int> ExecuteAsync(CommandContext context, TasksSettings settings, CancellationToken cancellationToken)
    {
        var method = settings.Method == "dump" ? SnapshotMethod.Dump : SnapshotMethod.Attach;
        var reachableOnly = !settings.IncludeUnreachable;
        var json = settings.Format == "json";
        var top = settings.Top ?? (json ? int.MaxValue : DefaultTop);
        try
        {
            var first = await Task.Run(() => SnapshotTaker.Take(settings.ProcessId, method, reachableOnly, cancellationToken), cancellationToken);
            if (settings.DiffInterval is not { } interval)
            {
                Write(json ? TasksReport.Json(first, top) : TasksReport.Text(first, top));
                return ExitCodes.Clean;
            }

            // The progress line goes to stderr so that stdout stays one report (JSON stays parseable).
            await error.Writer.WriteLineAsync(
                $"governance tasks {settings.ProcessId}: first snapshot taken ({first.PendingOperations:N0} pending operations); the second {Durations.Format(interval)} after it");
            // DURATION apart from look to look: the first snapshot's analysis is part of the wait.
            var wait = interval - (DateTimeOffset.UtcNow - first.TakenAt);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken);
            }

            var second = await Task.Run(() => SnapshotTaker.Take(settings.ProcessId, method, reachableOnly, cancellationToken), cancellationToken);
            var diff = TasksDiff.Between(first, second);
            Write(json ? TasksReport.Json(diff, top) : TasksReport.Text(diff, top));
            return ExitCodes.Clean;
        }
        catch (TargetProcessException ex)
        {
            await error.Writer.WriteLineAsync($"governance: {ex.Message}");
            return ExitCodes.UsageError;
        }
    }

    private void Write(string report)
    {
        // Plain text, never markup: method names hold brackets.
        console.Profile.Out.Writer.Write(report);
        console.Profile.Out.Writer.Flush();
    }
}
