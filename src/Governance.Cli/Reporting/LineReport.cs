using Governance.Cli.Scanning;

namespace Governance.Cli.Reporting;

/// <summary>
/// The table format when the output is not a terminal: one finding per line, <c>path:line:col: severity GOVxxxx: message</c>,
/// the shape compilers write, so that editors, <c>grep</c> and CI log parsers read it.
/// </summary>
internal static class LineReport
{
    internal static void Write(ScanResult result, TextWriter writer)
    {
        foreach (var finding in result.Diagnostics)
        {
            writer.WriteLine($"{finding.Path}:{finding.Line}:{finding.Column}: {finding.Severity} {finding.Id}: {finding.Message}");
        }

        writer.Flush();
    }

    /// <summary>What the table's header says, as plain lines: the totals, the mode, and the notes.</summary>
    internal static IEnumerable<string> Summary(ScanResult result)
    {
        yield return TableReport.SummaryLine(result);
        yield return $"mode: {result.ModeDescription}";
        foreach (var note in result.Notes)
        {
            yield return $"note: {note}";
        }

        if (result.AnalyzerExceptions > 0)
        {
            yield return $"{result.AnalyzerExceptions} analyzer exception(s): please report them";
        }
    }
}
