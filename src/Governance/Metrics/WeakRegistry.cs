namespace Governance;

/// <summary>
/// The live primitives of one kind on one meter, held weakly: observable instruments enumerate them when a listener
/// collects, and a primitive nobody disposed still leaves when the GC collects it.
/// </summary>
/// <typeparam name="T">The primitive type.</typeparam>
internal sealed class WeakRegistry<T>
    where T : class
{
    private readonly Lock _lock = new();
    private readonly List<WeakReference<T>> _items = new();

    internal void Add(T item)
    {
        lock (_lock)
        {
            _items.Add(new WeakReference<T>(item));
        }
    }

    internal void Remove(T item)
    {
        lock (_lock)
        {
            _items.RemoveAll(w => !w.TryGetTarget(out var live) || ReferenceEquals(live, item));
        }
    }

    /// <summary>The live items, pruning dead references. Called only when metrics are collected.</summary>
    internal List<T> Snapshot()
    {
        var live = new List<T>();
        lock (_lock)
        {
            _items.RemoveAll(w =>
            {
                if (w.TryGetTarget(out var item))
                {
                    live.Add(item);
                    return false;
                }

                return true;
            });
        }

        return live;
    }
}
