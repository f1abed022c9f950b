using System.Collections;
using Microsoft.Diagnostics.Runtime;

namespace Governance.Cli.Diagnosis.Tasks;

/// <summary>
/// The objects a GC would keep: everything reachable from the heap's roots. A pending task nothing reaches is garbage
/// the next collection frees, not a leak, so it is counted apart.
/// </summary>
/// <remarks>One bit per pointer-sized word of each heap segment, so the mark costs a few percent of the heap's size.</remarks>
internal sealed class Reachability
{
    private readonly (ulong Start, ulong End, BitArray Bits)[] _segments;

    private Reachability(ClrHeap heap)
    {
        _segments = heap.Segments
            .Where(s => s.ObjectRange.Length > 0)
            .Select(s => (s.ObjectRange.Start, s.ObjectRange.End, new BitArray(checked((int)((s.ObjectRange.End - s.ObjectRange.Start) / 8) + 1))))
            .OrderBy(s => s.Start)
            .ToArray();
    }

    internal static Reachability Mark(ClrHeap heap, CancellationToken cancellationToken)
    {
        var marks = new Reachability(heap);
        var stack = new Stack<ulong>();
        foreach (var root in heap.EnumerateRoots())
        {
            if (root.Object.Address != 0)
            {
                stack.Push(root.Object.Address);
            }
        }

        long visited = 0;
        while (stack.Count > 0)
        {
            var address = stack.Pop();
            if (!marks.TrySet(address))
            {
                continue;
            }

            if ((++visited & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var obj = heap.GetObject(address);
            if (!obj.IsValid || !obj.ContainsPointers)
            {
                continue;
            }

            foreach (var reference in obj.EnumerateReferenceAddresses(carefully: false, considerDependantHandles: true))
            {
                if (reference != 0 && !marks.Contains(reference))
                {
                    stack.Push(reference);
                }
            }
        }

        return marks;
    }

    internal bool Contains(ulong address) => Find(address, out var segment, out var bit) && _segments[segment].Bits[bit];

    private bool TrySet(ulong address)
    {
        if (!Find(address, out var segment, out var bit) || _segments[segment].Bits[bit])
        {
            return false;
        }

        _segments[segment].Bits[bit] = true;
        return true;
    }

    private bool Find(ulong address, out int segment, out int bit)
    {
        int low = 0, high = _segments.Length - 1;
        while (low <= high)
        {
            var mid = (low + high) >>> 1;
            var (start, end, _) = _segments[mid];
            if (address < start)
            {
                high = mid - 1;
            }
            else if (address >= end)
            {
                low = mid + 1;
            }
            else
            {
                segment = mid;
                bit = (int)((address - start) / 8);
                return true;
            }
        }

        segment = bit = 0;
        return false;
    }
}
