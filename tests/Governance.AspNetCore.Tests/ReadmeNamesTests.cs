using System.Reflection;
using System.Text.RegularExpressions;
using Governance.AspNetCore;
using Governance.DocumentationChecks;

namespace Governance.AspNetCore.Tests;

/// <summary>
/// The README names only what ships. Every code span of the README outside its Roadmap section that reads as a .NET
/// name — <c>TaskLimiter</c>, <c>WorkerPool&lt;T&gt;</c>, <c>[TaskLimit("orders")]</c>, <c>TaskLimiterOptions.TimeProvider</c>,
/// <c>SetMaxConcurrency(n)</c>, <c>Governance.AspNetCore</c> — must be a public type or member of the shipped
/// assemblies, a shipped package, or one of the few names of other libraries the README compares with or builds on.
/// </summary>
/// <remarks>
/// A name qualified by <c>System.</c> or <c>Microsoft.</c> is the framework's and is not checked; spans with spaces,
/// dashes or lower-case starts (commands, paths, metric names, Go code) and all-capital words (file names such as
/// <c>LICENSE</c>) are not names. In a chain of calls only the first is checked.
/// </remarks>
public sealed partial class ReadmeNamesTests
{
    private static readonly Assembly[] s_shippedAssemblies =
    [
        typeof(TaskLimiter).Assembly,
        typeof(TaskLimitAttribute).Assembly,
        typeof(Governance.Testing.LeakCheck).Assembly,
        typeof(Governance.Testing.GovernanceLeakCheckAttribute).Assembly,
        typeof(Governance.Redis.RedisTaskLimiterBudget).Assembly,
    ];

    // The framework assemblies whose public types the README may name unqualified (Channel, ValueTask, Timer, List<T>):
    // a name resolves here only when the framework really declares it, so a typo or an invented type still fails.
    private static readonly Assembly[] s_frameworkAssemblies =
    [
        typeof(object).Assembly,                                   // System.Private.CoreLib: Task, ValueTask, Timer, PeriodicTimer, List<T>
        typeof(System.Threading.Channels.Channel).Assembly,        // System.Threading.Channels
        typeof(System.Net.Http.HttpClient).Assembly,               // System.Net.Http
    ];

    // Names of other libraries, of Go and of MSBuild that the README uses. Add one only for a name that is not
    // Governance's; ExternalNames_AreNotGovernanceTypes keeps a shipped type from hiding here.
    private static readonly HashSet<string> s_externalNames = new(StringComparer.Ordinal)
    {
        "GoroutineLimiter",             // Go: the article's limiter
        "Task", "Parallel", "SemaphoreSlim", "ConcurrencyLimiter", "RateLimitPartition", "HttpClient", "TimeProvider",
        "FakeTimeProvider", "IMeterFactory", "OperationCanceledException", "ArgumentOutOfRangeException",
        "TaskCanceledException", "TimeoutException",
        "AddHttpClient",                // Microsoft.Extensions.Http, which AddTaskLimiter extends
        "MSBuildWorkspace",             // Roslyn: how the CLI loads projects
        "NoWarn", "WarningsAsErrors",   // MSBuild properties the CLI honours
        "ImplicitUsings",               // MSBuild property the CLI's binding report assumes
    };

    public static TheoryData<string> NamesInReadme()
    {
        var data = new TheoryData<string>();
        foreach (var name in Names(MarkdownSections.Split(Readme()).Shipped))
        {
            data.Add(name);
        }

        return data;
    }

    [Fact]
    public void Readme_NamesTheMainTypes()
    {
        // The theory below runs per name: an extraction that found nothing would pass it.
        var names = Names(MarkdownSections.Split(Readme()).Shipped);
        Assert.Contains("TaskLimiter", names);
        Assert.Contains("WorkerPool<T>", names);
        Assert.Contains("[TaskLimit(\"orders\")]", names);
    }

    [Theory]
    [MemberData(nameof(NamesInReadme))]
    public void Readme_OutsideRoadmap_NamesOnlyWhatShips(string name)
    {
        Assert.True(Resolves(name), $"README.md names `{name}`, which no shipped assembly or package declares: ship it, or name it only in the Roadmap section");
    }

    [Fact]
    public void Readme_Roadmap_NamesNoPackageThatShips()
    {
        // The roadmap may name no package at all (everything planned so far ships); one it names must not ship yet.
        var planned = PackageName().Matches(MarkdownSections.Split(Readme()).Roadmap).Select(m => m.Value).Distinct().ToList();
        Assert.All(planned, package => Assert.DoesNotContain(package, ShippedPackages()));
    }

    [Fact]
    public void PackageName_FindsAPackageNamedInProse_NotAPathOrANamespaceMember()
    {
        var found = PackageName().Matches("`Governance.Kafka`: planned; see src/Governance.Cli and Governance.Redis.Options")
            .Select(m => m.Value);

        Assert.Equal(["Governance.Kafka"], found);
    }

    [Fact]
    public void ExternalNames_AreNotGovernanceTypes()
    {
        Assert.All(s_externalNames, name => Assert.True(FindType(name, arity: 0) is null, $"Governance ships a type {name}: take it off the external list"));
    }

