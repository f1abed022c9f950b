using System.Text;
using System.Text.RegularExpressions;

namespace Governance.Cli.Scanning;

/// <summary>
/// The <c>--exclude</c> globs, matched against a path relative to the scan root with <c>/</c> separators, ignoring case.
/// <c>*</c> matches within one segment, <c>?</c> one character of a segment, <c>**</c> any number of whole segments.
/// A glob without <c>/</c> matches any single segment at any depth (a folder or file name, as in <c>.gitignore</c>), so
/// <c>tests</c> excludes every folder called tests; a glob with <c>/</c> is anchored at the root. A folder that matches
/// excludes everything under it.
/// </summary>
internal sealed class PathFilter
{
    internal static readonly PathFilter None = new([]);

    private readonly Regex[] _patterns;

    internal PathFilter(IEnumerable<string> globs) => _patterns = globs.Select(ToRegex).ToArray();

    internal bool IsEmpty => _patterns.Length == 0;

    /// <summary>Whether <paramref name="path"/> (a file or a folder) or a folder above it, up to <paramref name="root"/>, matches a glob.</summary>
    internal bool Excludes(string root, string path)
    {
        if (_patterns.Length == 0)
        {
            return false;
        }

        var relative = Path.GetRelativePath(root, path).Replace('\\', '/');
        if (relative == "." || relative.StartsWith("../", StringComparison.Ordinal))
        {
            return false;
        }

        // Every prefix of the path: a folder that matches excludes what it holds.
        for (var end = relative.IndexOf('/', StringComparison.Ordinal); ; end = relative.IndexOf('/', end + 1))
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
        : Path.IsPathRooted(glob) || glob.StartsWith("../", StringComparison.Ordinal) ? $"--exclude '{glob}': globs are relative to the scanned folder"
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
