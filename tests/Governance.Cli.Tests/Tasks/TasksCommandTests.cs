using System.Text;
using System.Text.Json;
using Spectre.Console.Testing;

namespace Governance.Cli.Tests.Tasks;

/// <summary>
/// One target process for the snapshot tests: 1,000 operations parked at a known method, 50 timers, 200 items buffered
/// in one Channel&lt;Order&gt; and 3 readers waiting on another, 70 events in a single-reader unbounded Channel&lt;string&gt;.
/// </summary>
public sealed class ParkedTargetFixture : IAsyncLifetime
{
    internal ParkedTargetProcess Target { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Target = await ParkedTargetProcess.StartAsync();
        await Target.SendAsync("park 1000");
        await Target.SendAsync("timers 50");
        await Target.SendAsync("channel 200");
        await Target.SendAsync("readers 3");
        await Target.SendAsync("events 70");
    }

    public async Task DisposeAsync() => await Target.DisposeAsync();
}

/// <summary><c>governance tasks &lt;pid&gt;</c> against a real helper process.</summary>
[Collection(TargetProcesses.Name)]
public sealed class TasksCommandTests(ParkedTargetFixture fixture) : IClassFixture<ParkedTargetFixture>
{
    private const string SaveAsync = "ParkedTarget.OrderStore.SaveAsync";
    private const string ProcessAsync = "ParkedTarget.OrderService.ProcessAsync";

    [Fact]
    public async Task Json_ShowsTheParkedOperationsAsOneChain_TheTimersByCallback_AndTheChannel()
    {
        var (exit, output, errors) = await RunAsync("tasks", Pid, "--format", "json");

        Assert.True(exit == 0, errors);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(fixture.Target.ProcessId, root.GetProperty("pid").GetInt32());
        Assert.Equal("dump", root.GetProperty("cost").GetProperty("method").GetString());
        Assert.True(root.GetProperty("cost").GetProperty("targetPauseMs").GetDouble() > 0);

        var chain = root.GetProperty("chains").EnumerateArray()
            .Single(c => c.GetProperty("frames")[0].GetString() == SaveAsync);
        Assert.True(chain.GetProperty("count").GetInt32() >= 1000);
        Assert.Equal([SaveAsync, ProcessAsync], chain.GetProperty("frames").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal("OrderStore.SaveAsync \u2190 OrderService.ProcessAsync", chain.GetProperty("chain").GetString());
        Assert.Equal(chain.GetProperty("count").GetInt32(), chain.GetProperty("states").GetProperty("0").GetInt32());
        Assert.True(root.GetProperty("pendingOperations").GetInt32() >= 2000, "each parked operation is two suspended async methods");

        var timers = root.GetProperty("timers").EnumerateArray()
            .Single(t => t.GetProperty("qualifiedCallback").GetString() == "ParkedTarget.Heartbeat.Beat");
        Assert.Equal(50, timers.GetProperty("count").GetInt32());
        Assert.Equal(60_000, timers.GetProperty("periodMs").GetDouble());

        var channel = root.GetProperty("channels").EnumerateArray()
            .Single(c => c.GetProperty("elementType").GetString() == "Order");
        Assert.Equal("BoundedChannel", channel.GetProperty("kind").GetString());
        Assert.Equal(2, channel.GetProperty("channels").GetInt32());
        Assert.Equal(200, channel.GetProperty("bufferedItems").GetInt64());
        Assert.Equal(3, channel.GetProperty("waitingReaders").GetInt64());
        Assert.Equal(0, channel.GetProperty("waitingWriters").GetInt64());

        var events = root.GetProperty("channels").EnumerateArray()
            .Single(c => c.GetProperty("elementType").GetString() == "String");
        Assert.Equal("SingleConsumerUnboundedChannel", events.GetProperty("kind").GetString());
        Assert.Equal(70, events.GetProperty("bufferedItems").GetInt64());

        var readers = root.GetProperty("chains").EnumerateArray()
            .Single(c => c.GetProperty("frames")[0].GetString() == "ParkedTarget.OrderQueue.NextAsync");
        Assert.Equal(3, readers.GetProperty("count").GetInt32());
        Assert.Equal("a channel read or write", readers.GetProperty("awaiting").GetString());
    }

    [Fact]
    public async Task Text_Attached_ListsTheChainFirst_WithItsCount_OrSaysInOneLineThatPtraceIsRefused()
    {
        // As a separate process, as people run it: a tracer that is also the target's parent (this test host started it)
        // would see its ptrace stops reaped by the runtime's child-process bookkeeping.
        var (exit, output, errors) = await CliProcess.RunAsync("tasks", Pid, "--method", "attach", "--top", "1");

        if (exit == 2)
        {
            // A machine that forbids ptrace: the documented one-line error, nothing else.
            Assert.Contains("permission denied (ptrace)", errors, StringComparison.Ordinal);
            return;
        }

        Assert.True(exit == 0, errors);
        Assert.Contains("(attached, suspended for the walk)", output, StringComparison.Ordinal);
        var lines = output.Split('\n');
        var chainLine = lines.SkipWhile(l => !l.StartsWith("Await chains", StringComparison.Ordinal)).Skip(2).First();
        Assert.Matches(@"^\s+1,0\d\d\s+0\s+OrderStore\.SaveAsync \u2190 OrderService\.ProcessAsync\s+\[awaits Task\]", chainLine);
        Assert.Contains(lines, l => l.Contains("50  every 1 min  Heartbeat.Beat", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Top_LimitsEachSection()
    {
        var (exit, output, errors) = await RunAsync("tasks", Pid, "--format", "json", "--top", "1");

        Assert.True(exit == 0, errors);
        using var json = JsonDocument.Parse(output);
        Assert.True(json.RootElement.GetProperty("chains").GetArrayLength() <= 1);
        Assert.True(json.RootElement.GetProperty("timers").GetArrayLength() <= 1);
        Assert.True(json.RootElement.GetProperty("channels").GetArrayLength() <= 1);
    }

    private string Pid => fixture.Target.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    internal static async Task<(int Exit, string Output, string Errors)> RunAsync(params string[] args)
    {
        var console = new TestConsole();
        var errors = new StringWriter(new StringBuilder());
        var exit = await GovernanceApp.RunAsync(args, console, TextWriter.Synchronized(errors)).WaitAsync(TimeSpan.FromMinutes(3));
        return (exit, console.Output, errors.ToString());
    }
}
