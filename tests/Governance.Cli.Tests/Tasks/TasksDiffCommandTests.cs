using System.Text.Json;
using Spectre.Console.Testing;

namespace Governance.Cli.Tests.Tasks;

/// <summary><c>governance tasks --diff</c>: the target grows between the two snapshots, and the diff shows by how much.</summary>
[Collection(TargetProcesses.Name)]
public sealed class TasksDiffCommandTests
{
    [Fact]
    public async Task Diff_ShowsOnlyWhatGrewBetweenTheSnapshots()
    {
        await using var target = await ParkedTargetProcess.StartAsync();
        await target.SendAsync("park 1000");
        await target.SendAsync("timers 50");
        await target.SendAsync("channel 10");

        // The command says on stderr when its first snapshot is taken; only then does the target grow.
        var firstTaken = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new SignallingWriter("first snapshot taken", firstTaken);
        var console = new TestConsole();
        var pid = target.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var run = GovernanceApp.RunAsync(["tasks", pid, "--diff", "8s", "--format", "json"], console, errors);

        await Task.WhenAny(firstTaken.Task, run).Unwrap().WaitAsync(TimeSpan.FromMinutes(2));
        Assert.True(firstTaken.Task.IsCompleted, $"the command ended before its first snapshot: {errors}");
        await target.SendAsync("park 500");
        await target.SendAsync("timers 7");
        var exit = await run.WaitAsync(TimeSpan.FromMinutes(2));

        Assert.True(exit == 0, errors.ToString());
        using var json = JsonDocument.Parse(console.Output);
        var chains = json.RootElement.GetProperty("chains").EnumerateArray().ToList();
        var chain = Assert.Single(chains);
        Assert.Equal("ParkedTarget.OrderStore.SaveAsync", chain.GetProperty("frames")[0].GetString());
        Assert.Equal(500, chain.GetProperty("growth").GetInt64());
        Assert.Equal(chain.GetProperty("before").GetInt64() + 500, chain.GetProperty("after").GetInt64());
        var timers = Assert.Single(json.RootElement.GetProperty("timers").EnumerateArray());
        Assert.Equal("ParkedTarget.Heartbeat.Beat", timers.GetProperty("qualifiedCallback").GetString());
        Assert.Equal(7, timers.GetProperty("growth").GetInt64());
        Assert.Equal(57, timers.GetProperty("after").GetInt64());
        Assert.Empty(json.RootElement.GetProperty("channels").EnumerateArray());
    }

    /// <summary>A stderr that completes a gate when a line containing <paramref name="marker"/> is written.</summary>
    private sealed class SignallingWriter(string marker, TaskCompletionSource gate) : StringWriter(System.Globalization.CultureInfo.InvariantCulture)
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value?.Contains(marker, StringComparison.Ordinal) == true)
            {
                gate.TrySetResult();
            }
        }

        public override Task WriteLineAsync(string? value)
        {
            WriteLine(value);
            return Task.CompletedTask;
        }
    }
}
