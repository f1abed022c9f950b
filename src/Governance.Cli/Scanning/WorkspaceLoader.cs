namespace Governance.Cli.Scanning;

/// <summary>
/// The one place <c>scan</c> and <c>fix</c> load code: a solution or project with MSBuild (project mode), falling back
/// to source mode in the project's folder when MSBuild cannot load it or it was not restored; a folder or a single
/// <c>.cs</c> file in source mode.
/// </summary>
internal static class WorkspaceLoader
{
    /// <exception cref="ScanException">The path is invalid, or no C# file or project is left to load.</exception>
    internal static async Task<LoadedCode> LoadAsync(string path, PathFilter exclude, Action<string>? progress, Action<string> warn, CancellationToken cancellationToken)
    {
        var (full, kind) = Scanner.Resolve(path);
        switch (kind)
        {
            case TargetKind.File:
                return LoadedCode.Source(SourcePlan.ForFile(full), fallbackReason: null, exclude);
            case TargetKind.Folder:
                return LoadedCode.Source(SourcePlan.ForFolder(full, exclude), fallbackReason: null, exclude);
        }

        var root = Path.GetDirectoryName(full)!;
        LoadedSolution? loaded = null;
        try
        {
            loaded = await ProjectScanner.LoadAsync(full, progress, warn, cancellationToken).ConfigureAwait(false);
            var kept = loaded.CSharpProjects.Where(p => p.FilePath is null || !exclude.Excludes(root, p.FilePath)).ToList();
            if (kept.Count == 0)
            {
                throw new ScanException($"--exclude leaves no project of {Path.GetFileName(full)} to load");
            }

            foreach (var project in kept)
            {
                // A project whose references do not resolve (not restored) would show no finding at all.
                progress?.Invoke($"compiling {project.Name}");
                await ProjectScanner.CompileAsync(project, cancellationToken).ConfigureAwait(false);
            }

            var solution = kept.Count == loaded.CSharpProjects.Count ? loaded : new LoadedSolution(loaded.Workspace, kept);
            loaded = null;
            return LoadedCode.Project(root, solution, exclude);
        }
        catch (ProjectLoadException ex)
        {
            var reason = $"cannot load {Path.GetFileName(full)} with MSBuild ({ex.Message}); scanned its folder instead";
            warn(reason);
            return LoadedCode.Source(SourcePlan.ForFolder(root, exclude), reason, exclude);
        }
        finally
        {
            loaded?.Dispose();
        }
    }
}
