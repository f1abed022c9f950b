using System.Diagnostics.Metrics;
using System.Reflection;

namespace Governance;

/// <summary>Gives each primitive its <c>Governance</c> meter: the application's via <see cref="IMeterFactory"/>, or a shared one.</summary>
internal static class MeterProvider
{
    private static readonly string? s_version =
        typeof(MeterProvider).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    private static readonly Lazy<Meter> s_shared = new(() => new Meter(GovernanceMeter.MeterName, s_version));

    internal static Meter Get(IMeterFactory? factory) =>
        // An IMeterFactory caches meters by name, version and tags, so this returns the same meter for every primitive.
        factory is null ? s_shared.Value : factory.Create(new MeterOptions(GovernanceMeter.MeterName) { Version = s_version });
}
