using System.Text.RegularExpressions;

namespace Governance.Cli.Scanning;

/// <summary>
/// The global usings the SDK would give a project's files: its implicit usings (when enabled in the project or a
/// Directory.Build.props above it) and its <c>&lt;Using Include=...&gt;</c> items. Without them, real code does not bind
/// (<c>Task</c> unresolved) and semantic rules find nothing.
/// </summary>
internal static partial class ProjectUsings
{
    private static readonly string[] s_base =
        ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks"];

    private static readonly string[] s_web =
    [
        "System.Net.Http.Json", "Microsoft.AspNetCore.Builder", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Http",
        "Microsoft.AspNetCore.Routing", "Microsoft.Extensions.Configuration", "Microsoft.Extensions.DependencyInjection",
        "Microsoft.Extensions.Hosting", "Microsoft.Extensions.Logging",
    ];

    private static readonly string[] s_worker =
        ["Microsoft.Extensions.Configuration", "Microsoft.Extensions.DependencyInjection", "Microsoft.Extensions.Hosting", "Microsoft.Extensions.Logging"];

    /// <summary>The global using directives for the project file <paramref name="projectPath"/>, or the SDK defaults when there is none.</summary>
    /// <param name="assumeImplicitUsings">Give the SDK's implicit usings even though nothing read here enables them (see <see cref="CanAssumeImplicitUsings"/>).</param>
    internal static string For(string? projectPath, bool assumeImplicitUsings = false)
    {
        var usings = new List<string>();
        if (projectPath is null)
        {
            // A loose file: assume the common case, a modern SDK project with implicit usings.
            usings.AddRange(s_base.Select(u => $"global using global::{u};"));
            return string.Join('\n', usings);
        }

        string project;
        try
        {
            project = File.ReadAllText(projectPath);
        }
        catch (IOException)
        {
            return string.Empty;
        }

        var chain = DirectoryBuildProps(Path.GetDirectoryName(projectPath)!).Select(SafeRead).Append(project).ToList();
        var setting = ImplicitUsingsSetting(chain);
        var implicitEnabled = setting is { } value &&
            (value.Equals("enable", StringComparison.OrdinalIgnoreCase) || value.Equals("true", StringComparison.OrdinalIgnoreCase));
        if (implicitEnabled || (assumeImplicitUsings && setting is null))
        {
            usings.AddRange(s_base);
            if (project.Contains("Microsoft.NET.Sdk.Web", StringComparison.OrdinalIgnoreCase))
            {
                usings.AddRange(s_web);
            }
            else if (project.Contains("Microsoft.NET.Sdk.Worker", StringComparison.OrdinalIgnoreCase))
            {
                usings.AddRange(s_worker);
            }
        }

        var directives = usings.Distinct(StringComparer.Ordinal).Select(u => $"global using global::{u};").ToList();
        foreach (var text in chain)
        {
            foreach (Match item in UsingItemRegex().Matches(text))
            {
                var include = item.Groups["include"].Value.Trim();
                if (include.Length == 0 || include.Contains('$', StringComparison.Ordinal))
                {
                    continue;
                }

                var attributes = item.Groups["rest"].Value;
                var alias = AliasRegex().Match(attributes);
                directives.Add(alias.Success
                    ? $"global using {alias.Groups[1].Value} = global::{include};"
                    : StaticRegex().IsMatch(attributes) ? $"global using static global::{include};" : $"global using global::{include};");
            }
        }

        return string.Join('\n', directives.Distinct(StringComparer.Ordinal));
    }

    /// <summary>
    /// Whether the project is SDK-style and neither it nor a <c>Directory.Build.props</c> above it sets
    /// <c>ImplicitUsings</c>: its build most likely gets them from a file this scan cannot see (the usual case for a
    /// folder copied out of its repository), so assuming them is worth a try when its files do not bind without.
    /// </summary>
    internal static bool CanAssumeImplicitUsings(string? projectPath)
    {
        if (projectPath is null)
        {
            return false;
        }

        var project = SafeRead(projectPath);
        return SdkRegex().IsMatch(project) &&
               ImplicitUsingsSetting(DirectoryBuildProps(Path.GetDirectoryName(projectPath)!).Select(SafeRead).Append(project)) is null;
    }

    /// <summary>The last <c>ImplicitUsings</c> value of the chain (the one MSBuild keeps), or <see langword="null"/> when none sets it.</summary>
    private static string? ImplicitUsingsSetting(IEnumerable<string> chain) =>
        chain.Select(text => ImplicitUsingsRegex().Match(text)).LastOrDefault(m => m.Success)?.Groups[1].Value.Trim();

    private static List<string> DirectoryBuildProps(string directory)
    {
        var found = new List<string>();
        for (var dir = new DirectoryInfo(directory); dir is not null; dir = dir.Parent)
        {
            var props = Path.Combine(dir.FullName, "Directory.Build.props");
            if (File.Exists(props))
            {
                found.Add(props);
            }
        }

        found.Reverse(); // outermost first, as MSBuild's chains usually import upwards
        return found;
    }

    private static string SafeRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    [GeneratedRegex(@"<Project\s+Sdk\s*=\s*""Microsoft\.NET\.Sdk", RegexOptions.IgnoreCase)]
    private static partial Regex SdkRegex();

    [GeneratedRegex(@"<ImplicitUsings>\s*([^<]*)</ImplicitUsings>", RegexOptions.IgnoreCase)]
    private static partial Regex ImplicitUsingsRegex();

    [GeneratedRegex(@"<Using\s+Include\s*=\s*""(?<include>[^""]+)""(?<rest>[^>]*)/?>", RegexOptions.IgnoreCase)]
    private static partial Regex UsingItemRegex();

    [GeneratedRegex(@"Alias\s*=\s*""([^""]+)""", RegexOptions.IgnoreCase)]
    private static partial Regex AliasRegex();

    [GeneratedRegex(@"Static\s*=\s*""true""", RegexOptions.IgnoreCase)]
    private static partial Regex StaticRegex();
}
