using System.Collections.Immutable;
using Microsoft.CodeAnalysis.CodeFixes;

namespace Governance.Cli.Fixing;

/// <summary>Every Governance code fix, found by reflection so that a new fix needs no change here.</summary>
internal static class CodeFixCatalog
{
    private static readonly Lazy<ImmutableArray<CodeFixProvider>> s_providers = new(() =>
        typeof(Governance.Analyzers.Channels.UnboundedChannelCodeFix).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(CodeFixProvider).IsAssignableFrom(t) && t.GetCustomAttributes(typeof(ExportCodeFixProviderAttribute), inherit: false).Length > 0)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (CodeFixProvider)Activator.CreateInstance(t)!)
            .ToImmutableArray());

    internal static ImmutableArray<CodeFixProvider> Providers => s_providers.Value;

    internal static CodeFixProvider? For(string diagnosticId) =>
        Providers.FirstOrDefault(p => p.FixableDiagnosticIds.Contains(diagnosticId));
}
