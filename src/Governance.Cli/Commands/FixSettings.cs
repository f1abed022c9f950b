using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Governance.Cli.Commands;

/// <summary>Arguments of <c>governance fix</c>.</summary>
internal sealed class FixSettings : CommandSettings
{
    [CommandArgument(0, "<path>")]
    [Description("A folder, a .sln/.slnx, a .csproj or a single .cs file whose findings to fix in place.")]
    public string Path { get; init; } = string.Empty;

    [CommandOption("-r|--rule <ID>")]
    [Description("Fix only this rule (e.g. GOV1001).")]
    public string? Rule { get; init; }

    [CommandOption("--force")]
    [Description("Fix even when the git work tree has uncommitted changes under the path.")]
    public bool Force { get; init; }

    [CommandOption("--dry-run")]
    [Description("List what would be fixed without writing any file (allowed on a tree with uncommitted changes).")]
    public bool DryRun { get; init; }

    [CommandOption("--exclude <GLOB>")]
    [Description("Leave out files and folders matching GLOB, relative to the repository root (the git top level; the scanned folder outside git) (repeatable): a glob without '/' matches a name at any depth below the scanned folder (tests, *.Tests, *.g.cs); with '/' it is anchored at the repository root (samples/**, src/*/Generated); ** spans folders. Matching ignores case.")]
    public string[] Exclude { get; init; } = [];

    public override ValidationResult Validate() =>
        Rule is not null && !Scanning.RuleCatalog.Rules.Any(r => r.Id.Equals(Rule, StringComparison.OrdinalIgnoreCase))
            ? ValidationResult.Error($"unknown --rule '{Rule}': run 'governance rules' for the list")
            : Exclude.Select(Scanning.PathFilter.Validate).FirstOrDefault(e => e is not null) is { } badGlob
                ? ValidationResult.Error(badGlob)
                : ValidationResult.Success();
}
