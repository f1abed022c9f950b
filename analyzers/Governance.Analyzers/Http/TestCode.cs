using System;
using Governance.Analyzers.Symbols;
using Microsoft.CodeAnalysis;

namespace Governance.Analyzers.Http;

/// <summary>Code whose load is a test's: it never meets production traffic.</summary>
internal static class TestCode
{
    /// <summary>
    /// A test method, or a type in a namespace that names tests: a segment <c>Testing</c> (test harnesses shipped with
    /// a library, such as <c>MassTransit.Testing</c> or <c>Microsoft.AspNetCore.Mvc.Testing</c>), <c>Tests</c>,
    /// <c>Test</c>, <c>Specs</c>, or one ending in <c>Tests</c> or <c>Test</c> (<c>Billing.IntegrationTest</c>).
    /// Test projects are recognised by <see cref="MethodSymbolExtensions.IsTestProject"/>.
    /// </summary>
    public static bool IsTestCode(ISymbol member)
    {
        if (member.IsTestMethod())
        {
            return true;
        }

        for (var ns = member.ContainingType?.ContainingNamespace; ns is { IsGlobalNamespace: false }; ns = ns.ContainingNamespace)
        {
            var name = ns.Name;
            if (name.Equals("Testing", StringComparison.OrdinalIgnoreCase)
                || name.Equals("Test", StringComparison.OrdinalIgnoreCase)
                || name.Equals("Tests", StringComparison.OrdinalIgnoreCase)
                || name.Equals("Specs", StringComparison.OrdinalIgnoreCase)

                // Case-sensitive, so that `Latest` or `Contest` is not a test.
                || name.EndsWith("Tests", StringComparison.Ordinal)
                || name.EndsWith("Test", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
