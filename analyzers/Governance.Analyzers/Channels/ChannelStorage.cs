using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace Governance.Analyzers.Channels;

/// <summary>A local or private member that holds a channel created in the same method or type, and what is done with it.</summary>
internal sealed class ChannelStorage
{
    private readonly object _gate = new();
    private readonly List<IOperation> _unobservedReadLoops = new();
    private IOperation? _creation;
    private ChannelUses _uses;

    public ChannelStorage(ISymbol symbol, ISymbol container)
    {
        Symbol = symbol;
        Container = container;
    }

    public ISymbol Symbol { get; }

    /// <summary>The method (for a local) or type (for a member) the storage belongs to; named in messages.</summary>
    public ISymbol Container { get; }

    /// <summary>The first creation in source order; null when the channel came from elsewhere.</summary>
    public IOperation? Creation
    {
        get
        {
            lock (_gate)
            {
                return _creation;
            }
        }
    }

    public ChannelUses Uses
    {
        get
        {
            lock (_gate)
            {
                return _uses;
            }
        }
    }

    public IReadOnlyList<IOperation> UnobservedReadLoops
    {
        get
        {
            lock (_gate)
            {
                return _unobservedReadLoops.ToArray();
            }
        }
    }

    // Callbacks for one type run concurrently across its partial declarations.
    public void AddCreation(IOperation creation)
    {
        lock (_gate)
        {
            if (_creation is null || IsEarlier(creation, _creation))
            {
                _creation = creation;
            }
        }
    }

    public void AddUse(ChannelUses uses, IOperation? unobservedReadLoop)
    {
        lock (_gate)
        {
            _uses |= uses;
            if (unobservedReadLoop is not null)
            {
                _unobservedReadLoops.Add(unobservedReadLoop);
            }
        }
    }

    private static bool IsEarlier(IOperation a, IOperation b)
    {
        var byPath = string.CompareOrdinal(a.Syntax.SyntaxTree.FilePath, b.Syntax.SyntaxTree.FilePath);
        return byPath < 0 || (byPath == 0 && a.Syntax.SpanStart < b.Syntax.SpanStart);
    }
}
