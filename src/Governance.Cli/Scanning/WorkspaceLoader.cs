using Microsoft.CodeAnalysis;

namespace Governance.Cli.Scanning;

/// <summary>
/// The one place <c>scan</c> and <c>fix</c> load code: a solution or project with MSBuild (project mode), falling back
/// to source mode in the project's folder when MSBuild cannot load it or none of its projects compiles; a folder or a
/// single <c>.cs</c> file in source mode.
/// </summary>
/// <remarks>
/// One project that does not compile (an SDK that does not resolve, such as a <c>Microsoft.Build.NoTargets</c> project
/// with no code, or a project that was not restored) is skipped with a note saying why; the others are scanned in
/// project mode. What MSBuild reports while loading (restore warnings such as NU1603 arrive as "failures" although the
/// load worked) is counted in one note, and quoted only to explain a skipped project.
/// </remarks>
internal static class WorkspaceLoader
{
    /// <exception cref="ScanException">The path is invalid, or no C# file or project is left to load.</exception>
    internal static async Task<LoadedCode> LoadAsync(string path, PathFilter exclude, Action<string>? progress, Action<string> warn, CancellationToken cancellationToken)
    {
        var (full, kind) = Scanner.Resolve(path);
        var scanFolder = kind == TargetKind.Folder ? full : Path.GetDirectoryName(full)!;
        exclude = exclude.Rooted(RepositoryRoot.For(scanFolder), scanFolder);
        switch (kind)
        {
            case TargetKind.File:
                return LoadedCode.Source(SourcePlan.ForFile(full), fallbackReason: null, exclude);
            case TargetKind.Folder:
                return LoadedCode.Source(SourcePlan.ForFolder(full, exclude), fallbackReason: null, exclude);
        }

        LoadedSolution? loaded = null;
        try
        {
            loaded = await ProjectScanner.LoadAsync(full, progress, cancellationToken).ConfigureAwait(false);
            var kept = loaded.CSharpProjects.Where(p => p.FilePath is null || !exclude.Excludes(p.FilePath)).ToList();
            if (kept.Count == 0)
            {
                throw new ScanException($"--exclude leaves no project of {Path.GetFileName(full)} to load");
            }

            var compiled = new List<Project>();
            var skipped = new Dictionary<string, string>(StringComparer.Ordinal);
            var explained = new HashSet<string>(StringComparer.Ordinal);
            foreach (var project in kept)
            {
                // A project whose core library does not resolve would show no finding at all: it is skipped, and said so.
                progress?.Invoke($"compiling {project.Name}");
                if (await ProjectScanner.CompileAsync(project, cancellationToken).ConfigureAwait(false) is null)
                {
                    var (why, message) = WhyNotCompiled(project, loaded.LoadMessages);
                    skipped.TryAdd(project.FilePath ?? project.Name, why);
                    if (message is not null)
                    {
                        explained.Add(message);
                    }
                }
                else
                {
                    compiled.Add(project);
                }
            }

            if (compiled.Count == 0)
            {
                var (name, why) = skipped.First();
                throw new ProjectLoadException(skipped.Count == 1
                    ? $"{Path.GetFileNameWithoutExtension(name)} {why}"
                    : $"none of its {skipped.Count} projects compiles (first: {Path.GetFileNameWithoutExtension(name)} {why})");
            }

            var notes = new List<string>();
            var root = RepositoryRoot.For(scanFolder);
            foreach (var (file, why) in skipped)
            {
                notes.Add($"skipped project {(Path.IsPathRooted(file) ? Path.GetRelativePath(root, file).Replace('\\', '/') : file)}: it {why}; the other projects were scanned in project mode");
            }

            var others = loaded.LoadMessages.Count(m => !explained.Contains(m));
            if (others > 0)
            {
                // Usually restore warnings (NU1603...) that MSBuildWorkspace reports as failures although the load worked.
                notes.Add($"MSBuild reported {others} {(skipped.Count > 0 ? "other " : string.Empty)}message(s) while loading, such as restore warnings; {compiled.Count} project(s) loaded and compiled");
            }

            var solution = new LoadedSolution(loaded.Workspace, compiled, loaded.LoadMessages);
            loaded = null;
            return LoadedCode.Project(root, scanFolder, solution, exclude, notes);
        }
        catch (ProjectLoadException ex)
        {
            var reason = $"cannot load {Path.GetFileName(full)} with MSBuild ({ex.Message}); scanned its folder instead";
            warn(reason);
            return LoadedCode.Source(SourcePlan.ForFolder(scanFolder, exclude), reason, exclude);
        }
        finally
        {
            loaded?.Dispose();
        }
    }

    /// <summary>
    /// Why a project did not compile, in one line: the first MSBuild message about its file (often "the SDK ... could not
    /// be found"), else that its references did not resolve.
    /// </summary>
    private static (string Why, string? Message) WhyNotCompiled(Project project, IReadOnlyList<string> loadMessages)
    {
        var message = project.FilePath is { } file
            ? loadMessages.FirstOrDefault(m => m.Contains(file, StringComparison.OrdinalIgnoreCase))
            : null;
        if (message is null)
        {
            return ("does not resolve its references (restore it, or check its SDK)", null);
        }

        // "Msbuild failed when processing the file '/full/path' with message: The SDK 'X' specified could not be found.  /full/path"
        const string Marker = "with message:";
        var at = message.IndexOf(Marker, StringComparison.OrdinalIgnoreCase);
        var line = (at < 0 ? message : message[(at + Marker.Length)..]).Replace(project.FilePath!, string.Empty, StringComparison.OrdinalIgnoreCase);
        line = string.Join(' ', line.Split((char[])['\r', '\n', ' '], StringSplitOptions.RemoveEmptyEntries));
        const int MaxLength = 200;
        return ("did not load: " + (line.Length > MaxLength ? line[..MaxLength] + "…" : line), message);
    }
}
