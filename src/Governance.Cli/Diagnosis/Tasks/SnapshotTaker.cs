using System.ComponentModel;
using System.Diagnostics;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Runtime;

namespace Governance.Cli.Diagnosis.Tasks;

/// <summary>How to get a consistent view of the target's heap.</summary>
internal enum SnapshotMethod
{
    /// <summary>Attach with ptrace, the process suspended for the whole walk; nothing is written to disk.</summary>
    Attach,

    /// <summary>Have the runtime write a heap dump (the target is suspended only while it writes), walk the dump, delete it.</summary>
    Dump,
}

/// <summary>Takes one <see cref="TasksSnapshot"/> of a running .NET process.</summary>
internal static class SnapshotTaker
{
    /// <summary>The oldest runtime the heap walk knows the layout of (Task, the async state machine box, TimerQueueTimer).</summary>
    internal static readonly Version OldestRuntime = new(8, 0);

    private static readonly string[] DacFileNames = ["libmscordaccore.so", "libmscordaccore.dylib", "mscordaccore.dll"];

    // The runtime's data access library is loaded once per process and is not safe for two walks at once.
    private static readonly Lock OneWalkAtATime = new();

    internal static TasksSnapshot Take(int processId, SnapshotMethod method, bool reachableOnly, CancellationToken cancellationToken)
    {
        TargetProcess.EnsureRunning(processId);
        lock (OneWalkAtATime)
        {
            return method == SnapshotMethod.Attach
                ? TakeAttached(processId, reachableOnly, cancellationToken)
                : TakeFromDump(processId, reachableOnly, cancellationToken);
        }
    }

    private static TasksSnapshot TakeAttached(int processId, bool reachableOnly, CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        var takenAt = DateTimeOffset.UtcNow;
        HeapFindings findings;
        string version;
        TimeSpan pause;
        DataTarget target;
        try
        {
            target = DataTarget.AttachToProcess(processId, suspend: true);
        }
        catch (Exception ex) when (ex is ClrDiagnosticsException or UnauthorizedAccessException or Win32Exception or IOException)
        {
            throw AttachFailed(processId, ex);
        }

        var paused = Stopwatch.StartNew();
        using (target)
        {
            (findings, version) = Walk(processId, target, reachableOnly, cancellationToken);
            pause = paused.Elapsed;
        }

        return Snapshot(processId, version, takenAt, new SnapshotCost("attach", pause, total.Elapsed, findings.HeapObjects, findings.Walk, findings.Reachability), findings);
    }

