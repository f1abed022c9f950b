using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;
using Microsoft.CodeAnalysis;

namespace Governance.Cli.Scanning;

/// <summary>
/// The references a source-mode compilation gets: the .NET and ASP.NET Core shared frameworks this tool runs on, and
/// Governance itself. Third-party types stay unresolved; the BCL patterns the rules look for still bind.
/// </summary>
internal static class FrameworkReferences
{
    private static readonly Lazy<IReadOnlyList<MetadataReference>> s_all = new(Load);

    internal static IReadOnlyList<MetadataReference> All => s_all.Value;

    /// <summary>
    /// <see cref="All"/> without the assemblies named <paramref name="assemblyNames"/>: a scanned project of the same name
    /// (Governance itself, scanning this repository) stands in for them, as two assemblies of one name would clash.
    /// </summary>
    internal static IEnumerable<MetadataReference> Except(IEnumerable<string> assemblyNames)
    {
        var names = assemblyNames.ToHashSet(StringComparer.OrdinalIgnoreCase);
        return names.Count == 0 ? All : All.Where(r => r is not PortableExecutableReference { FilePath: { } path } || !names.Contains(Path.GetFileNameWithoutExtension(path)));
    }

    private static List<MetadataReference> Load()
    {
        var runtime = RuntimeEnvironment.GetRuntimeDirectory().TrimEnd(Path.DirectorySeparatorChar);
        var directories = new List<string> { runtime };

        // .../shared/Microsoft.NETCore.App/10.0.x → .../shared/Microsoft.AspNetCore.App/<the newest 10.0.x>
        var shared = Path.GetDirectoryName(Path.GetDirectoryName(runtime));
        var version = Path.GetFileName(runtime);
        var aspNet = shared is null ? null : Path.Combine(shared, "Microsoft.AspNetCore.App");
        if (aspNet is not null && Directory.Exists(aspNet))
        {
            var major = version.Split('.')[0] + ".";
            var best = Directory.GetDirectories(aspNet)
                .Where(d => Path.GetFileName(d).StartsWith(major, StringComparison.Ordinal))
                .OrderBy(d => Version.TryParse(Path.GetFileName(d).Split('-')[0], out var v) ? v : new Version(0, 0))
                .LastOrDefault();
            if (best is not null)
            {
                directories.Add(best);
            }
        }

        var references = new List<MetadataReference>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in directories.SelectMany(d => Directory.EnumerateFiles(d, "*.dll")))
        {
            if (seen.Add(Path.GetFileName(file)) && IsManaged(file))
            {
                references.Add(MetadataReference.CreateFromFile(file));
            }
        }

        var governance = typeof(Governance.TaskLimiter).Assembly.Location;
        if (seen.Add(Path.GetFileName(governance)))
        {
            references.Add(MetadataReference.CreateFromFile(governance));
        }

        return references;
    }

    private static bool IsManaged(string file)
    {
        try
        {
            using var stream = File.OpenRead(file);
            using var reader = new PEReader(stream);
            return reader.HasMetadata;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }
}
