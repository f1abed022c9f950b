using System.Collections.Concurrent;
using Microsoft.CodeAnalysis;

namespace Governance.Analyzers.Operations;

/// <summary>
/// Lets an operation action walk the whole block around a rare operation (a timer or channel created into a local)
/// instead of an operation-block action walking every block: each block is claimed once, however many of its
/// operations ask, and whichever thread asks first.
/// </summary>
/// <remarks>One instance per compilation (created in the compilation start action); it holds only claimed blocks.</remarks>
internal sealed class WalkedBlocks
{
    private readonly ConcurrentDictionary<IOperation, byte> _walked = new();

    /// <summary>The root of the block holding <paramref name="operation"/> the first time that block is claimed; otherwise null.</summary>
    public IOperation? TryClaim(IOperation operation)
    {
        var root = operation.GetRoot();
        return _walked.TryAdd(root, 0) ? root : null;
    }
}
