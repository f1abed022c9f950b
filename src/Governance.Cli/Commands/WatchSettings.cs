using Governance.Cli.Diagnosis;
using System.ComponentModel;
using Governance.Cli.Diagnosis.Watch;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Governance.Cli.Commands;

/// <summary>Arguments of <c>governance watch</c>.</summary>
internal sealed class WatchSettings : CommandSettings
{
    [CommandArgument(0, "<pid>")]
    [Description("The id of a running .NET 8+ process (it need not use Governance).")]
    public int Pid { get; init; }

    [CommandOption("--json")]
    [Description("Write one JSON object per interval (and per alert) per line instead of the table.")]
    public bool Json { get; init; }

    [CommandOption("--record <FILE>")]
    [Description("Also append every figure to FILE as CSV rows: timestamp,provider,name,tags,statistic,value.")]
    public string? Record { get; init; }

    [CommandOption("--duration <DURATION>")]
    [Description("Stop after DURATION (500ms, 5s, 2m); without it, watch until Ctrl+C.")]
    public string? Duration { get; init; }

    [CommandOption("--refresh-interval <DURATION>")]
    [Description("The interval between figures (default 1s, as dotnet-counters uses: tools watching one process must agree on it).")]
    [DefaultValue("1s")]
    public string RefreshInterval { get; init; } = "1s";

    [CommandOption("--alert <RULE>")]
    [Description("Fire when a figure stays past a threshold for a whole window (repeatable): \"<instrument>[{tag=value,...}] [p50|p95|p99|value|rate|count] (>|>=|<|<=) <number>[ms|s|%] for <duration>\", e.g. \"governance.limiter.queue_wait p99 > 100ms for 30s\".")]
    public string[] Alert { get; init; } = [];

    [CommandOption("--exit-on-alert")]
    [Description("End with exit code 3 when the first alert fires.")]
    public bool ExitOnAlert { get; init; }

    internal TimeSpan? DurationValue => Durations.TryParse(Duration, out var d) ? d : null;

    internal TimeSpan RefreshIntervalValue => Durations.TryParse(RefreshInterval, out var d) ? d : TimeSpan.FromSeconds(1);

    internal IReadOnlyList<AlertRule> Rules => [.. Alert.Select(text => AlertRule.TryParse(text, out var rule, out _) ? rule! : throw new InvalidOperationException(text))];

    public override ValidationResult Validate()
    {
        if (Pid <= 0)
        {
            return ValidationResult.Error($"'{Pid}' is not a process id");
        }

        if (Duration is not null && !Durations.TryParse(Duration, out _))
        {
            return ValidationResult.Error($"malformed --duration '{Duration}': use a positive number with ms, s, m or h (500ms, 5s, 2m)");
        }

        if (!Durations.TryParse(RefreshInterval, out var refresh) || refresh < TimeSpan.FromMilliseconds(100))
        {
            return ValidationResult.Error($"malformed --refresh-interval '{RefreshInterval}': use a duration of at least 100ms (1s, 500ms)");
        }

        foreach (var text in Alert)
        {
            if (!AlertRule.TryParse(text, out _, out var error))
            {
                return ValidationResult.Error(error!);
            }
        }

        if (ExitOnAlert && Alert.Length == 0)
        {
            return ValidationResult.Error("--exit-on-alert needs at least one --alert rule");
        }

        return ValidationResult.Success();
    }
}
