using Microsoft.CodeAnalysis.Testing;

namespace Governance.Analyzers.Tests.Verifiers;

internal static class TestReferences
{
    /// <summary>
    /// The testing library's own Net90/Net100 reference sets ask the feed for pack versions it does not serve;
    /// the Basic.Reference.Assemblies copy needs no network at test time.
    /// </summary>
    public static ReferenceAssemblies Net100 { get; } = new("net10.0");

    public static void Apply(SolutionState state)
    {
        state.AdditionalReferences.AddRange(Basic.Reference.Assemblies.Net100.References.All);
    }
}
