namespace Governance;

/// <summary>
/// What a unit captures where it is started, in one <see cref="AsyncLocal{T}"/> read: the labels set explicitly with
/// <see cref="TaskCensus.WithLabels(KeyValuePair{string, string}[])"/> and the innermost <see cref="CensusScope"/>.
/// Immutable; each label scope or census scope makes a new one over its parent.
/// </summary>
internal sealed class CensusContext
{
    private static readonly KeyValuePair<string, string>[] s_noLabels = [];

    internal CensusContext(CensusContext? parent, KeyValuePair<string, string>[]? labels, CensusScope? scope)
    {
        Scope = scope ?? parent?.Scope;
        Labels = labels is null || labels.Length == 0 ? parent?.Labels ?? s_noLabels : Merge(parent?.Labels, labels);
    }

    internal IReadOnlyList<KeyValuePair<string, string>> Labels { get; }

    internal CensusScope? Scope { get; }

    internal static IReadOnlyList<KeyValuePair<string, string>> NoLabels => s_noLabels;

    /// <summary>Whether a unit that captured this context was started inside <paramref name="scope"/> (or a scope nested in it).</summary>
    internal bool IsIn(CensusScope scope)
    {
        for (var current = Scope; current is not null; current = current.Parent)
        {
            if (ReferenceEquals(current, scope))
            {
                return true;
            }
        }

        return false;
    }

    // An inner label with the key of an outer one replaces it, as pprof.WithLabels does.
    private static KeyValuePair<string, string>[] Merge(IReadOnlyList<KeyValuePair<string, string>>? outer, KeyValuePair<string, string>[] inner)
    {
        var merged = new List<KeyValuePair<string, string>>();
        if (outer is not null)
        {
            foreach (var label in outer)
            {
                if (Array.FindIndex(inner, l => l.Key == label.Key) < 0)
                {
                    merged.Add(label);
                }
            }
        }

        foreach (var label in inner)
        {
            merged.RemoveAll(l => l.Key == label.Key);
            merged.Add(label);
        }

        merged.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return merged.ToArray();
    }
}
