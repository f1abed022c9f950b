using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Governance.Cli.Diagnosis.Watch;

/// <summary>
/// <c>--json</c>: one object per line. An interval:
/// <c>{"timestamp":"…Z","pid":123,"metrics":[{"provider":"Governance","name":"governance.limiter.queued","tags":{"governance.limiter.name":"orders"},"unit":"{task}","value":3}, …]}</c>;
/// a gauge or up-down counter has <c>value</c>, a counter <c>value</c> (its total) and <c>rate</c> (per second), a
/// histogram <c>quantiles</c> (<c>p50</c>, <c>p95</c>, <c>p99</c>, in its unit) and <c>count</c>. An alert:
/// <c>{"timestamp":"…Z","pid":123,"alert":{"rule":"…","name":"…","tags":{…},"statistic":"p99","value":0.41,"unit":"s","message":"alert: …"}}</c>.
/// </summary>
internal static class WatchJson
{
    internal static string Interval(int pid, WatchInterval interval) => Write(writer =>
    {
        writer.WriteString("timestamp", interval.Timestamp.UtcDateTime);
        writer.WriteNumber("pid", pid);
        writer.WriteStartArray("metrics");
        foreach (var point in interval.Points)
        {
            writer.WriteStartObject();
            writer.WriteString("provider", point.Provider);
            writer.WriteString("name", point.Name);
            WriteTags(writer, point);
            writer.WriteString("unit", point.Unit);
            switch (point.Kind)
            {
                case InstrumentKind.Histogram:
                    writer.WriteStartObject("quantiles");
                    foreach (var (label, statistic) in new[] { ("p50", Statistic.P50), ("p95", Statistic.P95), ("p99", Statistic.P99) })
                    {
                        if (point.Get(statistic) is { } q)
                        {
                            writer.WriteNumber(label, q);
                        }
                    }

                    writer.WriteEndObject();
                    writer.WriteNumber("count", point.Count);
                    break;
                case InstrumentKind.Counter:
                    WriteNumber(writer, "value", point.Value);
                    WriteNumber(writer, "rate", point.Rate);
                    break;
                default:
                    WriteNumber(writer, "value", point.Value);
                    break;
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    });

    internal static string Alert(int pid, AlertFiring alert) => Write(writer =>
    {
        writer.WriteString("timestamp", alert.Timestamp.UtcDateTime);
        writer.WriteNumber("pid", pid);
        writer.WriteStartObject("alert");
        writer.WriteString("rule", alert.Rule.Text);
        writer.WriteString("name", alert.Point.Name);
        WriteTags(writer, alert.Point);
        writer.WriteString("statistic", alert.Statistic);
        writer.WriteNumber("value", alert.Value);
        writer.WriteString("unit", alert.Point.Unit);
        writer.WriteString("message", alert.ToString());
        writer.WriteEndObject();
    });

    private static void WriteTags(Utf8JsonWriter writer, MetricPoint point)
    {
        writer.WriteStartObject("tags");
        foreach (var (key, value) in point.TagPairs)
        {
            writer.WriteString(key, value);
        }

        writer.WriteEndObject();
    }

    private static void WriteNumber(Utf8JsonWriter writer, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v))
        {
            writer.WriteNumber(name, v);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    // Rules hold '>' and '<': written as they are (the lines are read by people and by JSON parsers, never embedded in HTML).
    private static string Write(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
