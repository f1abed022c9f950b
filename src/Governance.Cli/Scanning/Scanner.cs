using System.Collections.Immutable;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Governance.Cli.Scanning;

/// <summary>Chooses the mode for a path: project mode for a solution or project, source mode for a folder or when loading fails.</summary>
internal static class Scanner
{
    /// <summary>A folder, or a <c>.sln</c>/<c>.slnx</c>/<c>.csproj</c> file, as a full path.</summary>
    /// <exception cref="ScanException">Neither.</exception>
    internal static (string Path, bool IsProject) Resolve(string path)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            return (full, false);
        }

        if (File.Exists(full) && Path.GetExtension(full).ToLowerInvariant() is ".sln" or ".slnx" or ".csproj")
        {
            return (full, true);
        }

        throw new ScanException($"path not found or not a folder, .sln, .slnx or .csproj: {path}");
    }

    /// <summary>Scans the path; <paramref name="warn"/> hears why project mode fell back to source mode.</summary>
    internal static async Task<ScanResult> ScanAsync(
        string path, ImmutableArray<DiagnosticAnalyzer> analyzers, Action<string>? progress, Action<string> warn, CancellationToken cancellationToken, AnalyzerTimes? times = null)
    {
        var (full, isProject) = Resolve(path);
        if (isProject)
        {
            try
            {
                return await new ProjectScanner(analyzers, times).ScanAsync(full, progress, warn, cancellationToken).ConfigureAwait(false);
            }
            catch (ProjectLoadException ex)
            {
                full = Path.GetDirectoryName(full)!;
                warn($"cannot load {Path.GetFileName(path)} with MSBuild ({ex.Message}); scanning {full} in source mode");
            }
        }

        return await new SourceScanner(analyzers, times).ScanAsync(full, progress, cancellationToken).ConfigureAwait(false);
    }
}
