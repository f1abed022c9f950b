using System.Diagnostics;
using System.Text;

namespace Governance.Packaging.Tests;

/// <summary>The outcome of a child process: its exit code and everything it printed.</summary>
internal sealed record ProcessResult(string Command, int ExitCode, string StandardOutput, string StandardError, TimeSpan Elapsed)
{
    /// <summary>The command line, exit code, time and output, for assertion messages (the end of long output).</summary>
    public override string ToString()
    {
        const int Keep = 20_000;
        var output = StandardOutput + (StandardError.Length > 0 ? "\n[stderr]\n" + StandardError : string.Empty);
        if (output.Length > Keep)
        {
            output = "…" + output[^Keep..];
        }

        return $"$ {Command}\nexit code {ExitCode} after {Elapsed.TotalSeconds:F1} s\n{output}";
    }
}

/// <summary>Runs <c>dotnet</c> and built tools as child processes with a bounded wait and a quiet, isolated environment.</summary>
internal static class DotnetProcess
{
    /// <summary>Long enough for a cold restore and build on a 2-core machine; a hung child fails the test instead of hanging it.</summary>
    internal static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    // Set by `dotnet test` and the SDK for their own children: a child build must find its SDK the ordinary way.
    private static readonly string[] s_inheritedMSBuildVariables =
        ["MSBuildSDKsPath", "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildLoadMicrosoftTargetsReadOnly", "MSBUILDNOINPROCNODE"];

    /// <summary>The dotnet installation running this test, for children that need DOTNET_ROOT (an installed tool's apphost).</summary>
    internal static string DotnetRoot { get; } =
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", ".."));

    internal static Task<ProcessResult> DotnetAsync(string workingDirectory, IReadOnlyDictionary<string, string?>? environment, params string[] arguments) =>
        RunAsync("dotnet", workingDirectory, environment, arguments);

    internal static async Task<ProcessResult> RunAsync(string fileName, string workingDirectory, IReadOnlyDictionary<string, string?>? environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in s_inheritedMSBuildVariables)
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        start.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
        // No MSBuild worker nodes or MSBuild server left behind after the child exits.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["DOTNET_ROOT"] = DotnetRoot;
        if (environment is not null)
        {
            foreach (var (name, value) in environment)
            {
                start.Environment[name] = value;
            }
        }

        var command = fileName + " " + string.Join(' ', arguments.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"\"{a}\"" : a));
        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {command}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return new ProcessResult(command, -1, await stdout + $"\n[killed after {DefaultTimeout.TotalMinutes} minutes]", await stderr, stopwatch.Elapsed);
        }

        return new ProcessResult(command, process.ExitCode, await stdout, await stderr, stopwatch.Elapsed);
    }
}
