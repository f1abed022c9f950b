using System.Text;
using System.Text.RegularExpressions;

namespace Governance.DocumentationChecks;

/// <summary>
/// Splits a Markdown file into what it says ships and what its roadmap plans. A roadmap section is one whose heading
/// starts with "Roadmap"; it runs to the next heading of the same or a higher level. Lines inside code fences are never
/// headings (a <c># comment</c> in an <c>ini</c> block is text).
/// </summary>
/// <remarks>Compiled into each test project that checks documentation (linked, not referenced: test projects share no assembly).</remarks>
internal static partial class MarkdownSections
{
    /// <summary>Returns the text outside roadmap sections and the text inside them, line breaks normalised to \n.</summary>
    public static (string Shipped, string Roadmap) Split(string markdown)
    {
        var shipped = new StringBuilder();
        var roadmap = new StringBuilder();
        var inFence = false;
        var roadmapLevel = 0;
        foreach (var line in markdown.ReplaceLineEndings("\n").Split('\n'))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
            }
            else if (!inFence && Heading().Match(line) is { Success: true } heading)
            {
                var level = heading.Groups["level"].Length;
                if (roadmapLevel > 0 && level <= roadmapLevel)
                {
                    roadmapLevel = 0;
                }

                if (roadmapLevel == 0 && heading.Groups["text"].Value.StartsWith("Roadmap", StringComparison.OrdinalIgnoreCase))
                {
                    roadmapLevel = level;
                }
            }

            (roadmapLevel > 0 ? roadmap : shipped).Append(line).Append('\n');
        }

        return (shipped.ToString(), roadmap.ToString());
    }

    /// <summary>The Markdown files of the repository, relative to its root, outside build output and version control.</summary>
    public static IEnumerable<string> MarkdownFiles(string root)
        => Directory.EnumerateFiles(root, "*.md", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(root, path).Replace('\\', '/'))
            .Where(path => !path.Split('/').Any(part => part is "bin" or "obj" or "artifacts" or ".git" or "node_modules" or "TestResults"))
            .Order(StringComparer.Ordinal);

    [GeneratedRegex(@"^(?<level>#{1,6})\s+(?<text>.*)$")]
    private static partial Regex Heading();
}
