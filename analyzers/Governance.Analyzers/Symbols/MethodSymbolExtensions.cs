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

    /// <summary>
    /// A test or benchmark project: it references a test framework (xUnit, NUnit, MSTest, TUnit) or BenchmarkDotNet,
    /// or its assembly name has a segment <c>Tests</c>, <c>Test</c>, <c>Specs</c>, <c>Benchmarks</c> or <c>Benchmark</c>
    /// (<c>Orders.Tests</c>, <c>Garnet.test.scripting</c>), which is how a folder scan, without package references, still knows.
    /// </summary>
    public static bool IsTestProject(this Compilation compilation)
    {
        foreach (var reference in compilation.ReferencedAssemblyNames)
        {
            if (reference.Name is "xunit.core" or "xunit.v3.core" or "nunit.framework" or "Microsoft.VisualStudio.TestPlatform.TestFramework"
                or "MSTest.TestFramework" or "TUnit.Core" or "BenchmarkDotNet")
            {
                return true;
            }
        }

        foreach (var segment in (compilation.AssemblyName ?? string.Empty).Split('.'))
        {
            if (segment.Equals("Tests", System.StringComparison.OrdinalIgnoreCase) || segment.Equals("Test", System.StringComparison.OrdinalIgnoreCase)
                || segment.Equals("Specs", System.StringComparison.OrdinalIgnoreCase) || segment.Equals("Benchmarks", System.StringComparison.OrdinalIgnoreCase)
                || segment.Equals("Benchmark", System.StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
