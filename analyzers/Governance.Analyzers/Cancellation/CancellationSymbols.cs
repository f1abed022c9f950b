using System.Collections.Generic;
using System.Globalization;
using Governance.Analyzers.Operations;
using Governance.Analyzers.Symbols;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Governance.Analyzers.Cancellation;

/// <summary>The cancellation types of one compilation, resolved once at compilation start.</summary>
internal sealed class CancellationSymbols
{
    private CancellationSymbols(Compilation compilation, INamedTypeSymbol source)
    {
        Source = source;
        Timeout = compilation.GetTypeByMetadataName("System.Threading.Timeout");
        TimeSpan = compilation.GetTypeByMetadataName("System.TimeSpan");
        HostedService = compilation.GetTypeByMetadataName("Microsoft.Extensions.Hosting.IHostedService");
        AsyncDisposable = compilation.GetTypeByMetadataName("System.IAsyncDisposable");
    }

    /// <summary><c>System.Threading.CancellationTokenSource</c>.</summary>
    public INamedTypeSymbol Source { get; }

    public INamedTypeSymbol? Timeout { get; }

    public INamedTypeSymbol? TimeSpan { get; }

    /// <summary><c>Microsoft.Extensions.Hosting.IHostedService</c>: the host makes one instance per process.</summary>
    public INamedTypeSymbol? HostedService { get; }

    public INamedTypeSymbol? AsyncDisposable { get; }

    /// <summary>Null when the compilation has no <c>CancellationTokenSource</c>: the rules then register nothing.</summary>
    public static CancellationSymbols? Create(Compilation compilation)
        => compilation.GetTypeByMetadataName("System.Threading.CancellationTokenSource") is { TypeKind: not TypeKind.Error } source
            ? new CancellationSymbols(compilation, source)
            : null;

    public bool IsSourceType(ITypeSymbol? type) => type.IsOrDerivesFrom(Source);

    /// <summary>Whether a variable of this type can hold a source: the source type, or <c>object</c>, <c>IDisposable</c>, <c>IAsyncDisposable</c>.</summary>
    public bool CanHoldSource(ITypeSymbol? type)
        => type is not null
            && (type.SpecialType is SpecialType.System_Object or SpecialType.System_IDisposable
                || type.IsType(AsyncDisposable)
                || IsSourceType(type));

    /// <summary>
    /// A new source: <c>CancellationTokenSource.CreateLinkedTokenSource(...)</c> (linked, unless every parent is
    /// <c>CancellationToken.None</c> or <c>default</c>, which makes a plain source), or <c>new</c> of the source type
    /// or a type derived from it (with a timer when the framework's constructor gets a finite, non-zero delay).
    /// </summary>
    public bool TryGetCreation(IOperation operation, out SourceKind kind)
    {
        switch (operation)
        {
            case IInvocationOperation { TargetMethod: { Name: "CreateLinkedTokenSource", IsStatic: true } method } linked
                when SymbolEqualityComparer.Default.Equals(method.ContainingType, Source):
                kind = HasCancelableParent(linked) ? SourceKind.Linked : SourceKind.Plain;
                return true;
            case IObjectCreationOperation { Type: { } type } creation when IsSourceType(type):
                kind = HasTimer(creation) ? SourceKind.Timer : SourceKind.Plain;
                return true;
            default:
                kind = SourceKind.Plain;
                return false;
        }
    }

    /// <summary>The parent tokens a linked source registers on: each argument, or each element of a <c>params</c> array.</summary>
    public static IEnumerable<IOperation> GetParents(IInvocationOperation linked)
    {
        foreach (var argument in linked.Arguments)
        {
            switch (argument.Value)
            {
                // `params CancellationToken[]` (an array the compiler builds) or `params ReadOnlySpan<CancellationToken>`.
                case IArrayCreationOperation array:
                    if (array.Initializer is { } initializer)
                    {
                        foreach (var element in initializer.ElementValues)
                        {
                            yield return element;
                        }
                    }

                    break;
                case ICollectionExpressionOperation collection:
                    foreach (var element in collection.Elements)
                    {
                        yield return element;
                    }

                    break;
                default:
                    yield return argument.Value;
                    break;
            }
        }
    }

