namespace Governance.Cli.Scanning;

/// <summary>
/// The folder findings are reported relative to: the git work tree's top folder when the scanned path is inside one, so
/// that paths (in every format, SARIF included) and <c>--exclude</c> globs are the same whichever subfolder is scanned;
/// otherwise the scanned folder.
/// </summary>
internal static class RepositoryRoot
{
    /// <summary>The nearest folder at or above <paramref name="folder"/> holding <c>.git</c> (a folder, or a file in a worktree or submodule).</summary>
    internal static string For(string folder)
    {
        for (var dir = Path.GetFullPath(folder); dir is not null; dir = Path.GetDirectoryName(dir))
        {
            var git = Path.Combine(dir, ".git");
            if (Directory.Exists(git) || File.Exists(git))
            {
                return dir;
            }
        }

        return Path.GetFullPath(folder);
    }
}
