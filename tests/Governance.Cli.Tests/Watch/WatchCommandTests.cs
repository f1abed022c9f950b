using System.Diagnostics;
using System.Text.Json;
using Spectre.Console.Testing;

namespace Governance.Cli.Tests.Watch;

/// <summary>
/// <c>governance watch</c> against a real process (Governance.Cli.Tests.LimiterTarget), run in-process: the values it
/// receives, alerts over and under a threshold, and the exit codes.
/// </summary>
public sealed class WatchCommandTests(LimiterTargetProcess target) : IClassFixture<LimiterTargetProcess>
{
    // Heavy load: one slot held 300 ms by each of 4 callers, so the median wait is near 900 ms; light load: 2 ms holds.
    private const string QueueWaitRule = "governance.limiter.queue_wait{governance.limiter.name=target} p50 > 250ms for 2s";

    [Fact]
    public async Task Json_ForFiveSeconds_ReceivesTheLimitersAndTheRuntimesValues()
    {
        await target.LoadAsync("light");
        var (exit, lines) = await WatchAsync(CancellationToken.None, "--duration", "5s", "--json");

        Assert.Equal(0, exit);
        var intervals = lines.Where(l => l.RootElement.TryGetProperty("metrics", out _)).ToList();
        Assert.InRange(intervals.Count, 1, 7);
        Assert.All(intervals, i => Assert.Equal(target.Pid, i.RootElement.GetProperty("pid").GetInt32()));
        var metrics = intervals.SelectMany(i => i.RootElement.GetProperty("metrics").EnumerateArray()).ToList();
        JsonElement Find(string name) => metrics.First(m => m.GetProperty("name").GetString() == name);

        var inFlight = Find("governance.limiter.in_flight");
        Assert.Equal("Governance", inFlight.GetProperty("provider").GetString());
        Assert.Equal("target", inFlight.GetProperty("tags").GetProperty("governance.limiter.name").GetString());
        Assert.InRange(inFlight.GetProperty("value").GetDouble(), 0, 1);
        Assert.True(Find("governance.limiter.admitted").GetProperty("value").GetDouble() > 0);
        var wait = metrics.First(m => m.GetProperty("name").GetString() == "governance.limiter.queue_wait" && m.GetProperty("quantiles").TryGetProperty("p50", out _));
        Assert.Equal("s", wait.GetProperty("unit").GetString());
        Assert.True(wait.GetProperty("count").GetInt32() > 0);

        Assert.Equal("System.Runtime", Find("dotnet.thread_pool.thread.count").GetProperty("provider").GetString());
        Assert.True(Find("dotnet.thread_pool.thread.count").GetProperty("value").GetDouble() >= 1);
        Assert.False(Find("dotnet.thread_pool.thread.count").TryGetProperty("rate", out _), "a current count, read as a gauge");
        Assert.True(Find("dotnet.timer.count").GetProperty("value").GetDouble() >= 0);
    }

    [Fact]
    public async Task Alert_UnderTheThreshold_DoesNotFire()
    {
        await target.LoadAsync("light");
        var log = new StringWriter();
        var errors = TextWriter.Synchronized(log);
        var (exit, lines) = await WatchAsync(errors, CancellationToken.None, "--duration", "4s", "--json", "--alert", QueueWaitRule, "--exit-on-alert");

        Assert.Equal(0, exit);
        Assert.DoesNotContain(lines, l => l.RootElement.TryGetProperty("alert", out _));
        Assert.DoesNotContain("alert", log.ToString(), StringComparison.Ordinal);
        // Not vacuous: the rule's series had values, all under the threshold.
        var medians = Medians(lines).ToList();
        Assert.NotEmpty(medians);
        Assert.All(medians, m => Assert.True(m < 0.25, $"light load waited {m} s"));
    }

