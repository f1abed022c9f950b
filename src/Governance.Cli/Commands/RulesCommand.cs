using System.Globalization;
using Governance.Cli.Scanning;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Governance.Cli.Commands;

/// <summary><c>governance rules</c>: every rule with its ID, title, default severity and help link.</summary>
internal sealed class RulesCommand(IAnsiConsole console) : Command
{
    public override int Execute(CommandContext context, CancellationToken cancellationToken)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns("ID", "Title", "Default severity", "Help");
        foreach (var rule in RuleCatalog.Rules)
        {
            table.AddRow(
                new Text(rule.Id),
                new Text(rule.Title.ToString(CultureInfo.InvariantCulture)),
                new Text(rule.DefaultSeverity.ToString().ToLowerInvariant()),
                new Text(rule.HelpLinkUri));
        }

        console.Write(table);
        return ExitCodes.Clean;
    }
}