    /// <summary><c>CancelAfter(delay)</c> with a delay that schedules a timer (not infinite).</summary>
    public bool IsTimerStart(IInvocationOperation invocation)
        => invocation is { TargetMethod.Name: "CancelAfter", Arguments.Length: 1 }
            && IsSourceType(invocation.TargetMethod.ContainingType)
            && !IsInfinite(invocation.Arguments[0].Value);

    /// <summary><c>Dispose()</c> or <c>DisposeAsync()</c>: removes the links and the timer.</summary>
    public static bool IsDispose(IMethodSymbol method)
        => method.Name is "Dispose" or "DisposeAsync" && method.Parameters.Length == 0;

    /// <summary>
    /// <c>Cancel</c>, <c>CancelAsync</c> or <c>TryReset</c>: each stops the source's timer (the runtime disposes it on
    /// cancellation), but none removes the registrations of a linked source on its parents.
    /// </summary>
    public bool IsTimerStop(IMethodSymbol method)
        => method.Name is "Cancel" or "CancelAsync" or "TryReset" && IsSourceType(method.ContainingType);

    /// <summary>The delay given to the framework's constructor, when it schedules a timer.</summary>
    public static IOperation? GetDelay(IObjectCreationOperation creation)
        => creation.Arguments.GetArgumentValue("delay") ?? creation.Arguments.GetArgumentValue("millisecondsDelay");

    private bool HasTimer(IObjectCreationOperation creation)
        => SymbolEqualityComparer.Default.Equals(creation.Constructor?.ContainingType, Source)
            && GetDelay(creation) is { } delay
            && !IsInfinite(delay)
            && !IsZero(delay);

    private static bool HasCancelableParent(IInvocationOperation linked)
    {
        foreach (var parent in GetParents(linked))
        {
            var value = parent.WalkDownConversions();
            if (value is IDefaultValueOperation
                || value is IPropertyReferenceOperation { Property: { Name: "None", IsStatic: true } } none && none.Property.ContainingType.Name == "CancellationToken")
            {
                continue;
            }

            return true;
        }

        return false;
    }

    /// <summary><c>-1</c>, <c>Timeout.Infinite</c>, <c>Timeout.InfiniteTimeSpan</c> or <c>TimeSpan.FromMilliseconds(-1)</c>: no timer is scheduled.</summary>
    private bool IsInfinite(IOperation value)
    {
        value = value.WalkDownConversions();
        if (value.ConstantValue is { HasValue: true, Value: int or long or uint } constant)
        {
            return System.Convert.ToInt64(constant.Value, CultureInfo.InvariantCulture) is -1 or uint.MaxValue;
        }

        return value switch
        {
            IFieldReferenceOperation { Field.Name: "InfiniteTimeSpan" } field => field.Field.ContainingType.IsType(Timeout) || field.Field.ContainingType.IsType(TimeSpan),
            IInvocationOperation { TargetMethod.Name: "FromMilliseconds", Arguments.Length: > 0 } from when from.TargetMethod.ContainingType.IsType(TimeSpan)
                => from.Arguments[0].Value.WalkDownConversions().ConstantValue is { HasValue: true, Value: { } ms } && System.Convert.ToDouble(ms, CultureInfo.InvariantCulture) == -1,
            _ => false,
        };
    }

    /// <summary><c>0</c>, <c>TimeSpan.Zero</c> or <c>TimeSpan.FromX(0)</c>: the source is cancelled at once, with no timer.</summary>
    private bool IsZero(IOperation value)
    {
        value = value.WalkDownConversions();
        if (value.ConstantValue is { HasValue: true, Value: int or long or uint } constant)
        {
            return System.Convert.ToInt64(constant.Value, CultureInfo.InvariantCulture) == 0;
        }

        return value switch
        {
            IFieldReferenceOperation { Field.Name: "Zero" } field => field.Field.ContainingType.IsType(TimeSpan),
            IInvocationOperation { TargetMethod.Name: var name, Arguments.Length: 1 } from when name.StartsWith("From", System.StringComparison.Ordinal) && from.TargetMethod.ContainingType.IsType(TimeSpan)
                => from.Arguments[0].Value.WalkDownConversions().ConstantValue is { HasValue: true, Value: { } amount } && amount is not string && System.Convert.ToDouble(amount, CultureInfo.InvariantCulture) == 0,
            _ => false,
        };
    }
}
