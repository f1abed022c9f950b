using Governance.Cli.Commands;
using Governance.Cli.Diagnosis;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Governance.Cli;

/// <summary>The <c>governance</c> command line, runnable in-process (tests pass their own console).</summary>
internal static class GovernanceApp
{
    internal static Task<int> RunAsync(string[] args, IAnsiConsole console, CancellationToken cancellationToken = default) =>
        RunAsync(args, console, Console.Error, cancellationToken);

    /// <summary>Runs with <paramref name="error"/> as the diagnosis commands' stderr (progress and one-line errors).</summary>
    internal static async Task<int> RunAsync(string[] args, IAnsiConsole console, TextWriter error, CancellationToken cancellationToken = default)
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("governance");
            config.ConfigureConsole(console);
            config.PropagateExceptions();
            // An option nobody knows is a usage error (exit 2), never silently dropped: a typo must not change a CI gate.
            config.UseStrictParsing();
            config.Settings.Registrar.RegisterInstance(console);
            config.Settings.Registrar.RegisterInstance(new ErrorOutput(error));
            config.AddCommand<ScanCommand>("scan").WithDescription("Scan a folder, solution or project for leaked async work.");
            config.AddCommand<FixCommand>("fix").WithDescription("Apply the code fixes (Fix All) in place and list what changed.");
            config.AddCommand<TasksCommand>("tasks").WithDescription("List a running .NET process's pending async operations by await chain, its timers and channels; --diff shows what grew.");
            config.AddCommand<WatchCommand>("watch").WithDescription("Watch a running .NET process's Governance and runtime figures live, with threshold alerts.");
            config.AddCommand<RulesCommand>("rules").WithDescription("List every rule with its ID, title, default severity and help link.");
        });

        try
        {
            return await app.RunAsync(args, cancellationToken).ConfigureAwait(false);
        }
        catch (CommandAppException ex)
        {
            await error.WriteLineAsync($"governance: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.UsageError;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A bug of ours, or an environment nobody foresaw: say so in one line first, keep the details for a report.
            await error.WriteLineAsync($"governance: internal error ({ex.GetType().Name}: {ex.Message}); please report it with the details below").ConfigureAwait(false);
            await error.WriteLineAsync(ex.ToString()).ConfigureAwait(false);
            return ExitCodes.UsageError;
        }
    }
}
