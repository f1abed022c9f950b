using Microsoft.Extensions.Options;

namespace Governance;

/// <summary>Applies the resizable part of reloaded named options to a live primitive.</summary>
internal static class OptionsReload
{
    /// <summary>
    /// Calls <paramref name="resize"/> with the new size whenever the options named <paramref name="name"/> change to a
    /// different positive size. A primitive already disposed (the container is shutting down) is left alone.
    /// </summary>
    internal static void Watch<TOptions>(IOptionsMonitor<TOptions> monitor, string name, Func<TOptions, int> size, Func<int> current, Action<int> resize)
    {
        monitor.OnChange((options, changed) =>
        {
            var wanted = size(options);
            if (changed != name || wanted <= 0 || wanted == current())
            {
                return;
            }

            try
            {
                resize(wanted);
            }
            catch (ObjectDisposedException)
            {
                // The container is shutting down.
            }
        });
    }
}