    [Fact]
    public async Task Alert_OverTheThresholdForTheWholeWindow_FiresAndExitOnAlertEndsWith3()
    {
        await target.LoadAsync("heavy");
        var clock = Stopwatch.StartNew();
        var log = new StringWriter();
        var errors = TextWriter.Synchronized(log);
        var (exit, lines) = await WatchAsync(errors, CancellationToken.None, "--duration", "60s", "--json", "--alert", QueueWaitRule, "--exit-on-alert");

        Assert.Equal(3, exit);
        // One line on stderr names the rule, the series and the value; the same is a JSON line on stdout.
        var alertLine = Assert.Single(log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith($"governance: alert: {QueueWaitRule}: governance.limiter.queue_wait{{governance.limiter.name=target}} p50 = ", alertLine);
        Assert.EndsWith("ms", alertLine);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(50), $"the alert took {clock.Elapsed}");
        var alert = Assert.Single(lines, l => l.RootElement.TryGetProperty("alert", out _)).RootElement.GetProperty("alert");
        Assert.Equal(QueueWaitRule, alert.GetProperty("rule").GetString());
        Assert.Equal("p50", alert.GetProperty("statistic").GetString());
        Assert.True(alert.GetProperty("value").GetDouble() > 0.25);
        Assert.StartsWith($"alert: {QueueWaitRule}: governance.limiter.queue_wait{{governance.limiter.name=target}} p50 = ", alert.GetProperty("message").GetString());
        // The window: the alert came after at least two intervals past the threshold, the last two before it.
        var before = lines.TakeWhile(l => !l.RootElement.TryGetProperty("alert", out _)).ToList();
        Assert.True(Medians(before).TakeLast(2).Count(m => m > 0.25) == 2, "the alert fired before two intervals over the threshold");
    }

