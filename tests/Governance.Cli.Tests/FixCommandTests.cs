namespace Governance.Cli.Tests;

/// <summary><c>governance fix</c>: Fix All in place, listing what changed, and never over uncommitted work.</summary>
public sealed class FixCommandTests : IDisposable
{
    private const string Timers = """
        namespace App;

        public sealed class Refresher : IDisposable
        {
            private Timer? _refresh;

            public void Start() => _refresh = new Timer(_ => { }, null, 0, 1000);

            public void Dispose()
            {
            }
        }
        """;

    private const string FanOuts = """
        namespace App;

        public static class Reservations
        {
            public static async Task ReserveAsync(List<int> items)
            {
                await Task.WhenAll(items.Select(item => Task.Delay(item)));
            }

            public static async Task ReleaseAsync(List<int> items)
            {
                await Task.WhenAll(items.Select(item => Task.Delay(item)));
            }
        }
        """;

    private readonly string _temp = Directory.CreateTempSubdirectory("governance-fix-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task Fix_Folder_AppliesEveryFixAndListsWhatChanged()
    {
        var app = await WriteAppAsync();

        var (exit, output) = await Cli.RunWithOutput("fix", app);

        Assert.Equal(0, exit);
        Assert.Contains("Reservations.cs", output, StringComparison.Ordinal);
        Assert.Contains("GOV1002 ×2", output, StringComparison.Ordinal);
        Assert.Contains("Refresher.cs", output, StringComparison.Ordinal);
        Assert.Contains("GOV2001 ×1", output, StringComparison.Ordinal);
        // The spawn in a void method has no automatic fix: it is listed as needing a decision, and left as it was.
        Assert.Contains("have no automatic fix", output, StringComparison.Ordinal);
        Assert.Contains("Batch.cs", output, StringComparison.Ordinal);
        var batch = await File.ReadAllTextAsync(Path.Combine(app, "Batch.cs"));
        Assert.Contains("_ = Task.Run(() => Console.WriteLine(item));", batch, StringComparison.Ordinal);
        Assert.StartsWith("namespace App;", batch, StringComparison.Ordinal);

        var reservations = await File.ReadAllTextAsync(Path.Combine(app, "Reservations.cs"));
        // The default GOV1002 fix keeps Task.WhenAll (every item runs, every failure is reported) behind a gate.
        Assert.Equal(2, reservations.Split("new SemaphoreSlim(").Length - 1);
        Assert.Equal(2, reservations.Split("Task.WhenAll(").Length - 1);
        Assert.StartsWith("namespace App;", reservations, StringComparison.Ordinal); // no using added, no blank line
        // The type is disposed by its owner: the fix disposes the timer there (it adds no Dispose that nobody would call).
        Assert.Contains("_refresh?.Dispose();", await File.ReadAllTextAsync(Path.Combine(app, "Refresher.cs")), StringComparison.Ordinal);

        var remaining = await Cli.Ids(_temp, app);
        Assert.DoesNotContain("GOV1002", remaining);
        Assert.DoesNotContain("GOV2001", remaining);
        Assert.Contains("GOV1001", remaining);
    }

    [Fact]
    public async Task Fix_Rule_FixesOnlyThatRule_InProjectMode()
    {
        var app = await WriteAppAsync();

        Assert.Equal(0, await Cli.Run("fix", Path.Combine(app, "App.csproj"), "--rule", "GOV2001"));

        Assert.Equal(FanOuts, await File.ReadAllTextAsync(Path.Combine(app, "Reservations.cs")));
        Assert.NotEqual(Timers, await File.ReadAllTextAsync(Path.Combine(app, "Refresher.cs")));
        var remaining = await Cli.Ids(_temp, app);
        Assert.DoesNotContain("GOV2001", remaining);
        Assert.Contains("GOV1002", remaining);
    }

    [Fact]
    public async Task Fix_UncommittedChanges_RefusesUnlessForced()
    {
        var app = await WriteAppAsync();
        CommitAll(app);
        var edited = Timers.Replace("1000", "2000", StringComparison.Ordinal);
        await File.WriteAllTextAsync(Path.Combine(app, "Refresher.cs"), edited);

        Assert.Equal(2, await Cli.Run("fix", app));
        Assert.Equal(edited, await File.ReadAllTextAsync(Path.Combine(app, "Refresher.cs")));
        Assert.Equal(FanOuts, await File.ReadAllTextAsync(Path.Combine(app, "Reservations.cs")));

        Assert.Equal(0, await Cli.Run("fix", app, "--force"));
        Assert.Contains("_refresh?.Dispose();", await File.ReadAllTextAsync(Path.Combine(app, "Refresher.cs")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fix_DryRun_ListsTheFixesAndWritesNothing_EvenOnADirtyTree()
    {
        var app = await WriteAppAsync();
        Cli.Git(app, "init", "--quiet"); // everything untracked: a real run would refuse

        var (exit, output) = await Cli.RunWithOutput("fix", app, "--dry-run");

        Assert.Equal(0, exit);
        Assert.Contains("GOV1002 ×2", output, StringComparison.Ordinal);
        Assert.Contains("dry run: nothing written", output, StringComparison.Ordinal);
        Assert.Equal(FanOuts, await File.ReadAllTextAsync(Path.Combine(app, "Reservations.cs")));
        Assert.Equal(Timers, await File.ReadAllTextAsync(Path.Combine(app, "Refresher.cs")));
    }

    [Fact]
    public async Task Fix_CleanGitTree_IsFixedWithoutForce()
    {
        var app = await WriteAppAsync();
        CommitAll(app);

        Assert.Equal(0, await Cli.Run("fix", app));
        Assert.NotEqual(FanOuts, await File.ReadAllTextAsync(Path.Combine(app, "Reservations.cs")));
    }

    [Theory]
    [InlineData("fix", "{missing}")]
    [InlineData("fix", "{app}", "--rule", "GOV9999")]
    public async Task Fix_BadInput_ExitsWith2(params string[] args)
    {
        var app = await WriteAppAsync();
        var resolved = args.Select(a => a.Replace("{app}", app, StringComparison.Ordinal).Replace("{missing}", Path.Combine(_temp, "missing"), StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, await Cli.Run(resolved));
    }

    private static void CommitAll(string app)
    {
        Cli.Git(app, "init", "--quiet");
        Cli.Git(app, "add", "-A");
        Cli.Git(app, "commit", "--quiet", "-m", "app");
    }

    private async Task<string> WriteAppAsync()
    {
        var app = Directory.CreateDirectory(Path.Combine(_temp, "app")).FullName;
        await File.WriteAllTextAsync(Path.Combine(app, "App.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "Batch.cs"), ProjectModeTests.Leaks);
        await File.WriteAllTextAsync(Path.Combine(app, "Reservations.cs"), FanOuts);
        await File.WriteAllTextAsync(Path.Combine(app, "Refresher.cs"), Timers);
        return app;
    }
}
