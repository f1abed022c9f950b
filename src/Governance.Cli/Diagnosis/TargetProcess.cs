using System.Diagnostics;
using System.Globalization;
using Microsoft.Diagnostics.NETCore.Client;

namespace Governance.Cli.Diagnosis;

/// <summary>
/// What a tool attaching to another process checks first, each failure said in one line: the process runs, its runtime
/// is recent enough, and why a diagnostics connection failed (none with that id, not .NET or no socket, another user's).
/// </summary>
internal static class TargetProcess
{
    /// <summary>Whether the process still runs (it is given a second to be gone after closing its diagnostics stream).</summary>
    internal static bool StillRunning(int pid)
    {
        try
        {
            // A process that just closed its diagnostics stream may take a moment to be gone.
            using var process = Process.GetProcessById(pid);
            return !process.WaitForExit(TimeSpan.FromSeconds(1));
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>Throws a one-line <see cref="TargetProcessException"/> unless a process with that id runs.</summary>
    internal static void EnsureRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            if (process.HasExited)
            {
                throw new TargetProcessException($"no process with id {pid}");
            }
        }
        catch (ArgumentException)
        {
            throw new TargetProcessException($"no process with id {pid}");
        }
        catch (InvalidOperationException)
        {
            throw new TargetProcessException($"no process with id {pid}");
        }
    }

    /// <summary>One line saying why the diagnostics client could not connect.</summary>
    internal static string ConnectionError(int pid, Exception ex) => ex switch
    {
        UnauthorizedAccessException => PermissionDenied(pid),
        ServerNotAvailableException when ex.InnerException is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AccessDenied }
            || ex.Message.Contains("Permission denied", StringComparison.OrdinalIgnoreCase) => PermissionDenied(pid),
        ServerNotAvailableException when DiagnosticsClient.GetPublishedProcesses().Contains(pid) => $"cannot connect to process {pid}: {ex.Message}",
        ServerNotAvailableException => $"cannot connect to process {pid}: it is not a .NET process with a diagnostics socket (not .NET, .NET Framework, DOTNET_EnableDiagnostics=0, or another user's /tmp)",
        _ => $"cannot connect to process {pid}: {ex.Message}",
    };

    private static string PermissionDenied(int pid) =>
        $"cannot connect to process {pid}: permission denied on its diagnostics socket (run as the process's user, or as root)";

    /// <summary>
    /// The target's .NET major version: the product version of the System.Private.CoreLib.dll it mapped (Linux:
    /// /proc/PID/maps; framework-dependent or self-contained alike); null when unknown.
    /// </summary>
    internal static int? RuntimeMajorVersion(int pid)
    {
        var maps = $"/proc/{pid}/maps";
        try
        {
            if (!File.Exists(maps))
            {
                return null;
            }

            foreach (var line in File.ReadLines(maps))
            {
                var at = line.IndexOf('/', StringComparison.Ordinal);
                if (at >= 0 && line.EndsWith("/System.Private.CoreLib.dll", StringComparison.Ordinal) && File.Exists(line[at..]))
                {
                    // The product version (8.0.31+hash): .NET Core 3.x's file versions are 4.7.
                    var product = FileVersionInfo.GetVersionInfo(line[at..]).ProductVersion ?? string.Empty;
                    var dot = product.IndexOf('.', StringComparison.Ordinal);
                    return dot > 0 && int.TryParse(product.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var major) ? major : null;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Another user's process: the connection attempt says what is wrong.
        }

        return null;
    }
}