    private static TasksSnapshot TakeFromDump(int processId, bool reachableOnly, CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        var takenAt = DateTimeOffset.UtcNow;
        var path = Path.Combine(Path.GetTempPath(), $"governance-tasks-{processId}-{Guid.NewGuid():N}.dmp");
        try
        {
            var client = new DiagnosticsClient(processId);
            var writing = Stopwatch.StartNew();
            try
            {
                client.WriteDump(DumpType.WithHeap, path, WriteDumpFlags.None);
            }
            catch (Exception ex) when (ex is ServerNotAvailableException or UnauthorizedAccessException)
            {
                throw new TargetProcessException(TargetProcess.ConnectionError(processId, ex), ex);
            }
            catch (DiagnosticsClientException ex)
            {
                throw new TargetProcessException($"process {processId} could not write a dump: {ex.Message}", ex);
            }

            var pause = writing.Elapsed;
            using var target = DataTarget.LoadDump(path);
            var (findings, version) = Walk(processId, target, reachableOnly, cancellationToken);
            return Snapshot(processId, version, takenAt, new SnapshotCost("dump", pause, total.Elapsed, findings.HeapObjects, findings.Walk, findings.Reachability), findings);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static (HeapFindings Findings, string Version) Walk(int processId, DataTarget target, bool reachableOnly, CancellationToken cancellationToken)
    {
        var clr = target.ClrVersions.FirstOrDefault(c => c.Flavor == ClrFlavor.Core)
            ?? throw new TargetProcessException(
                target.ClrVersions.Length == 0
                    ? $"process {processId} is not a .NET process (no runtime is loaded in it)"
                    : $"process {processId} runs .NET Framework; governance tasks reads .NET {OldestRuntime.Major} or newer");
        var version = RuntimeVersion(clr);
        if (version < OldestRuntime)
        {
            throw new TargetProcessException(TooOld(processId, version));
        }

        using var runtime = CreateRuntime(processId, clr);
        if (!runtime.Heap.CanWalkHeap)
        {
            throw new TargetProcessException($"process {processId}'s heap cannot be walked right now (a garbage collection is in progress); try again");
        }

        return (HeapReader.Read(runtime, reachableOnly, cancellationToken), version.ToString(3));
    }

    /// <summary>
    /// The runtime's data access library (DAC) sits next to the runtime the target loaded, so it matches it by
    /// construction; a live Linux process's headers may not say which version it is, so ClrMD's own match check is
    /// skipped for that one file. Elsewhere ClrMD looks for it itself.
    /// </summary>
    private static ClrRuntime CreateRuntime(int processId, ClrInfo clr)
    {
        var folder = Path.GetDirectoryName(clr.ModuleInfo.FileName);
        var besideRuntime = folder is null
            ? null
            : DacFileNames.Select(f => Path.Combine(folder, f)).FirstOrDefault(File.Exists);
        try
        {
            return besideRuntime is not null ? clr.CreateRuntime(besideRuntime, ignoreMismatch: true) : clr.CreateRuntime();
        }
        catch (Exception ex) when (ex is FileNotFoundException or ClrDiagnosticsException or InvalidOperationException)
        {
            throw new TargetProcessException($"cannot read process {processId}'s runtime: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// The runtime's version. A live Linux process's module headers often carry none (0.0); then the shared framework's
    /// folder names it (<c>.../Microsoft.NETCore.App/10.0.1/libcoreclr.so</c>).
    /// </summary>
    internal static Version RuntimeVersion(ClrInfo clr)
    {
        if (clr.Version.Major > 0)
        {
            return new Version(clr.Version.Major, clr.Version.Minor, Math.Max(0, clr.Version.Build));
        }

        return VersionFromRuntimePath(clr.ModuleInfo.FileName) ?? OldestRuntime;
    }

    internal static Version? VersionFromRuntimePath(string? path)
    {
        var folder = Path.GetFileName(Path.GetDirectoryName(path ?? string.Empty));
        var plain = folder?.Split('-', 2)[0];
        return Version.TryParse(plain, out var version) && version.Major > 0
            ? new Version(version.Major, version.Minor, Math.Max(0, version.Build))
            : null;
    }

    internal static string TooOld(int processId, Version version) =>
        $"process {processId} runs .NET {version.Major}.{version.Minor}; governance tasks reads .NET {OldestRuntime.Major} or newer";

    internal static TargetProcessException AttachFailed(int processId, Exception ex)
    {
        var denied = ex is UnauthorizedAccessException
            || ex.Message.Contains("permission", StringComparison.OrdinalIgnoreCase)
            || ex.Message.Contains("ptrace", StringComparison.OrdinalIgnoreCase)
            || ex.Message.Contains("Operation not permitted", StringComparison.OrdinalIgnoreCase)
            || ex.HResult is 1 or unchecked((int)0x80070005);
        return new TargetProcessException(
            denied
                ? $"cannot attach to process {processId}: permission denied (ptrace). Run as the target's user or as root, or allow ptrace (kernel.yama.ptrace_scope=0, or CAP_SYS_PTRACE); '--method dump' needs no ptrace"
                : $"cannot attach to process {processId}: {ex.Message}",
            ex);
    }

    private static TasksSnapshot Snapshot(int processId, string version, DateTimeOffset takenAt, SnapshotCost cost, HeapFindings findings) =>
        new(processId, version, takenAt, cost, findings.PendingOperations, findings.UnreachablePendingOperations, findings.Chains, findings.Timers, findings.Channels);
}
