using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Governance.Cli.Commands;

/// <summary>Arguments of <c>governance scan</c>.</summary>
internal sealed class ScanSettings : CommandSettings
{
    [CommandArgument(0, "<path>")]
    [Description("A folder, a .sln/.slnx, a .csproj or a single .cs file to scan.")]
    public string Path { get; init; } = string.Empty;

    [CommandOption("-f|--format <FORMAT>")]
    [Description("table (default), json or sarif.")]
    [DefaultValue("table")]
    public string Format { get; init; } = "table";

    [CommandOption("-o|--output <FILE>")]
    [Description("Write the report to FILE instead of the console.")]
    public string? Output { get; init; }

    [CommandOption("--fail-on <SEVERITY>")]
    [Description("Exit with 1 when a finding is at or above this severity: info, warning (default), error, or none.")]
    [DefaultValue("warning")]
    public string FailOn { get; init; } = "warning";

    [CommandOption("--measure-floor")]
    [Description("Also time the floor every analyzer pays (parsing and binding, with one trivial analyzer) and print both rates in lines/s.")]
    public bool MeasureFloor { get; init; }

    [CommandOption("--exclude <GLOB>")]
    [Description("Leave out files and folders matching GLOB, relative to the repository root (the git top level; the scanned folder outside git) (repeatable): a glob without '/' matches a name at any depth below the scanned folder (tests, *.Tests, *.g.cs); with '/' it is anchored at the repository root (samples/**, src/*/Generated); ** spans folders. Matching ignores case.")]
    public string[] Exclude { get; init; } = [];

    public override ValidationResult Validate()
    {
        if (Format is not ("table" or "json" or "sarif"))
        {
            return ValidationResult.Error($"unknown --format '{Format}': use table, json or sarif");
        }

        if (FailOn is not ("info" or "warning" or "error" or "none"))
        {
            return ValidationResult.Error($"unknown --fail-on '{FailOn}': use info, warning, error or none");
        }

        if (Exclude.Select(Scanning.PathFilter.Validate).FirstOrDefault(e => e is not null) is { } badGlob)
        {
            return ValidationResult.Error(badGlob);
        }

        return ValidationResult.Success();
    }
}
