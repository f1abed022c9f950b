using Governance.Cli.Reporting;
using Governance.Cli.Scanning;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Governance.Cli.Commands;

/// <summary><c>governance scan &lt;path&gt;</c>: runs every Governance analyzer over a codebase and reports the leaks.</summary>
internal sealed class ScanCommand(IAnsiConsole console) : AsyncCommand<ScanSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ScanSettings settings, CancellationToken cancellationToken)
    {
        var path = System.IO.Path.GetFullPath(settings.Path);
        string root;
        if (Directory.Exists(path))
        {
            root = path;
        }
        else if (File.Exists(path) && System.IO.Path.GetExtension(path) is ".sln" or ".slnx" or ".csproj")
        {
            // Project loading (MSBuildWorkspace) is not built yet: scan the folder that holds the project in source
            // mode, which still applies each project's usings and the tree's .editorconfig files.
            root = System.IO.Path.GetDirectoryName(path)!;
            await Console.Error.WriteLineAsync($"governance: loading {System.IO.Path.GetFileName(path)} as a project is not available yet; scanning {root} in source mode").ConfigureAwait(false);
        }
        else
        {
            await Console.Error.WriteLineAsync($"governance: path not found or not a folder, .sln, .slnx or .csproj: {settings.Path}").ConfigureAwait(false);
            return ExitCodes.UsageError;
        }

        ScanResult result;
        try
        {
            var scanner = new SourceScanner(RuleCatalog.Analyzers);
            var interactive = !Console.IsOutputRedirected && settings.Output is null && settings.Format == "table";
            result = interactive
                ? await console.Status().StartAsync("Scanning…", status => scanner.ScanAsync(root, message => status.Status(Markup.Escape(message)), cancellationToken)).ConfigureAwait(false)
                : await scanner.ScanAsync(root, progress: null, cancellationToken).ConfigureAwait(false);
        }
        catch (ScanException ex)
        {
            await Console.Error.WriteLineAsync($"governance: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.UsageError;
        }

        await WriteReportAsync(result, settings).ConfigureAwait(false);
        return Fails(result, settings.FailOn) ? ExitCodes.Findings : ExitCodes.Clean;
    }

    private async Task WriteReportAsync(ScanResult result, ScanSettings settings)
    {
        if (settings.Format == "table")
        {
            if (settings.Output is null)
            {
                TableReport.Write(result, RuleCatalog.Rules, console);
                return;
            }

            await using var writer = new StreamWriter(settings.Output);
            TableReport.Write(result, RuleCatalog.Rules, AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Out = new AnsiConsoleOutput(writer),
            }));
            return;
        }

        await using var stream = settings.Output is null ? Console.OpenStandardOutput() : File.Create(settings.Output);
        if (settings.Format == "json")
        {
            JsonReport.Write(result, stream);
        }
        else
        {
            SarifReport.Write(result, RuleCatalog.Rules, stream);
        }

        await stream.FlushAsync().ConfigureAwait(false);
    }

    private static bool Fails(ScanResult result, string failOn)
    {
        var threshold = failOn switch
        {
            "info" => 0,
            "warning" => 1,
            "error" => 2,
            _ => int.MaxValue,
        };
        return result.Diagnostics.Any(d => (d.Severity switch { "error" => 2, "warning" => 1, _ => 0 }) >= threshold);
    }
}
