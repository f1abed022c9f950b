namespace Governance.Tests;

/// <summary>The README's code must be code that builds: its quick start is the snippet of a sample that CI compiles.</summary>
public sealed class ReadmeTests
{
    [Theory]
    [InlineData("quickstart", "samples/QuickStart/Program.cs", "new TaskLimiter(")]
    [InlineData("aspnetcore", "samples/GovernedOrders/Program.cs", "app.UseTaskLimiter();")]
    public void Snippet_InReadme_IsTheSampleThatCiBuilds(string name, string samplePath, string mustContain)
    {
        var root = RepositoryRoot();
        var sample = File.ReadAllText(Path.Combine(root, samplePath)).ReplaceLineEndings("\n");
        var readme = File.ReadAllText(Path.Combine(root, "README.md")).ReplaceLineEndings("\n");

        var snippet = Between(sample, $"// begin-snippet: {name}\n", "// end-snippet").TrimEnd('\n');
        var shown = Between(Between(readme, $"<!-- snippet: {name}", "\n```\n"), "```csharp\n", null).TrimEnd('\n');

        Assert.Contains(mustContain, snippet, StringComparison.Ordinal);
        Assert.Equal(snippet, shown);
    }

    [Fact]
    public void Readme_StartsWithTheMainJobAndTheTestCommand()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        var firstBlock = Between(readme, "```bash\n", "```");
        var lines = firstBlock.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("dotnet run --project src/Governance.Cli -- scan samples/LeakyOrders", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("dotnet test Governance.sln", lines[1], StringComparison.Ordinal);

        // CI must run the README's test command exactly as written, so that what the README promises is what CI checks.
        var ci = File.ReadAllText(Path.Combine(RepositoryRoot(), ".ci", "run"));
        Assert.Contains(lines[1].Trim(), ci, StringComparison.Ordinal);
    }

    private static string Between(string text, string start, string? end)
    {
        var from = text.IndexOf(start, StringComparison.Ordinal);
        Assert.True(from >= 0, $"marker not found: {start}");
        from += start.Length;
        if (end is null)
        {
            return text[from..];
        }

        var to = text.IndexOf(end, from, StringComparison.Ordinal);
        Assert.True(to >= 0, $"marker not found: {end}");
        return text[from..to];
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Governance.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Governance.sln not found above " + AppContext.BaseDirectory);
    }
}
