using Microsoft.Build.Locator;

namespace Governance.Cli.Scanning;

/// <summary>Finds the .NET SDK's MSBuild once per process, before anything loads MSBuild's types.</summary>
internal static class MsBuildHost
{
    private static readonly object s_gate = new();
    private static string? s_failure;
    private static bool s_done;

    /// <summary>Registers the newest SDK's MSBuild; <see langword="null"/> on success, otherwise why not.</summary>
    internal static string? EnsureRegistered()
    {
        lock (s_gate)
        {
            if (!s_done)
            {
                s_done = true;
                try
                {
                    if (!MSBuildLocator.IsRegistered)
                    {
                        // The newest SDK this runtime can host (a newer SDK's MSBuild may need a newer runtime).
                        var instance = MSBuildLocator.QueryVisualStudioInstances()
                            .Where(i => i.Version.Major <= Environment.Version.Major)
                            .OrderByDescending(i => i.Version)
                            .FirstOrDefault();
                        if (instance is null)
                        {
                            s_failure = "no .NET SDK with MSBuild was found";
                        }
                        else
                        {
                            MSBuildLocator.RegisterInstance(instance);
                        }
                    }
                }
                catch (InvalidOperationException ex)
                {
                    s_failure = ex.Message;
                }
            }

            return s_failure;
        }
    }
}
