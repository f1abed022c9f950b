using System.Text.Json;
using Governance.Cli.Scanning;

namespace Governance.Cli.Reporting;

/// <summary>
/// The machine-readable report other tools read. Its shape is a contract:
/// <c>{"root","mode","fallbackReason","files","lines","durationMs","analyzerExceptions","binding","notes","diagnostics":[{"id","severity","path","line","column","message"}]}</c>,
/// where <c>mode</c> is <c>project</c> or <c>source</c>, <c>fallbackReason</c> says why project mode fell back (else
/// null), and <c>binding</c> (null in project mode) is
/// <c>{"filesUsingCoreTypes","filesUnresolved","unresolvedByName":{"Task":n,…},"assumedImplicitUsings":[project…],"unresolvedFiles":[the first 10 paths]}</c>.
/// </summary>
internal static class JsonReport
{
    internal static void Write(ScanResult result, Stream output)
    {
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteString("root", result.Root);
        json.WriteString("mode", result.Mode == ScanMode.Project ? "project" : "source");
        json.WriteString("fallbackReason", result.FallbackReason);
        json.WriteNumber("files", result.Files);
        json.WriteNumber("lines", result.Lines);
        json.WriteNumber("durationMs", result.DurationMs);
        json.WriteNumber("analyzerExceptions", result.AnalyzerExceptions);
        WriteBinding(json, result.Binding);
        json.WriteStartArray("notes");
        foreach (var note in result.Notes)
        {
            json.WriteStringValue(note);
        }

        json.WriteEndArray();
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

    private static void WriteBinding(Utf8JsonWriter json, BindingReport? binding)
    {
        if (binding is null)
        {
            json.WriteNull("binding");
            return;
        }

        json.WriteStartObject("binding");
        json.WriteNumber("filesUsingCoreTypes", binding.FilesUsingCoreTypes);
        json.WriteNumber("filesUnresolved", binding.FilesUnresolved);
        json.WriteStartObject("unresolvedByName");
        foreach (var (name, files) in binding.UnresolvedByName.OrderBy(n => n.Key, StringComparer.Ordinal))
        {
            json.WriteNumber(name, files);
        }

        json.WriteEndObject();
        json.WriteStartArray("assumedImplicitUsings");
        foreach (var project in binding.AssumedImplicitUsings)
        {
            json.WriteStringValue(project);
        }

        json.WriteEndArray();
        json.WriteStartArray("unresolvedFiles");
        foreach (var file in binding.UnresolvedFiles)
        {
            json.WriteStringValue(file);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }
}
