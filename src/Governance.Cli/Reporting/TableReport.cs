using System.Globalization;
using Governance.Cli.Scanning;
using Microsoft.CodeAnalysis;
using Spectre.Console;

namespace Governance.Cli.Reporting;

/// <summary>
/// The human report on a terminal: the totals, the mode and the notes, a table of rules with counts, then each finding
/// under its rule and help link.
/// </summary>
internal static class TableReport
{
    internal static void Write(ScanResult result, IReadOnlyList<DiagnosticDescriptor> rules, IAnsiConsole console)
    {
        var titles = rules.ToDictionary(r => r.Id, r => (Title: r.Title.ToString(CultureInfo.InvariantCulture), Help: r.HelpLinkUri), StringComparer.Ordinal);
        console.WriteLine(SummaryLine(result));
        console.MarkupLineInterpolated($"Mode: {result.ModeDescription}");
        foreach (var note in result.Notes)
        {
            console.MarkupLineInterpolated($"[yellow]Note: {note}[/]");
        }

        if (result.AnalyzerExceptions > 0)
        {
            console.MarkupLineInterpolated($"[red]{result.AnalyzerExceptions} analyzer exception(s): please report them.[/]");
        }

        if (result.Diagnostics.Count == 0)
        {
            console.MarkupLine("[green]No leaks found.[/]");
            return;
        }

        // No links in the table: a cell wraps its text to the column, and a link cut in two no longer opens. Each rule's
        // link heads its findings below, written past Spectre's layout (which would fold it at the console width) so that
        // the terminal may fold the line on screen but the link stays one piece.
        var table = new Table().Border(TableBorder.Rounded).AddColumns("Rule", "Severity", "Count", "Title");
        foreach (var group in result.Diagnostics.GroupBy(d => d.Id).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var title = titles.TryGetValue(group.Key, out var rule) ? rule.Title : string.Empty;
            table.AddRow(
                new Text(group.Key),
                new Text(group.First().Severity),
                new Text(group.Count().ToString(CultureInfo.InvariantCulture)),
                new Text(title));
        }

        console.Write(table);
        foreach (var group in result.Diagnostics.GroupBy(d => d.Id).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            console.WriteLine();
            var help = titles.TryGetValue(group.Key, out var rule) ? rule.Help : string.Empty;
            console.Profile.Out.Writer.WriteLine($"{group.Key} ({group.Count()}) {help}");
            foreach (var finding in group)
            {
                console.WriteLine($"  {finding.Path}:{finding.Line}:{finding.Column}  {finding.Message}");
            }
        }
    }

    /// <summary>The totals: files, lines, time, rate and the process's peak memory.</summary>
    internal static string SummaryLine(ScanResult result)
    {
        var seconds = result.DurationMs / 1000.0;
        var rate = seconds > 0 ? result.Lines / seconds : 0;
        // The process's peak working set: the scan is what this process does, so it is the scan's peak memory.
        var peakMegabytes = System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024);
        return string.Create(CultureInfo.InvariantCulture, $"Scanned {result.Files} files ({result.Lines:N0} lines) under {result.Root} in {seconds:0.0} s ({rate:N0} lines/s, peak memory {peakMegabytes:N0} MB).");
    }
}
