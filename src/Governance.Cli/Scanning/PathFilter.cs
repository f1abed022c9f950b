using System.Text;
using System.Text.RegularExpressions;

namespace Governance.Cli.Scanning;

/// <summary>
/// The <c>--exclude</c> globs, matched against a path relative to the report root (the git work tree's top folder, or
/// the scanned folder outside git: the root the findings' paths are relative to) with <c>/</c> separators, ignoring case,
/// so that the same globs work whichever subfolder is scanned.
/// <c>*</c> matches within one segment, <c>?</c> one character of a segment, <c>**</c> any number of whole segments.
/// A glob without <c>/</c> matches any single segment at any depth (a folder or file name, as in <c>.gitignore</c>), so
/// <c>tests</c> excludes every folder called tests below the scanned folder; a glob with <c>/</c> is anchored at the
/// report root. A folder that matches excludes everything under it.
/// </summary>
internal sealed class PathFilter
{
    internal static readonly PathFilter None = new([]);

    private readonly Regex[] _patterns;
    private readonly string? _reportRoot;
    private readonly string? _scanned;

    internal PathFilter(IEnumerable<string> globs)
        : this(globs.Select(ToRegex).ToArray(), reportRoot: null, scanRoot: null)
    {
    }

    private PathFilter(Regex[] patterns, string? reportRoot, string? scanRoot)
    {
        _patterns = patterns;
        _reportRoot = reportRoot;
        _scanned = reportRoot is null || scanRoot is null ? null : Path.GetRelativePath(reportRoot, scanRoot).Replace('\\', '/');
    }

    internal bool IsEmpty => _patterns.Length == 0;

    /// <summary>
    /// The same globs, matched relative to <paramref name="reportRoot"/>; only folders at or below
    /// <paramref name="scanRoot"/> (inside the report root) are tested, so a folder above the scanned one never excludes it.
    /// </summary>
    internal PathFilter Rooted(string reportRoot, string scanRoot) => new(_patterns, reportRoot, scanRoot);

    /// <summary>Whether <paramref name="path"/> (a file or a folder) or a folder above it, up to the scanned folder, matches a glob.</summary>
    internal bool Excludes(string path)
    {
        if (_patterns.Length == 0)
        {
            return false;
        }

        var root = _reportRoot ?? throw new InvalidOperationException("an --exclude filter is matched only once rooted");
        var relative = Path.GetRelativePath(root, path).Replace('\\', '/');
        if (relative == "." || relative.StartsWith("../", StringComparison.Ordinal))
        {
            return false;
        }

        // Every prefix of the path below the scanned folder: a folder that matches excludes what it holds.
        var scanned = _scanned!;
        if (scanned != "." && !relative.StartsWith(scanned + "/", StringComparison.Ordinal))
        {
            return false;
        }

        var first = relative.IndexOf('/', scanned == "." ? 0 : scanned.Length + 1);
        for (var end = first; ; end = relative.IndexOf('/', end + 1))
        {
            var prefix = end < 0 ? relative : relative[..end];
            if (_patterns.Any(p => p.IsMatch(prefix)))
            {
                return true;
            }

            if (end < 0)
            {
                return false;
            }
        }
    }

    /// <summary>A usage error for a glob that cannot mean anything, else <see langword="null"/>.</summary>
    internal static string? Validate(string glob) =>
        string.IsNullOrWhiteSpace(glob) ? "--exclude needs a glob, e.g. --exclude tests or --exclude 'samples/**'"
        : Path.IsPathRooted(glob) || glob.StartsWith("../", StringComparison.Ordinal) ? $"--exclude '{glob}': globs are relative to the repository root (the scanned folder outside git)"
        : null;

    private static Regex ToRegex(string glob)
    {
        var normalized = glob.Replace('\\', '/').Trim().TrimEnd('/');
        if (normalized.StartsWith("./", StringComparison.Ordinal))
        {
            normalized = normalized[2..];
        }

        var anchored = normalized.Contains('/', StringComparison.Ordinal);
        var regex = new StringBuilder(anchored ? "^" : "^(?:.*/)?");
        for (var i = 0; i < normalized.Length; i++)
        {
            var c = normalized[i];
            if (c == '*' && i + 1 < normalized.Length && normalized[i + 1] == '*')
            {
                // "**/" is zero or more whole segments; a trailing "**" is anything below.
                var slash = i + 2 < normalized.Length && normalized[i + 2] == '/';
                regex.Append(slash ? "(?:.*/)?" : ".*");
                i += slash ? 2 : 1;
            }
            else
            {
                regex.Append(c switch
                {
                    '*' => "[^/]*",
                    '?' => "[^/]",
                    _ => Regex.Escape(c.ToString()),
                });
            }
        }

        return new Regex(regex.Append('$').ToString(), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    }
}
