using Governance.Cli.Fixing;
using Governance.Cli.Scanning;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Governance.Cli.Commands;

/// <summary>
/// <c>governance fix &lt;path&gt;</c>: applies every Governance code fix (Fix All) in place and lists what changed.
/// Refuses to touch a git work tree with uncommitted changes under the path unless <c>--force</c>, so that the
/// fixes can always be reviewed (and undone) as one diff.
/// </summary>
internal sealed class FixCommand(IAnsiConsole console) : AsyncCommand<FixSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, FixSettings settings, CancellationToken cancellationToken)
    {
        try
        {
            var (full, _) = Scanner.Resolve(settings.Path);
            if (!settings.Force && !settings.DryRun && GitState.UncommittedChanges(full) is { Count: > 0 } changes)
            {
                await Console.Error.WriteLineAsync(
                    $"governance: {changes.Count} uncommitted change(s) under {settings.Path} (first: {changes[0]}); commit or stash them first, or pass --force").ConfigureAwait(false);
                return ExitCodes.UsageError;
            }

            static void Warn(string message) => Console.Error.WriteLine($"governance: {message}");
            var fixer = new Fixer(RuleCatalog.Analyzers);
            var interactive = !Console.IsOutputRedirected;
            var result = interactive
                ? await console.Status().StartAsync("Fixing…", status => fixer.FixAsync(settings.Path, new PathFilter(settings.Exclude), settings.Rule, !settings.DryRun, m => status.Status(Markup.Escape(m)), Warn, cancellationToken)).ConfigureAwait(false)
                : await fixer.FixAsync(settings.Path, new PathFilter(settings.Exclude), settings.Rule, !settings.DryRun, progress: null, Warn, cancellationToken).ConfigureAwait(false);
            Write(result, settings.DryRun);
            return ExitCodes.Clean;
        }
        catch (ScanException ex)
        {
            await Console.Error.WriteLineAsync($"governance: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.UsageError;
        }
    }

    private void Write(FixResult result, bool dryRun)
    {
        console.WriteLine($"Mode: {LoadedCode.Describe(result.Mode, result.FallbackReason)}");
        foreach (var note in result.Notes)
        {
            console.WriteLine($"Note: {note}");
        }

        var fixedCount = result.Files.Sum(f => f.FixedByRule.Values.Sum());
        if (result.Files.Count == 0)
        {
            console.MarkupLine("Nothing to fix automatically.");
        }
        else
        {
            var table = new Table().Border(TableBorder.Rounded).AddColumns("File", dryRun ? "Would fix" : "Fixed");
            foreach (var file in result.Files)
            {
                table.AddRow(new Text(file.Path), new Text(string.Join(", ", file.FixedByRule.Where(r => r.Value > 0).OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key} ×{r.Value}"))));
            }

            console.Write(table);
            console.MarkupLineInterpolated($"{(dryRun ? "Would fix" : "Fixed")} [bold]{fixedCount}[/] finding(s) in {result.Files.Count} file(s) under {result.Root}{(dryRun ? " (dry run: nothing written)" : string.Empty)}.");
        }

        if (result.Remaining.Count > 0)
        {
            console.MarkupLineInterpolated($"{result.Remaining.Count} finding(s) have no automatic fix and need a decision:");
            foreach (var finding in result.Remaining)
            {
                console.WriteLine($"  {finding.Path}:{finding.Line}:{finding.Column}  {finding.Id}  {finding.Message}");
            }
        }
    }
}
