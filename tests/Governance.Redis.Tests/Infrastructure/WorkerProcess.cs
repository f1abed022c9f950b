using System.Diagnostics;
using System.Text;

namespace Governance.Redis.Tests;

/// <summary>
/// A Governance.Redis.Tests.Worker process: one instance of a service sharing the cluster-wide limit. Runs on this
/// test's runtime and dependencies; killed with its process tree when disposed, even when the test fails.
/// </summary>
public sealed class WorkerProcess : IDisposable
{
    private static readonly string s_dotnet = Path.Combine(
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", "..")),
        OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly List<(string Prefix, TaskCompletionSource<string> Line)> _expected = [];

    private WorkerProcess(Process process) => _process = process;

    public static WorkerProcess Start(params string[] arguments)
    {
        var directory = AppContext.BaseDirectory;
        var start = new ProcessStartInfo(s_dotnet)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The test's own runtime configuration and dependency file list everything the worker needs.
        foreach (var argument in new[]
        {
            "exec",
            "--runtimeconfig", Path.Combine(directory, "Governance.Redis.Tests.runtimeconfig.json"),
            "--depsfile", Path.Combine(directory, "Governance.Redis.Tests.deps.json"),
            Path.Combine(directory, "Governance.Redis.Tests.Worker.dll"),
        }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        var worker = new WorkerProcess(new Process { StartInfo = start });
        worker._process.OutputDataReceived += (_, e) => worker.OnLine(e.Data);
        worker._process.ErrorDataReceived += (_, e) => worker.OnLine(e.Data is null ? null : "[stderr] " + e.Data);
        worker._process.Start();
        worker._process.BeginOutputReadLine();
        worker._process.BeginErrorReadLine();
        return worker;
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Waits for the first line (already printed or to come) that starts with <paramref name="prefix"/>.</summary>
    public Task<string> WaitForLineAsync(string prefix, TimeSpan timeout)
    {
        var line = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_output)
        {
            var existing = _output.ToString().Split('\n').Select(l => l.TrimEnd('\r')).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
            if (existing is not null)
            {
                return Task.FromResult(existing);
            }

            _expected.Add((prefix, line));
        }

        return WaitAsync(line.Task, prefix, timeout);
    }

    public async Task SendLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The worker did not exit within {timeout.TotalSeconds} s. Its output:\n{Output}");
        }

        return _process.ExitCode;
    }

    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(TimeSpan.FromSeconds(20));
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private async Task<string> WaitAsync(Task<string> line, string prefix, TimeSpan timeout)
    {
        try
        {
            return await line.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The worker printed no line starting with '{prefix}' within {timeout.TotalSeconds} s. Its output:\n{Output}");
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        List<TaskCompletionSource<string>> matched = [];
        lock (_output)
        {
            _output.AppendLine(line);
            for (var i = _expected.Count - 1; i >= 0; i--)
            {
                if (line.StartsWith(_expected[i].Prefix, StringComparison.Ordinal))
                {
                    matched.Add(_expected[i].Line);
                    _expected.RemoveAt(i);
                }
            }
        }

        foreach (var waiter in matched)
        {
            waiter.TrySetResult(line);
        }
    }
}