    [Theory]
    [InlineData("TaskLimiter", true)]
    [InlineData("WorkerPool<T>", true)]
    [InlineData("WorkerPool<T, TResult>", false)]      // arity matters: the shipped type has one type parameter
    [InlineData("TaskGroup<T>", false)]                // and TaskGroup none (GovernedOwnerKind.TaskGroup is no generic method)
    [InlineData("TaskLimiterOptions.QueueLimit", true)]
    [InlineData("TaskLimiterOptions.Nonexistent", false)]
    [InlineData("[TaskLimit(\"orders\")]", true)]
    [InlineData("TaskCensus", true)]
    [InlineData("TaskCensus.Snapshot()", true)]
    [InlineData("ProcessDump", false)]
    [InlineData("Governance.AspNetCore", true)]
    [InlineData("Governance.Testing", true)]
    [InlineData("Governance.Redis", true)]
    [InlineData("RedisTaskLimiterBudget", true)]
    [InlineData("Governance.Kafka", false)]
    [InlineData("LeakCheck.Begin()", true)]
    [InlineData("[GovernanceLeakCheck]", true)]
    [InlineData("ValueTask", true)]                    // the framework's, found by reflection
    [InlineData("List<T>", true)]
    [InlineData("List", false)]                        // arity matters for framework types too
    [InlineData("ValueTaskPool", false)]
    public void Resolves_KnowsShippedFromUnshipped(string name, bool expected)
    {
        Assert.Equal(expected, Resolves(name));
    }

    private static bool Resolves(string span)
    {
        if (Attribute().Match(span) is { Success: true } attribute)
        {
            return FindType(attribute.Groups["name"].Value + "Attribute", arity: 0) is not null;
        }

        var match = Name().Match(span);
        Assert.True(match.Success, $"not a name: {span}");
        var name = match.Groups["name"].Value;
        var arity = match.Groups["generic"].Success ? match.Groups["generic"].Value.Count(c => c == ',') + 1 : 0;

        if (name == "Governance" || name.StartsWith("Governance.", StringComparison.Ordinal))
        {
            return ShippedPackages().Contains(name) || s_shippedAssemblies.Any(a => a.GetType(name) is not null);
        }

        var dot = name.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
        {
            return IsGovernanceTypeOrMember(name, arity) || s_externalNames.Contains(name) || IsFrameworkType(name, arity);
        }

        var (typeName, memberName) = (name[..dot], name[(dot + 1)..]);
        return FindType(typeName, arity: 0) is { } type
            ? type.GetMember(memberName).Length > 0
            : s_externalNames.Contains(typeName);
    }

    // A member matches only with its own arity: WorkerPool<T, TResult> is not the enum member GovernedOwnerKind.WorkerPool.
    private static bool IsGovernanceTypeOrMember(string name, int arity)
        => FindType(name, arity) is not null
            || s_shippedAssemblies.SelectMany(a => a.GetExportedTypes()).SelectMany(t => t.GetMember(name))
                .Any(m => m is MethodInfo { IsGenericMethodDefinition: true } method
                    ? arity == 0 || method.GetGenericArguments().Length == arity // type arguments may be inferred
                    : arity == 0);

    private static bool IsFrameworkType(string name, int arity)
    {
        var metadataName = arity == 0 ? name : $"{name}`{arity}";
        return s_frameworkAssemblies.SelectMany(a => a.GetExportedTypes())
            .Any(t => t.Name == metadataName && t.Namespace is { } ns && ns.StartsWith("System", StringComparison.Ordinal));
    }

    private static Type? FindType(string name, int arity)
    {
        var metadataName = arity == 0 ? name : $"{name}`{arity}";
        return s_shippedAssemblies.SelectMany(a => a.GetExportedTypes()).FirstOrDefault(t => t.Name == metadataName);
    }

    /// <summary>The code spans of the text that read as .NET names (see the class remarks).</summary>
    private static List<string> Names(string markdown)
        => CodeSpan().Matches(markdown)
            .Select(m => m.Groups["code"].Value.Trim())
            .Where(code => (Name().IsMatch(code) || Attribute().IsMatch(code))
                && code.Any(char.IsLower)
                && !code.StartsWith("System.", StringComparison.Ordinal)
                && !code.StartsWith("Microsoft.", StringComparison.Ordinal)
                && !code.StartsWith("GOV", StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .ToList();

    /// <summary>The packages this repository ships: its src/ projects.</summary>
    private static HashSet<string> ShippedPackages()
        => Directory.GetDirectories(Path.Combine(RepositoryRoot(), "src"))
            .Where(dir => File.Exists(Path.Combine(dir, Path.GetFileName(dir) + ".csproj")))
            .Select(Path.GetFileName)
            .ToHashSet(StringComparer.Ordinal)!;

    private static string Readme() => File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));

    private static string RepositoryRoot()
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

    // Inline code, single backticks, possibly across a line break (fenced blocks hold no single-backtick spans).
    [GeneratedRegex(@"(?<!`)`(?<code>[^`]+)`(?!`)")]
    private static partial Regex CodeSpan();

    // TaskLimiter, WorkerPool<T>, TaskLimiterOptions.TimeProvider, SetMaxConcurrency(n), .RequireTaskLimit("orders").
    [GeneratedRegex(@"^\.?(?<name>[A-Z][A-Za-z0-9]+(?:\.[A-Z][A-Za-z0-9]*)*)(?<generic><[A-Za-z0-9, ]+>)?(?:\(.*\))?$", RegexOptions.Singleline)]
    private static partial Regex Name();

    // [TaskLimit("orders")]
    [GeneratedRegex(@"^\[(?<name>[A-Z][A-Za-z0-9]+)(?:\(.*\))?\]$", RegexOptions.Singleline)]
    private static partial Regex Attribute();

    // Governance.Redis, but not a path or a longer name (tests/Governance.AspNetCore.Tests).
    [GeneratedRegex(@"(?<![/\w.])Governance\.[A-Z][A-Za-z0-9]+(?![\w./])")]
    private static partial Regex PackageName();
}
