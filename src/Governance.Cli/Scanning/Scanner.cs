using System.Collections.Immutable;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Governance.Cli.Scanning;

/// <summary>Scans a path in the mode <see cref="WorkspaceLoader"/> chose for it.</summary>
internal static class Scanner
{
    /// <summary>A folder, a <c>.sln</c>/<c>.slnx</c>/<c>.csproj</c> file or a <c>.cs</c> file, as a full path.</summary>
    /// <exception cref="ScanException">None of these.</exception>
    internal static (string Path, TargetKind Kind) Resolve(string path)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            return (full, TargetKind.Folder);
        }

        if (File.Exists(full))
        {
            switch (Path.GetExtension(full).ToLowerInvariant())
            {
                case ".sln" or ".slnx" or ".csproj":
                    return (full, TargetKind.ProjectOrSolution);
                case ".cs":
                    return (full, TargetKind.File);
            }
        }

        throw new ScanException($"path not found or not a folder, .sln, .slnx, .csproj or .cs file: {path}");
    }

    /// <summary>Scans the path; <paramref name="warn"/> hears why project mode fell back to source mode.</summary>
    internal static async Task<ScanResult> ScanAsync(
        string path, PathFilter exclude, ImmutableArray<DiagnosticAnalyzer> analyzers, Action<string>? progress, Action<string> warn, CancellationToken cancellationToken, AnalyzerTimes? times = null)
    {
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        using var loaded = await WorkspaceLoader.LoadAsync(path, exclude, progress, warn, cancellationToken).ConfigureAwait(false);
        var result = loaded.Solution is { } solution
            ? await new ProjectScanner(analyzers, times).ScanAsync(solution, loaded.Root, loaded.Exclude, progress, cancellationToken).ConfigureAwait(false)
            : await new SourceScanner(analyzers, times).ScanAsync(loaded.Sources!, loaded.FallbackReason, progress, cancellationToken).ConfigureAwait(false);
        return result with { DurationMs = stopwatch.ElapsedMilliseconds, LoadNotes = loaded.Notes };
    }
}
