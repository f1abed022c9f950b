using System.Diagnostics;
using System.Threading.Channels;

namespace Governance.Cli.Tests.Watch;

/// <summary>
/// The Governance.Cli.Tests.LimiterTarget process: a TaskLimiter named "target" under a load the tests set ("none",
/// "light": waits of milliseconds, "heavy": waits near a second). Killed with its tree on Dispose, however a test ends.
/// </summary>
public sealed class LimiterTargetProcess : IDisposable
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();

    public LimiterTargetProcess()
    {
        var baseDirectory = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        // artifacts/bin/<project>/<configuration>/: the target is built next to the tests by their project reference.
        var dll = Path.Combine(baseDirectory.Parent!.Parent!.FullName, "Governance.Cli.Tests.LimiterTarget", baseDirectory.Name, "Governance.Cli.Tests.LimiterTarget.dll");
        Assert.True(File.Exists(dll), $"the target is not built: {dll}");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                _lines.Writer.TryWrite(line);
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var ready = ExpectAsync("ready ").GetAwaiter().GetResult();
        Pid = int.Parse(ready["ready ".Length..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(_process.Id, Pid);
    }

    public int Pid { get; }

    /// <summary>Sets the load and returns once the target says it runs.</summary>
    public async Task LoadAsync(string load)
    {
        await _process.StandardInput.WriteLineAsync($"load {load}");
        await _process.StandardInput.FlushAsync();
        Assert.Equal($"load {load}", await ExpectAsync("load "));
    }

    /// <summary>Asks the target to exit and waits until it has.</summary>
    public async Task ExitAsync()
    {
        await _process.StandardInput.WriteLineAsync("exit");
        await _process.StandardInput.FlushAsync();
        await _process.WaitForExitAsync().WaitAsync(s_bound);
    }

    public void Dispose()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        catch (InvalidOperationException)
        {
            // It had exited already.
        }

        _process.Dispose();
    }

    private async Task<string> ExpectAsync(string prefix)
    {
        using var timeout = new CancellationTokenSource(s_bound);
        while (true)
        {
            string line;
            try
            {
                line = await _lines.Reader.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"the target did not print '{prefix}…' within {s_bound.TotalSeconds} s");
            }

            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line;
            }
        }
    }
}
