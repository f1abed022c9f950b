using System.Text.RegularExpressions;
using Governance.Analyzers.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace Governance.Analyzers.Tests;

/// <summary>Keeps descriptors, docs/rules pages and the release-tracking file in line with each other.</summary>
public sealed class DocumentationTests
{
    private static readonly string s_rulesFolder = Path.Combine(RepositoryPaths.Root, "docs", "rules");

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

    private static string Severity(DiagnosticDescriptor descriptor)
        => descriptor.DefaultSeverity switch
        {
            DiagnosticSeverity.Info => "Info",
            DiagnosticSeverity.Warning => "Warning",
            DiagnosticSeverity.Error => "Error",
            _ => "Hidden",
        };
}
