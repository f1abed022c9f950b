using Governance.Analyzers.Symbols;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Governance.Analyzers.Channels;

/// <summary>The System.Threading.Channels types of one compilation, resolved once at compilation start.</summary>
internal sealed class ChannelSymbols
{
    private ChannelSymbols(INamedTypeSymbol factory, Compilation compilation)
    {
        Factory = factory;
        Channel = compilation.GetTypeByMetadataName("System.Threading.Channels.Channel`2");
        ChannelReader = compilation.GetTypeByMetadataName("System.Threading.Channels.ChannelReader`1");
        ChannelWriter = compilation.GetTypeByMetadataName("System.Threading.Channels.ChannelWriter`1");
        CancellationToken = compilation.GetTypeByMetadataName("System.Threading.CancellationToken");
        ServiceCollection = compilation.GetTypeByMetadataName("Microsoft.Extensions.DependencyInjection.IServiceCollection");
        Collection = compilation.GetTypeByMetadataName("System.Collections.IEnumerable");
    }

    /// <summary>The static <c>System.Threading.Channels.Channel</c> class with the <c>Create*</c> factories.</summary>
    public INamedTypeSymbol Factory { get; }

    /// <summary><c>Channel&lt;TWrite, TRead&gt;</c>, the base of every channel.</summary>
    public INamedTypeSymbol? Channel { get; }

    public INamedTypeSymbol? ChannelReader { get; }

    public INamedTypeSymbol? ChannelWriter { get; }

    public INamedTypeSymbol? CancellationToken { get; }

    public INamedTypeSymbol? ServiceCollection { get; }

    public INamedTypeSymbol? Collection { get; }

    /// <summary>Null when System.Threading.Channels is not referenced: the channel rules then register nothing.</summary>
    public static ChannelSymbols? Create(Compilation compilation)
        => compilation.GetTypeByMetadataName("System.Threading.Channels.Channel") is { } factory
            ? new ChannelSymbols(factory, compilation)
            : null;

    public bool IsChannelType(ITypeSymbol? type) => type.IsOrDerivesFrom(Channel);

    /// <summary><c>Channel.CreateBounded/CreateUnbounded/CreateUnboundedPrioritized</c>, or <c>new</c> of a channel class.</summary>
    public bool IsChannelCreation(IOperation operation)
        => operation switch
        {
            IInvocationOperation invocation => IsFactoryCall(invocation) is not null,
            IObjectCreationOperation creation => IsChannelType(creation.Type),
            _ => false,
        };

    /// <summary>A factory call whose channel has no capacity limit.</summary>
    public bool IsUnboundedCreation(IOperation operation)
        => operation is IInvocationOperation invocation && IsFactoryCall(invocation) is { } bounded && !bounded;

    /// <summary>A factory call with a capacity limit (<c>CreateBounded</c>).</summary>
    public bool IsBoundedCreation(IOperation operation)
        => operation is IInvocationOperation invocation && IsFactoryCall(invocation) is true;

    // Null when not a factory call; otherwise whether the channel is bounded.
    private bool? IsFactoryCall(IInvocationOperation invocation)
    {
        if (!SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ContainingType, Factory))
        {
            return null;
        }

        return invocation.TargetMethod.Name switch
        {
            "CreateBounded" => true,
            "CreateUnbounded" or "CreateUnboundedPrioritized" => false,
            _ => null,
        };
    }
}
