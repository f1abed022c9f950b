using System.ComponentModel;
using Governance.Cli.Diagnosis;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Governance.Cli.Commands;

/// <summary>Arguments of <c>governance tasks &lt;pid&gt;</c>.</summary>
internal sealed class TasksSettings : CommandSettings
{
    [CommandArgument(0, "<pid>")]
    [Description("The id of a running .NET 8+ process on this machine.")]
    public int ProcessId { get; init; }

    [CommandOption("--diff <DURATION>")]
    [Description("Take two snapshots DURATION apart (500ms, 10s, 2m) and show only the groups that grew, by how much.")]
    public string? Diff { get; init; }

    [CommandOption("--top <N>")]
    [Description("Show at most N groups per section (default 20; JSON lists every group unless --top is given).")]
    public int? Top { get; init; }

    [CommandOption("-f|--format <FORMAT>")]
    [Description("text (default) or json.")]
    [DefaultValue("text")]
    public string Format { get; init; } = "text";

    [CommandOption("--method <METHOD>")]
    [Description("dump (default: the runtime writes a heap dump to the temp folder, the target suspended only while it writes; the dump is walked, then deleted) or attach (ptrace, the target suspended for the whole walk; nothing written to disk).")]
    [DefaultValue("dump")]
    public string Method { get; init; } = "dump";

    [CommandOption("--include-unreachable")]
    [Description("Count pending operations that nothing references (garbage the next GC frees) in the groups, and skip the reachability walk that tells them apart.")]
    public bool IncludeUnreachable { get; init; }

    internal TimeSpan? DiffInterval => Durations.TryParse(Diff, out var interval) ? interval : null;

    public override ValidationResult Validate()
    {
        if (ProcessId <= 0)
        {
            return ValidationResult.Error($"invalid <pid> '{ProcessId}': give the id of a running process");
        }

        if (Diff is not null && (DiffInterval is not { } interval || interval <= TimeSpan.Zero))
        {
            return ValidationResult.Error($"invalid --diff '{Diff}': give a positive duration such as 500ms, 10s or 2m");
        }

        if (Top is <= 0)
        {
            return ValidationResult.Error($"invalid --top '{Top}': give a positive number of groups");
        }

        if (Format is not ("text" or "json"))
        {
            return ValidationResult.Error($"unknown --format '{Format}': use text or json");
        }

        if (Method is not ("attach" or "dump"))
        {
            return ValidationResult.Error($"unknown --method '{Method}': use attach or dump");
        }

        return ValidationResult.Success();
    }
}
