using System.Text.Json;
using Governance.Cli.Scanning;

namespace Governance.Cli.Reporting;

/// <summary>
/// The machine-readable report other tools read. Its shape is a contract:
/// <c>{"root","files","lines","durationMs","analyzerExceptions","diagnostics":[{"id","severity","path","line","column","message"}]}</c>.
/// </summary>
internal static class JsonReport
{
    internal static void Write(ScanResult result, Stream output)
    {
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteString("root", result.Root);
        json.WriteNumber("files", result.Files);
        json.WriteNumber("lines", result.Lines);
        json.WriteNumber("durationMs", result.DurationMs);
        json.WriteNumber("analyzerExceptions", result.AnalyzerExceptions);
        json.WriteStartArray("diagnostics");
        foreach (var finding in result.Diagnostics)
        {
            json.WriteStartObject();
            json.WriteString("id", finding.Id);
            json.WriteString("severity", finding.Severity);
            json.WriteString("path", finding.Path);
            json.WriteNumber("line", finding.Line);
            json.WriteNumber("column", finding.Column);
            json.WriteString("message", finding.Message);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }
}