    [Fact]
    public async Task Cancellation_LikeCtrlC_EndsCleanlyWithExit0()
    {
        await target.LoadAsync("none");
        var record = Path.Combine(Path.GetTempPath(), $"governance-watch-{Guid.NewGuid():N}.csv");
        try
        {
            using var stop = new CancellationTokenSource();
            var console = new TestConsole();
            var watch = GovernanceApp.RunAsync(["watch", target.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json", "--record", record], console, stop.Token);
            await WatchTargetExitTests.UntilRecordedAsync(record, watch);

            await stop.CancelAsync();
            Assert.Equal(0, await watch.WaitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("\"metrics\"", console.Output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(record);
        }
    }

    [Fact]
    public async Task Table_ForAPipe_ShowsTheLimitersSeriesAndTheRuntimesFigures()
    {
        await target.LoadAsync("heavy");
        var console = new TestConsole().Width(100);
        var exit = await GovernanceApp.RunAsync(["watch", target.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--duration", "3s"], console)
            .WaitAsync(TimeSpan.FromSeconds(90));

        Assert.Equal(0, exit);
        Assert.Contains($"governance watch {target.Pid} at ", console.Output, StringComparison.Ordinal);
        Assert.Contains("governance.limiter.in_flight", console.Output, StringComparison.Ordinal);
        Assert.Contains("governance.limiter.queue_wait", console.Output, StringComparison.Ordinal);
        Assert.Matches(@"p50 \d+(\.\d+)?  p95 \d+(\.\d+)?  p99 \d+(\.\d+)? ms", console.Output);
        Assert.Contains("thread-pool threads", console.Output, StringComparison.Ordinal);
        Assert.Contains("GC heap size", console.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Record_AppendsCsvRows()
    {
        await target.LoadAsync("light");
        var path = Path.Combine(Path.GetTempPath(), $"governance-watch-{Guid.NewGuid():N}.csv");
        try
        {
            var (exit, _) = await WatchAsync(CancellationToken.None, "--duration", "3s", "--json", "--record", path);
            Assert.Equal(0, exit);
            var rows = await File.ReadAllLinesAsync(path);
            Assert.Equal("timestamp,provider,name,tags,statistic,value", rows[0]);
            Assert.Contains(rows, r => r.Contains(",Governance,governance.limiter.in_flight,governance.limiter.name=target,value,", StringComparison.Ordinal));
            Assert.Contains(rows, r => r.Contains(",System.Runtime,dotnet.thread_pool.thread.count,,value,", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static IEnumerable<double> Medians(IEnumerable<JsonDocument> lines) => lines
        .Where(l => l.RootElement.TryGetProperty("metrics", out _))
        .SelectMany(l => l.RootElement.GetProperty("metrics").EnumerateArray())
        .Where(m => m.GetProperty("name").GetString() == "governance.limiter.queue_wait" && m.GetProperty("quantiles").TryGetProperty("p50", out _))
        .Select(m => m.GetProperty("quantiles").GetProperty("p50").GetDouble());

    private Task<(int Exit, List<JsonDocument> Lines)> WatchAsync(CancellationToken cancellationToken, params string[] options) =>
        WatchAsync(TextWriter.Null, cancellationToken, options);

    private async Task<(int Exit, List<JsonDocument> Lines)> WatchAsync(TextWriter errors, CancellationToken cancellationToken, params string[] options)
    {
        var console = new TestConsole();
        var exit = await GovernanceApp.RunAsync(["watch", target.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), .. options], console, errors, cancellationToken)
            .WaitAsync(TimeSpan.FromSeconds(90));
        var lines = console.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(l => JsonDocument.Parse(l)).ToList();
        return (exit, lines);
    }
}

/// <summary>A watched process that exits ends the watch, cleanly.</summary>
public sealed class WatchTargetExitTests
{
    [Fact]
    public async Task TargetExiting_EndsTheWatchWithExit0()
    {
        using var target = new LimiterTargetProcess();
        var record = Path.Combine(Path.GetTempPath(), $"governance-watch-{Guid.NewGuid():N}.csv");
        try
        {
            var watch = GovernanceApp.RunAsync(["watch", target.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json", "--record", record], new TestConsole());

            await UntilRecordedAsync(record, watch);
            await target.ExitAsync();
            Assert.Equal(0, await watch.WaitAsync(TimeSpan.FromSeconds(60)));
        }
        finally
        {
            File.Delete(record);
        }
    }

    /// <summary>
    /// Returns once the watch recorded its first interval (the session is then established), within a bound. The file is
    /// read through the file system, never through the console the watch is writing to.
    /// </summary>
    internal static async Task UntilRecordedAsync(string record, Task<int> watch)
    {
        var bound = Stopwatch.StartNew();
        while (RecordedLines(record) < 2)
        {
            Assert.True(bound.Elapsed < TimeSpan.FromSeconds(60) && !watch.IsCompleted, "no interval arrived");
            await Task.Delay(50);
        }
    }

    private static int RecordedLines(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd().Count(c => c == '\n');
        }
        catch (FileNotFoundException)
        {
            return 0;
        }
    }
}

/// <summary><c>governance watch</c>'s usage errors and unwatchable processes: exit 2, no process needed (or a non-.NET one).</summary>
public sealed class WatchUsageTests
{
    [Theory]
    [InlineData("--alert", "governance.limiter.queue_wait p99 > 100ms")]
    [InlineData("--alert", "governance.limiter.queue_wait p99 >> 100ms for 30s")]
    [InlineData("--duration", "5")]
    [InlineData("--duration", "soon")]
    [InlineData("--refresh-interval", "10ms")]
    [InlineData("--exit-on-alert")]
    public async Task MalformedOptions_AreUsageErrors(params string[] options)
    {
        Assert.Equal(2, await Cli.Run(["watch", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), .. options]));
    }

    [Theory]
    [InlineData("2147483647")]
    [InlineData("0")]
    [InlineData("not-a-pid")]
    public async Task NoSuchProcess_IsExit2(string pid)
    {
        Assert.Equal(2, await Cli.Run("watch", pid, "--duration", "2s"));
    }

    [Fact]
    public async Task NoSuchProcess_SaysSoInOneLine()
    {
        var log = new StringWriter();
        var errors = TextWriter.Synchronized(log);
        Assert.Equal(2, await GovernanceApp.RunAsync(["watch", "2147483647", "--duration", "2s"], new TestConsole(), errors));
        Assert.Equal("governance: no process with id 2147483647", log.ToString().Trim());
    }

    [Fact]
    public async Task AProcessThatIsNotDotnet_IsExit2()
    {
        using var sleeper = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        try
        {
            var log = new StringWriter();
            var errors = TextWriter.Synchronized(log);
            Assert.Equal(2, await GovernanceApp.RunAsync(["watch", sleeper.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--duration", "2s"], new TestConsole(), errors).WaitAsync(TimeSpan.FromSeconds(60)));
            Assert.Equal($"governance: cannot connect to process {sleeper.Id}: it is not a .NET process with a diagnostics socket (not .NET, .NET Framework, DOTNET_EnableDiagnostics=0, or another user's /tmp)", log.ToString().Trim());
        }
        finally
        {
            sleeper.Kill(entireProcessTree: true);
        }
    }
}
