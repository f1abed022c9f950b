using System.Diagnostics;

namespace Governance.Cli.Tests.Tasks;

/// <summary>
/// The ParkedTarget helper process: told on stdin to park async operations, start timers and buffer channel items,
/// it acknowledges each command on stdout once it has taken effect. Killed (with its tree) on dispose.
/// </summary>
internal sealed class ParkedTargetProcess : IAsyncDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly Process _process;

    private ParkedTargetProcess(Process process, int processId)
    {
        _process = process;
        ProcessId = processId;
    }

    internal int ProcessId { get; }

    internal static async Task<ParkedTargetProcess> StartAsync()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(TargetPath);
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the target process");
        try
        {
            var ready = await process.StandardOutput.ReadLineAsync().WaitAsync(Bound);
            Assert.True(ready is not null && ready.StartsWith("ready ", StringComparison.Ordinal), $"the target did not start: '{ready}'");
            return new ParkedTargetProcess(process, int.Parse(ready!["ready ".Length..], System.Globalization.CultureInfo.InvariantCulture));
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    /// <summary>Sends one command and waits (bounded) for its acknowledgement.</summary>
    internal async Task<string> SendAsync(string command)
    {
        await _process.StandardInput.WriteLineAsync(command).WaitAsync(Bound);
        await _process.StandardInput.FlushAsync().WaitAsync(Bound);
        var ack = await ReadLineAsync();
        Assert.True(ack is not null && ack.StartsWith("ok " + command, StringComparison.Ordinal), $"the target did not acknowledge '{command}': '{ack}'");
        return ack!;
    }

    /// <summary>The target's next line of its own: createdump, run by the runtime when a dump is written, prints to the target's stdout.</summary>
    private async Task<string?> ReadLineAsync()
    {
        while (true)
        {
            var line = await _process.StandardOutput.ReadLineAsync().WaitAsync(Bound);
            if (line is null || !line.StartsWith("[createdump]", StringComparison.Ordinal))
            {
                return line;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(Bound);
            }
        }
        finally
        {
            _process.Dispose();
        }
    }

    /// <summary>The target's build output, beside this test assembly's: artifacts/bin/&lt;project&gt;/&lt;configuration&gt;/.</summary>
    private static string TargetPath
    {
        get
        {
            const string name = "Governance.Cli.Tests.ParkedTarget";
            var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var path = Path.Combine(here.Parent!.Parent!.FullName, name, here.Name, name + ".dll");
            Assert.True(File.Exists(path), $"the target process is not built: {path}");
            return path;
        }
    }
}
