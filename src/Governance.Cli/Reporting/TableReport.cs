using Governance.Cli.Scanning;
using Microsoft.CodeAnalysis;
using Spectre.Console;

namespace Governance.Cli.Reporting;

/// <summary>The human report: a table of rules with counts and help links, then each finding under its rule.</summary>
internal static class TableReport
{
    internal static void Write(ScanResult result, IReadOnlyList<DiagnosticDescriptor> rules, IAnsiConsole console)
    {
        var titles = rules.ToDictionary(r => r.Id, r => (Title: r.Title.ToString(System.Globalization.CultureInfo.InvariantCulture), Help: r.HelpLinkUri), StringComparer.Ordinal);
        var seconds = result.DurationMs / 1000.0;
        var rate = seconds > 0 ? result.Lines / seconds : 0;
        // The process's peak working set: the scan is what this process does, so it is the scan's peak memory.
        var peakMegabytes = System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024);
        console.MarkupLineInterpolated($"Scanned [bold]{result.Files}[/] files ({result.Lines:N0} lines) under {result.Root} in {seconds:0.0} s ({rate:N0} lines/s, peak memory {peakMegabytes:N0} MB).");
        if (result.AnalyzerExceptions > 0)
        {
            console.MarkupLineInterpolated($"[red]{result.AnalyzerExceptions} analyzer exception(s): please report them.[/]");
        }

        if (result.Diagnostics.Count == 0)
        {
            console.MarkupLine("[green]No leaks found.[/]");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumns("Rule", "Severity", "Count", "Title", "Help");
        foreach (var group in result.Diagnostics.GroupBy(d => d.Id).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var (title, help) = titles.TryGetValue(group.Key, out var rule) ? rule : (string.Empty, string.Empty);
            table.AddRow(
                new Text(group.Key),
                new Text(group.First().Severity),
                new Text(group.Count().ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new Text(title),
                new Text(help));
        }

        console.Write(table);
        foreach (var group in result.Diagnostics.GroupBy(d => d.Id).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            console.WriteLine();
            console.MarkupLineInterpolated($"[bold]{group.Key}[/] ({group.Count()})");
            foreach (var finding in group)
            {
                console.WriteLine($"  {finding.Path}:{finding.Line}:{finding.Column}  {finding.Message}");
            }
        }
    }
}
