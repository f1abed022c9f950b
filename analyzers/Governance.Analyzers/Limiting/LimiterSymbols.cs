using System.Collections.Concurrent;
using System.Collections.Immutable;
using Governance.Analyzers.Operations;
using Governance.Analyzers.Options;
using Governance.Analyzers.Symbols;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Governance.Analyzers.Limiting;

/// <summary>
/// The limiter types of one compilation: the built-in list (docs/rules/README.md, "Limiters") plus
/// <c>governance.limiter_types</c>.
/// </summary>
internal sealed class LimiterSymbols
{
    private readonly Compilation _compilation;

    // Perf: options are per tree but almost always identical; resolve each distinct option text once.
    private readonly ConcurrentDictionary<string, ImmutableArray<INamedTypeSymbol>> _configured = new(System.StringComparer.Ordinal);

    public LimiterSymbols(Compilation compilation)
    {
        _compilation = compilation;
        SemaphoreSlim = compilation.GetTypeByMetadataName("System.Threading.SemaphoreSlim");
        RateLimiter = compilation.GetTypeByMetadataName("System.Threading.RateLimiting.RateLimiter");
        TaskLimiter = compilation.GetTypeByMetadataName("Governance.TaskLimiter");
        TaskGroup = compilation.GetTypeByMetadataName("Governance.TaskGroup");
        WorkerPool = compilation.GetTypeByMetadataName("Governance.WorkerPool`1");
        ChannelWriter = compilation.GetTypeByMetadataName("System.Threading.Channels.ChannelWriter`1");
    }

    public INamedTypeSymbol? SemaphoreSlim { get; }

    public INamedTypeSymbol? RateLimiter { get; }

    public INamedTypeSymbol? TaskLimiter { get; }

    public INamedTypeSymbol? TaskGroup { get; }

    public INamedTypeSymbol? WorkerPool { get; }

    public INamedTypeSymbol? ChannelWriter { get; }

    public ImmutableArray<INamedTypeSymbol> GetConfiguredTypes(GovernanceOptions options)
    {
        var text = options.LimiterTypesText;
        if (text.Length == 0)
        {
            return ImmutableArray<INamedTypeSymbol>.Empty;
        }

        return _configured.GetOrAdd(text, _ =>
        {
            var builder = ImmutableArray.CreateBuilder<INamedTypeSymbol>();
            foreach (var name in options.LimiterTypeNames)
            {
                if (_compilation.GetTypeByMetadataName(name) is { } type)
                {
                    builder.Add(type);
                }
            }

            return builder.ToImmutable();
        });
    }

    /// <summary>
    /// A call that takes a slot of a limiter before work goes on, or hands the work to a bounded owner:
    /// <c>SemaphoreSlim.Wait/WaitAsync</c>, <c>RateLimiter.AcquireAsync/AttemptAcquire</c>,
    /// <c>TaskLimiter.AcquireAsync/TryAcquire/RunAsync</c>, <c>TaskGroup.GoAsync/TryGo</c>, <c>WorkerPool&lt;T&gt;</c>
    /// enqueues, <c>ChannelWriter&lt;T&gt;.WriteAsync/WaitToWriteAsync</c>, and any call on a configured limiter type
    /// other than a release.
    /// </summary>
    public bool IsAcquire(IInvocationOperation invocation, ImmutableArray<INamedTypeSymbol> configured)
    {
        var method = invocation.TargetMethod;
        var receiverType = invocation.Instance?.Type ?? method.ContainingType;
        switch (method.Name)
        {
            case "Wait" or "WaitAsync" when receiverType.IsOrDerivesFrom(SemaphoreSlim):
            case "AcquireAsync" or "AttemptAcquire" when receiverType.IsOrDerivesFrom(RateLimiter):
            case "AcquireAsync" or "TryAcquire" or "RunAsync" when receiverType.IsOrDerivesFrom(TaskLimiter):
            case "GoAsync" or "TryGo" when receiverType.IsOrDerivesFrom(TaskGroup):
            case "EnqueueAsync" or "TryEnqueue" when receiverType.IsOrDerivesFrom(WorkerPool):
            case "WriteAsync" or "WaitToWriteAsync" when receiverType.IsOrDerivesFrom(ChannelWriter):
                return true;
        }

        // `DeleteAsync(blob, semaphore)`: the callee is handed the limiter and takes it around its work.
        foreach (var argument in invocation.Arguments)
        {
            if (IsLimiterType(argument.Value.WalkDownConversions().Type, configured))
            {
                return true;
            }
        }

        if (configured.IsDefaultOrEmpty || method.Name is "Release" or "Dispose" or "DisposeAsync" or "ToString" or "GetHashCode" or "Equals" or "GetType")
        {
            return false;
        }

        foreach (var type in configured)
        {
            if (receiverType.IsOrDerivesFrom(type) || receiverType.IsOrImplements(type))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether a value of this type is a limiter: built in or configured with <c>governance.limiter_types</c>.</summary>
    public bool IsLimiterType(ITypeSymbol? type, ImmutableArray<INamedTypeSymbol> configured)
    {
        if (type is null || type.SpecialType != SpecialType.None)
        {
            return false;
        }

        if (type.IsOrDerivesFrom(SemaphoreSlim) || type.IsOrDerivesFrom(RateLimiter) || type.IsOrDerivesFrom(TaskLimiter) || type.IsOrDerivesFrom(TaskGroup))
        {
            return true;
        }

        foreach (var limiter in configured.IsDefault ? ImmutableArray<INamedTypeSymbol>.Empty : configured)
        {
            if (type.IsOrDerivesFrom(limiter) || type.IsOrImplements(limiter))
            {
                return true;
            }
        }

        return false;
    }
}
