using Microsoft.CodeAnalysis;

namespace Governance.Analyzers.Symbols;

internal static class MethodSymbolExtensions
{
    public static bool IsConstructorOf(this ISymbol? symbol, bool isStatic)
        => symbol is IMethodSymbol method
            && (isStatic ? method.MethodKind == MethodKind.StaticConstructor : method.MethodKind == MethodKind.Constructor);

    /// <summary>
    /// A test method of xUnit, NUnit, MSTest or TUnit (<c>[Fact]</c>, <c>[Theory]</c>, <c>[Test]</c>, <c>[TestCase]</c>,
    /// <c>[TestMethod]</c>, ...), or a BenchmarkDotNet <c>[Benchmark]</c>: code whose load is chosen on purpose. The attribute is matched by name because a folder scan may not resolve the test
    /// framework's assembly; its namespace is checked when it does resolve.
    /// </summary>
    public static bool IsTestMethod(this ISymbol? symbol)
    {
        if (symbol is not IMethodSymbol method)
        {
            return false;
        }

        foreach (var attribute in method.GetAttributes())
        {
            if (attribute.AttributeClass is not { } type)
            {
                continue;
            }

            var name = type.Name.EndsWith("Attribute", System.StringComparison.Ordinal) ? type.Name.Substring(0, type.Name.Length - "Attribute".Length) : type.Name;
            var frameworkNamespace = type.TypeKind == TypeKind.Error || type.ContainingNamespace is null
                || type.ContainingNamespace.ToDisplayString() is var ns && (ns.StartsWith("Xunit", System.StringComparison.Ordinal)
                    || ns.StartsWith("NUnit", System.StringComparison.Ordinal) || ns.StartsWith("Microsoft.VisualStudio.TestTools", System.StringComparison.Ordinal)
                    || ns.StartsWith("TUnit", System.StringComparison.Ordinal) || ns.StartsWith("BenchmarkDotNet", System.StringComparison.Ordinal));
            if (frameworkNamespace && name is "Fact" or "Theory" or "Test" or "TestCase" or "TestCaseSource" or "TestMethod" or "DataTestMethod" or "SkippableFact" or "SkippableTheory" or "Benchmark")
            {
                return true;
            }
        }

        return false;
    }
}
