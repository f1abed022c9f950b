using System.Text.RegularExpressions;
using Governance.Analyzers.Tests.Infrastructure;
using Governance.DocumentationChecks;
using Microsoft.CodeAnalysis;

namespace Governance.Analyzers.Tests;

/// <summary>
/// Keeps descriptors, docs/rules pages and the release-tracking file in line with each other, and keeps every Markdown
/// file of the repository from naming a rule that does not ship: a planned rule's ID may appear only in a section whose
/// heading starts with "Roadmap" (docs/rules/README.md, "Rule IDs").
/// </summary>
public sealed partial class DocumentationTests
{
    private static readonly string s_rulesFolder = Path.Combine(RepositoryPaths.Root, "docs", "rules");

    public static TheoryData<string> MarkdownFiles()
    {
        var data = new TheoryData<string>();
        foreach (var path in MarkdownSections.MarkdownFiles(RepositoryPaths.Root))
        {
            data.Add(path);
        }

        return data;
    }

    public static TheoryData<string> RuleIds()
    {
        var data = new TheoryData<string>();
        foreach (var descriptor in AllAnalyzers.Descriptors())
        {
            data.Add(descriptor.Id);
        }

        return data;
    }

    [Fact]
    public void Descriptors_AllSupportedByAnAnalyzer_AndEverySupportedOneIsADescriptor()
    {
        var supported = AllAnalyzers.Create().SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id).ToHashSet();
        var declared = AllAnalyzers.Descriptors().Select(d => d.Id).ToHashSet();
        Assert.Equal(declared.Order(), supported.Order());
    }

    [Fact]
    public void DocsFolder_HasNoPageWithoutDescriptor()
    {
        var declared = AllAnalyzers.Descriptors().Select(d => d.Id).ToHashSet();
        var pages = Directory.GetFiles(s_rulesFolder, "GOV*.md").Select(p => Path.GetFileNameWithoutExtension(p));
        Assert.All(pages, page => Assert.Contains(page, declared));
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void Descriptor_HelpLinkPointsAtItsPage(string id)
    {
        var descriptor = AllAnalyzers.Descriptors().Single(d => d.Id == id);
        Assert.Equal($"https://github.com/governance-dotnet/governance/blob/main/docs/rules/{id}.md", descriptor.HelpLinkUri);
        Assert.True(File.Exists(Path.Combine(s_rulesFolder, id + ".md")), $"docs/rules/{id}.md is missing");
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void Page_TitleSeverityAndCategoryMatchDescriptor(string id)
    {
        var descriptor = AllAnalyzers.Descriptors().Single(d => d.Id == id);
        var page = File.ReadAllText(Path.Combine(s_rulesFolder, id + ".md"));
        Assert.StartsWith($"# {id}: {descriptor.Title}\n", page.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains($"| Severity | {Severity(descriptor)} |", page, StringComparison.Ordinal);
        Assert.Contains($"| Category | {descriptor.Category} |", page, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void Page_HasEverySection(string id)
    {
        var page = File.ReadAllText(Path.Combine(s_rulesFolder, id + ".md"));
        foreach (var section in new[] { "## Why it leaks", "## Flagged", "## Fixed", "## Not flagged", "## When to suppress", "## Options" })
        {
            Assert.Contains(section, page, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void ReleaseTracking_ListsRuleWithItsCategoryAndSeverity(string id)
    {
        var descriptor = AllAnalyzers.Descriptors().Single(d => d.Id == id);
        var releases = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "analyzers", "Governance.Analyzers", "AnalyzerReleases.Unshipped.md"))
            + File.ReadAllText(Path.Combine(RepositoryPaths.Root, "analyzers", "Governance.Analyzers", "AnalyzerReleases.Shipped.md"));
        var row = new Regex($@"^{id}\s*\|\s*{Regex.Escape(descriptor.Category)}\s*\|\s*{Severity(descriptor)}\s*\|", RegexOptions.Multiline);
        Assert.Matches(row, releases);
    }

    [Fact]
    public void MarkdownFiles_IncludeTheReadmeAndEveryRulePage()
    {
        // The checks below run per file: a walk that found nothing would pass them all.
        var files = MarkdownSections.MarkdownFiles(RepositoryPaths.Root).ToList();
        Assert.Contains("README.md", files);
        Assert.Contains("docs/rules/README.md", files);
        Assert.All(AllAnalyzers.Descriptors(), d => Assert.Contains($"docs/rules/{d.Id}.md", files));
    }

    [Theory]
    [MemberData(nameof(MarkdownFiles))]
    public void Markdown_OutsideRoadmap_NamesOnlyRulesWithADescriptor(string path)
    {
        var declared = AllAnalyzers.Descriptors().Select(d => d.Id).ToHashSet();
        var (shipped, _) = MarkdownSections.Split(File.ReadAllText(Path.Combine(RepositoryPaths.Root, path)));
        var unknown = RuleIds(shipped).Where(id => !declared.Contains(id)).ToList();
        Assert.True(unknown.Count == 0,
            $"{path} names {string.Join(", ", unknown)}, which no analyzer declares: ship the rule, or name it only under a 'Roadmap' heading");
    }

    [Theory]
    [MemberData(nameof(MarkdownFiles))]
    public void Markdown_Roadmap_NamesOnlyRulesThatDoNotShipYet(string path)
    {
        var declared = AllAnalyzers.Descriptors().Select(d => d.Id).ToHashSet();
        var (_, roadmap) = MarkdownSections.Split(File.ReadAllText(Path.Combine(RepositoryPaths.Root, path)));
        var shipped = RuleIds(roadmap).Where(declared.Contains).ToList();
        Assert.True(shipped.Count == 0,
            $"the roadmap of {path} names {string.Join(", ", shipped)}, which already ship: move them out of the roadmap");
    }

    [Fact]
    public void LeakySample_MarksOnlyRulesThatShipOrAreOnItsRoadmap()
    {
        // samples/LeakyOrders carries a true instance of each planned rule ahead of its analyzer ("LEAK (GOVxxxx)" in
        // its code): each such ID must be a shipped rule or one the sample README's roadmap announces.
        var declared = AllAnalyzers.Descriptors().Select(d => d.Id).ToHashSet();
        var (_, roadmap) = MarkdownSections.Split(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "samples", "LeakyOrders", "README.md")));
        var planned = RuleIds(roadmap).ToHashSet();
        var marked = Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "samples", "LeakyOrders"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(RepositoryPaths.Root, f).Split(Path.DirectorySeparatorChar).Any(p => p is "bin" or "obj"))
            .SelectMany(f => RuleIds(File.ReadAllText(f)))
            .ToHashSet();

        Assert.NotEmpty(marked);
        Assert.All(marked, id => Assert.True(declared.Contains(id) || planned.Contains(id), $"samples/LeakyOrders marks {id}, which neither ships nor is on the roadmap of samples/LeakyOrders/README.md"));
    }

    [Fact]
    public void Readme_NamesNoRuleThatDoesNotShip()
    {
        // The top-level README describes planned analyzers without their reserved IDs: an ID a user reads there has a
        // rule page and an analyzer.
        var declared = AllAnalyzers.Descriptors().Select(d => d.Id).ToHashSet();
        var readme = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"));
        Assert.All(RuleIds(readme), id => Assert.True(declared.Contains(id) && File.Exists(Path.Combine(RepositoryPaths.Root, "docs", "rules", id + ".md")),
            $"README.md names {id}, which does not ship: describe the planned rule without its ID"));
    }

    [Fact]
    public void Split_PutsOnlyRoadmapSectionsInTheRoadmap()
    {
        var (shipped, roadmap) = MarkdownSections.Split("""
            # Title
            GOV1001 ships.
            ## Roadmap
            GOV9001 is planned.
            ```ini
            # not a heading: GOV9002 stays in the roadmap
            ```
            ### Roadmap detail
            GOV9003
            ## Next section
            GOV1002 ships.
            """);

        Assert.Equal(["GOV1001", "GOV1002"], RuleIds(shipped));
        Assert.Equal(["GOV9001", "GOV9002", "GOV9003"], RuleIds(roadmap));
    }

    private static List<string> RuleIds(string text)
        => RuleId().Matches(text).Select(m => m.Value).Distinct().ToList();

    [GeneratedRegex(@"\bGOV[0-9]{4}\b")]
    private static partial Regex RuleId();

    private static string Severity(DiagnosticDescriptor descriptor)
        => descriptor.DefaultSeverity switch
        {
            DiagnosticSeverity.Info => "Info",
            DiagnosticSeverity.Warning => "Warning",
            DiagnosticSeverity.Error => "Error",
            _ => "Hidden",
        };
}
