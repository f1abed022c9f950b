using System.Diagnostics;

namespace Governance.Cli.Tests.Tasks;

/// <summary>The built <c>governance</c> command run as a process of its own.</summary>
internal static class CliProcess
{
    internal static async Task<(int Exit, string Output, string Errors)> RunAsync(params string[] args)
    {
        const string name = "Governance.Cli";
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var cli = Path.Combine(here.Parent!.Parent!.FullName, name, here.Name, name + ".dll");
        Assert.True(File.Exists(cli), $"the command is not built: {cli}");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(cli);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        try
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
            return (process.ExitCode, await output, await errors);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
