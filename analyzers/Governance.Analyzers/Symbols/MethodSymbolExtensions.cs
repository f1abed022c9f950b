using Microsoft.CodeAnalysis;

namespace Governance.Analyzers.Symbols;

internal static class MethodSymbolExtensions
{
    /// <summary>
    /// <c>static Main</c> or top-level statements: the process owns what they start, so process-lifetime
    /// resources there are by design.
    /// </summary>
    public static bool IsProgramEntryPoint(this ISymbol? symbol)
        => symbol is IMethodSymbol { IsStatic: true, Name: "Main" or WellKnownMemberNames.TopLevelStatementsEntryPointMethodName };

    public static bool IsConstructorOf(this ISymbol? symbol, bool isStatic)
        => symbol is IMethodSymbol method
            && (isStatic ? method.MethodKind == MethodKind.StaticConstructor : method.MethodKind == MethodKind.Constructor);
}
