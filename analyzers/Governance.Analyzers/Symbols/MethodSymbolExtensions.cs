using Microsoft.CodeAnalysis;

namespace Governance.Analyzers.Symbols;

internal static class MethodSymbolExtensions
{
    public static bool IsConstructorOf(this ISymbol? symbol, bool isStatic)
        => symbol is IMethodSymbol method
            && (isStatic ? method.MethodKind == MethodKind.StaticConstructor : method.MethodKind == MethodKind.Constructor);
}
