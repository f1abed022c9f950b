using System.Text.Json;
using Governance.Cli.Scanning;
using Microsoft.CodeAnalysis;

namespace Governance.Cli.Reporting;

/// <summary>SARIF 2.1.0, as GitHub code scanning accepts it: one run, the rules, and results with physical locations.</summary>
internal static class SarifReport
{
    internal static void Write(ScanResult result, IReadOnlyList<DiagnosticDescriptor> rules, Stream output)
    {
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteString("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
        json.WriteString("version", "2.1.0");
        json.WriteStartArray("runs");
        json.WriteStartObject();

        json.WriteStartObject("tool");
        json.WriteStartObject("driver");
        json.WriteString("name", "governance");
        json.WriteString("informationUri", "https://github.com/governance-dotnet/governance");
        json.WriteString("version", typeof(SarifReport).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");
        json.WriteStartArray("rules");
        foreach (var rule in rules)
        {
            json.WriteStartObject();
            json.WriteString("id", rule.Id);
            json.WriteString("name", rule.Id);
            json.WriteStartObject("shortDescription");
            json.WriteString("text", rule.Title.ToString(System.Globalization.CultureInfo.InvariantCulture));
            json.WriteEndObject();
            json.WriteStartObject("fullDescription");
            json.WriteString("text", rule.Description.ToString(System.Globalization.CultureInfo.InvariantCulture));
            json.WriteEndObject();
            json.WriteString("helpUri", rule.HelpLinkUri);
            json.WriteStartObject("defaultConfiguration");
            json.WriteString("level", Level(rule.DefaultSeverity switch
            {
                DiagnosticSeverity.Error => "error",
                DiagnosticSeverity.Warning => "warning",
                _ => "info",
            }));
            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();

        json.WriteStartObject("originalUriBaseIds");
        json.WriteStartObject("%SRCROOT%");
        json.WriteString("uri", new Uri(result.Root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar).AbsoluteUri);
        json.WriteEndObject();
        json.WriteEndObject();

        json.WriteStartArray("results");
        foreach (var finding in result.Diagnostics)
        {
            json.WriteStartObject();
            json.WriteString("ruleId", finding.Id);
            json.WriteString("level", Level(finding.Severity));
            json.WriteStartObject("message");
            json.WriteString("text", finding.Message);
            json.WriteEndObject();
            json.WriteStartArray("locations");
            json.WriteStartObject();
            json.WriteStartObject("physicalLocation");
            json.WriteStartObject("artifactLocation");
            json.WriteString("uri", finding.Path);
            json.WriteString("uriBaseId", "%SRCROOT%");
            json.WriteEndObject();
            json.WriteStartObject("region");
            json.WriteNumber("startLine", finding.Line);
            json.WriteNumber("startColumn", finding.Column);
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();

        // How the code was compiled, as in the table and the JSON: a source-mode scan may bind less than a build.
        json.WriteStartObject("properties");
        json.WriteString("mode", result.Mode == ScanMode.Project ? "project" : "source");
        json.WriteString("fallbackReason", result.FallbackReason);
        json.WriteEndObject();

        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    }

    // SARIF levels: error, warning, note.
    private static string Level(string severity) => severity == "info" ? "note" : severity;
}
