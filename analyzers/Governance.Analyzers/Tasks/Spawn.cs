using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Governance.Analyzers.Tasks;

/// <summary>An operation that starts concurrent work, as <see cref="SpawnDetector"/> recognised it.</summary>
internal sealed class Spawn
{
    public Spawn(IOperation operation, SpawnKind kind, string displayName, IAnonymousFunctionOperation? work, Location location)
    {
        Operation = operation;
        Kind = kind;
        DisplayName = displayName;
        Work = work;
        Location = location;
    }

    /// <summary>The invocation or creation whose value is the started work.</summary>
    public IOperation Operation { get; }

    public SpawnKind Kind { get; }

    /// <summary>How the message names it: <c>Task.Run</c>, <c>'SendAsync'</c>, ...</summary>
    public string DisplayName { get; }

    /// <summary>The lambda that is the work, when the spawn is given one.</summary>
    public IAnonymousFunctionOperation? Work { get; }

    public Location Location { get; }
}
