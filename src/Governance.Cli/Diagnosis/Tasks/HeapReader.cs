using Microsoft.Diagnostics.Runtime;

namespace Governance.Cli.Diagnosis.Tasks;

/// <summary>
/// Walks a stopped process's GC heap once and finds the async work in it: every async state machine that has not
/// completed, linked into await chains; every scheduled timer; every channel.
/// </summary>
/// <remarks>
/// An async method that is suspended lives on the heap as an <c>AsyncStateMachineBox</c>, a <see cref="Task"/>. What it
/// awaits is in its state machine's awaiter field (<c>&lt;&gt;u__N</c>); who awaits it is in its continuation
/// (<c>m_continuationObject</c>). Those two links give the chain from the innermost awaiting method outwards, the
/// chain <c>dumpasync</c> prints, without reading a single stack.
/// </remarks>
internal sealed class HeapReader
{
    // Task.m_stateFlags: RAN_TO_COMPLETION | FAULTED | CANCELED.
    private const int TaskCompletedMask = 0x1000000 | 0x200000 | 0x400000;
    private const int MaxChainDepth = 64;

    private static readonly string[] DelegateMethodPointers = ["_methodPtrAux", "_methodPtr"];
    private static readonly string[] ContinuationPayloads = ["m_action", "m_task"];
    private static readonly string[] WaiterLists = ["_blocked", "_waiting"];

    private readonly ClrHeap _heap;
    private readonly Dictionary<ulong, TypeKind> _kinds = [];
    private readonly Dictionary<ulong, (string Short, string Qualified)> _frames = [];

    private HeapReader(ClrHeap heap) => _heap = heap;

    private enum TypeKind
    {
        Other,
        Task,
        Box,
        Timer,
        Channel,
    }

    /// <summary>Reads the heap. With <paramref name="reachableOnly"/>, work no root reaches (garbage the next GC frees) is left out.</summary>
    internal static HeapFindings Read(ClrRuntime runtime, bool reachableOnly, CancellationToken cancellationToken)
    {
        var reader = new HeapReader(runtime.Heap);
        return reader.Walk(reachableOnly, cancellationToken);
    }

    private HeapFindings Walk(bool reachableOnly, CancellationToken cancellationToken)
    {
        var pending = new Dictionary<ulong, PendingTask>();
        var timers = new List<ClrObject>();
        var channels = new List<ClrObject>();
        long objects = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (var obj in _heap.EnumerateObjects())
        {
            if ((++objects & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var type = obj.Type;
            if (type is null)
            {
                continue;
            }

            switch (Kind(type))
            {
                case TypeKind.Task or TypeKind.Box when IsPending(obj):
                    pending[obj.Address] = new PendingTask(obj, Kind(type) == TypeKind.Box);
                    break;
                case TypeKind.Timer:
                    timers.Add(obj);
                    break;
                case TypeKind.Channel:
                    channels.Add(obj);
                    break;
            }
        }

        var walk = clock.Elapsed;
        var reachable = reachableOnly ? Reachability.Mark(_heap, cancellationToken) : null;
        var mark = clock.Elapsed - walk;
        bool Live(ulong address) => reachable is null || reachable.Contains(address);

        var chains = GroupChains(pending, Live, out var pendingBoxes, out var unreachable);
        return new HeapFindings(
            objects,
            walk,
            mark,
            pendingBoxes,
            unreachable,
            chains,
            GroupTimers(timers.Where(t => Live(t.Address)), pending),
            GroupChannels(channels.Where(c => Live(c.Address))));
    }

    private List<AwaitChainGroup> GroupChains(Dictionary<ulong, PendingTask> pending, Func<ulong, bool> live, out int pendingBoxes, out int unreachable)
    {
        // parent: the box that resumes when this one completes (through WhenAll-style tasks in between, if any).
        var parent = new Dictionary<ulong, ulong>();
        var awaiting = new Dictionary<ulong, string>();
        foreach (var (address, task) in pending)
        {
            if (!task.IsBox)
            {
                continue;
            }

            var awaited = AwaitedObject(task.Object);
            if (awaited.IsValid && !awaited.IsNull)
            {
                if (pending.TryGetValue(awaited.Address, out var child) && child.IsBox)
                {
                    parent[awaited.Address] = address;
                }

                awaiting[address] = DescribeAwaited(awaited);
            }
        }

        foreach (var (address, task) in pending)
        {
            if (!task.IsBox || parent.ContainsKey(address))
            {
                continue;
            }

            var resumer = ResumingBox(task.Object, pending);
            if (resumer != 0 && resumer != address)
            {
                parent[address] = resumer;
            }
        }

        var parents = new HashSet<ulong>(parent.Values);
        var groups = new Dictionary<string, ChainBuilder>(StringComparer.Ordinal);
        pendingBoxes = 0;
        unreachable = 0;
        foreach (var (address, task) in pending)
        {
            if (!task.IsBox)
            {
                continue;
            }

            if (!live(address))
            {
                unreachable++;
                continue;
            }

            pendingBoxes++;
            if (parents.Contains(address))
            {
                continue;
            }

            var shorts = new List<string>();
            var qualified = new List<string>();
            var seen = new HashSet<ulong>();
            for (var at = address; seen.Add(at) && shorts.Count < MaxChainDepth; at = parent.GetValueOrDefault(at))
            {
                var frame = Frame(pending[at].Object);
                shorts.Add(frame.Short);
                qualified.Add(frame.Qualified);
                if (!parent.ContainsKey(at))
                {
                    break;
                }
            }

            var what = awaiting.GetValueOrDefault(address);
            var key = string.Join('\n', qualified) + "\n|" + what;
            if (!groups.TryGetValue(key, out var group))
            {
                group = new ChainBuilder(shorts, qualified, what);
                groups[key] = group;
            }

            group.Count++;
            var state = State(task.Object);
            group.States[state] = group.States.GetValueOrDefault(state) + 1;
        }

        return groups.Values
            .Select(g => new AwaitChainGroup(g.Frames, g.Qualified, g.Awaiting, g.Count, g.States))
            .OrderByDescending(g => g.Count)
            .ThenBy(g => string.Join('\n', g.QualifiedFrames), StringComparer.Ordinal)
            .ToList();
    }

    private List<TimerGroup> GroupTimers(IEnumerable<ClrObject> timers, Dictionary<ulong, PendingTask> pending)
    {
        var groups = new Dictionary<(string Qualified, uint Period), (string Short, int Count)>();
        foreach (var timer in timers)
        {
            // A canceled timer, or one whose due time is infinite, is not scheduled: it never fires again.
            if (!TryRead(timer, "_canceled", out bool canceled) || canceled
                || !TryRead(timer, "_dueTime", out uint dueTime) || dueTime == uint.MaxValue)
            {
                continue;
            }

            TryRead(timer, "_period", out uint period);
            var callback = Callback(timer, pending);
            var key = (callback.Qualified, period is 0 or uint.MaxValue ? uint.MaxValue : period);
            groups[key] = (callback.Short, groups.GetValueOrDefault(key).Count + 1);
        }

        return groups
            .Select(g => new TimerGroup(
                g.Value.Short,
                g.Key.Qualified,
                g.Key.Period == uint.MaxValue ? null : TimeSpan.FromMilliseconds(g.Key.Period),
                g.Value.Count))
            .OrderByDescending(g => g.Count)
            .ThenBy(g => g.QualifiedCallback, StringComparer.Ordinal)
            .ToList();
    }

    private (string Short, string Qualified) Callback(ClrObject timer, Dictionary<ulong, PendingTask> pending)
    {
        var state = ReadObject(timer, "_state");
        if (state.IsValid && !state.IsNull && state.Type is { } stateType && stateType.Name is { } stateName)
        {
            // Task.Delay's timer calls back into the runtime; who awaits the delay is what a reader needs.
            if (stateName.StartsWith("System.Threading.Tasks.Task+DelayPromise", StringComparison.Ordinal))
            {
                var awaiter = pending.ContainsKey(state.Address) ? ResumingBox(state, pending) : 0;
                if (awaiter != 0)
                {
                    var frame = Frame(pending[awaiter].Object);
                    return ("Task.Delay in " + frame.Short, "Task.Delay in " + frame.Qualified);
                }

                return ("Task.Delay", "System.Threading.Tasks.Task.Delay");
            }

            if (stateName.StartsWith("System.Threading.PeriodicTimer", StringComparison.Ordinal))
            {
                return ("PeriodicTimer", "System.Threading.PeriodicTimer");
            }
        }

        // _timerCallback on .NET 8 and later (older runtimes called it _callback).
        var callback = ReadObject(timer, "_timerCallback");
        if (callback.IsNull)
        {
            callback = ReadObject(timer, "_callback");
        }
        if (callback.IsValid && !callback.IsNull && callback.IsDelegate)
        {
            var method = callback.AsDelegate().GetDelegateTarget()?.Method ?? StaticTarget(callback);
            if (method is not null)
            {
                var type = method.Type?.Name;
                if (type is not null && type.StartsWith("System.Threading.CancellationTokenSource", StringComparison.Ordinal))
                {
                    return ("CancellationTokenSource.CancelAfter", "System.Threading.CancellationTokenSource.CancelAfter");
                }

                return MethodNames.FromMethod(type, method.Name ?? "?");
            }
        }

        return ("(unknown callback)", "(unknown callback)");
    }

    /// <summary>A delegate to a static method keeps its target in the shuffle thunk's companion pointer.</summary>
    private ClrMethod? StaticTarget(ClrObject callback)
    {
        foreach (var field in DelegateMethodPointers)
        {
            var pointer = callback.Type?.GetFieldByName(field);
            if (pointer is null)
            {
                continue;
            }

            var address = pointer.Read<ulong>(callback.Address, interior: false);
            if (address != 0 && _heap.Runtime.GetMethodByInstructionPointer(address) is { } method)
            {
                return method;
            }
        }

        return null;
    }

    private static List<ChannelGroup> GroupChannels(IEnumerable<ClrObject> channels)
    {
        var groups = new Dictionary<(string Kind, string Element), ChannelGroup>();
        foreach (var channel in channels)
        {
            var name = channel.Type!.Name!;
            var open = name.IndexOf('<', StringComparison.Ordinal);
            var kind = MethodNames.ShortType(name);
            var element = open < 0 ? "?" : MethodNames.ShortType(name[(open + 1)..^1]);
            var buffered = Count(ReadObject(channel, "_items"));
            var readers = Waiters(channel, "Readers");
            var writers = Waiters(channel, "Writers");
            var key = (kind, element);
            var sum = groups.GetValueOrDefault(key) ?? new ChannelGroup(kind, element, 0, 0, 0, 0);
            groups[key] = sum with
            {
                Count = sum.Count + 1,
                BufferedItems = buffered < 0 || sum.BufferedItems is null ? null : sum.BufferedItems + buffered,
                WaitingReaders = sum.WaitingReaders + Math.Max(0, readers),
                WaitingWriters = sum.WaitingWriters + Math.Max(0, writers),
            };
        }

        return groups.Values.OrderByDescending(g => g.BufferedItems ?? -1).ThenByDescending(g => g.Count).ToList();
    }

    /// <summary>
    /// Readers (or writers) parked on a channel: ReadAsync's and WaitToReadAsync's (ReadAllAsync's) waiters. .NET 8 keeps
    /// them in a Deque (<c>_blockedReaders</c>), .NET 9 and later in a circular list (<c>_blockedReadersHead</c>).
    /// </summary>
    private static long Waiters(ClrObject channel, string side)
    {
        long total = 0;
        foreach (var kind in WaiterLists)
        {
            var deque = Count(ReadObject(channel, kind + side));
            if (deque >= 0)
            {
                total += deque;
                continue;
            }

            var head = ReadObject(channel, kind + side + "Head");
            var node = head;
            for (var hops = 0; node.IsValid && !node.IsNull && hops < 1_000_000; hops++)
            {
                total++;
                node = ReadObject(node, "<Next>k__BackingField");
                if (node.Address == head.Address)
                {
                    break;
                }
            }
        }

        return total;
    }

    /// <summary>How many items a channel's store holds: a Deque (bounded channels), a ConcurrentQueue (unbounded), or -1.</summary>
    private static long Count(ClrObject collection)
    {
        if (!collection.IsValid || collection.IsNull)
        {
            return -1;
        }

        if (TryRead(collection, "_size", out int size))
        {
            return size;
        }

        // ConcurrentQueue<T>: a linked list of segments, each with a head and tail index.
        if (collection.Type?.GetFieldByName("_head") is null || collection.Type.GetFieldByName("_tail") is null)
        {
            return -1;
        }

        var segment = ReadObject(collection, "_head");
        long total = 0;
        for (var hops = 0; segment.IsValid && !segment.IsNull && hops < 100_000; hops++)
        {
            var headAndTail = segment.Type?.GetFieldByName("_headAndTail");
            var slots = ReadObject(segment, "_slots");
            if (headAndTail?.Type is not { } pair || !slots.IsValid || slots.IsNull)
            {
                // A single-reader unbounded channel's SingleProducerSingleConsumerQueue: a list of segments whose
                // power-of-two arrays hold the items between _state._first and _state._last.
                return SingleConsumerCount(segment);
            }

            var at = headAndTail.GetAddress(segment.Address);
            var head = pair.GetFieldByName("Head")?.Read<int>(at, interior: true) ?? 0;
            var tail = pair.GetFieldByName("Tail")?.Read<int>(at, interior: true) ?? 0;
            var length = slots.AsArray().Length;
            total += Math.Clamp(tail - head, 0, length);
            segment = ReadObject(segment, "_nextSegment");
        }

        return total;
    }

    /// <summary>
    /// A single-reader unbounded channel's SingleProducerSingleConsumerQueue: a list of segments whose arrays hold the
    /// items. Its head and tail indices sit in a padded struct whose layout ClrMD does not report faithfully, but a
    /// dequeued slot is cleared, so for reference-type items the count is the slots that hold one. Value-type items: -1.
    /// </summary>
    private static long SingleConsumerCount(ClrObject segment)
    {
        long total = 0;
        for (var hops = 0; segment.IsValid && !segment.IsNull && hops < 100_000; hops++)
        {
            var array = ReadObject(segment, "_array");
            if (!array.IsValid || array.IsNull || array.Type?.ComponentType is not { IsObjectReference: true })
            {
                return -1;
            }

            var slots = array.AsArray();
            total += (slots.ReadValues<ulong>(0, slots.Length) ?? []).Count(a => a != 0);
            segment = ReadObject(segment, "_next");
        }

        return total;
    }

    private TypeKind Kind(ClrType type)
    {
        if (_kinds.TryGetValue(type.MethodTable, out var kind))
        {
            return kind;
        }

        kind = Classify(type);
        _kinds[type.MethodTable] = kind;
        return kind;
    }

    private static TypeKind Classify(ClrType type)
    {
        var name = type.Name ?? string.Empty;
        if (name == "System.Threading.TimerQueueTimer")
        {
            return TypeKind.Timer;
        }

        for (var t = type.BaseType; t is not null; t = t.BaseType)
        {
            var baseName = t.Name ?? string.Empty;
            if (baseName == "System.Threading.Tasks.Task")
            {
                return name.Contains("+AsyncStateMachineBox<", StringComparison.Ordinal) ? TypeKind.Box : TypeKind.Task;
            }

            if (baseName.StartsWith("System.Threading.Channels.Channel<", StringComparison.Ordinal))
            {
                return TypeKind.Channel;
            }
        }

        return name == "System.Threading.Tasks.Task" ? TypeKind.Task : TypeKind.Other;
    }

    private static bool IsPending(ClrObject task) =>
        TryRead(task, "m_stateFlags", out int flags) && (flags & TaskCompletedMask) == 0;

    private (string Short, string Qualified) Frame(ClrObject box)
    {
        var boxType = box.Type!;
        if (_frames.TryGetValue(boxType.MethodTable, out var frame))
        {
            return frame;
        }

        // A state machine that is a class (a Debug build) makes the box a shared generic (System.__Canon): the
        // machine object's own type names the method, and every such box shares one method table, so nothing is cached.
        var machine = StateMachine(box);
        var shared = machine.Type is not null && machine.Interior is false;
        var name = machine.Type?.Name is { } machineName && !machineName.StartsWith("System.__Canon", StringComparison.Ordinal)
            ? machineName
            : MethodNames.StateMachineOfBox(boxType.Name ?? string.Empty);
        frame = name is null || name.StartsWith("System.__Canon", StringComparison.Ordinal) ? ("?", "?") : MethodNames.FromStateMachine(name);
        if (!shared)
        {
            _frames[boxType.MethodTable] = frame;
        }

        return frame;
    }

    /// <summary>Where a box's state machine lives: inside the box (a struct, Release builds) or in an object of its own (Debug builds).</summary>
    private static (ulong Address, bool Interior, ClrType? Type) StateMachine(ClrObject box)
    {
        var field = box.Type?.GetFieldByName("StateMachine");
        if (field is null)
        {
            return default;
        }

        if (field.IsObjectReference)
        {
            var machine = field.ReadObject(box.Address, interior: false);
            return machine.IsValid && !machine.IsNull ? (machine.Address, false, machine.Type) : default;
        }

        return (field.GetAddress(box.Address), true, field.Type);
    }

    /// <summary>The state machine's state: the await it is suspended at (0, 1, ...), -1 when running, -2 when done.</summary>
    private static int State(ClrObject box)
    {
        var (address, interior, machine) = StateMachine(box);
        var state = machine?.GetFieldByName("<>1__state");
        return address == 0 || state is null ? int.MinValue : state.Read<int>(address, interior);
    }

    /// <summary>What a suspended state machine awaits: the object in its one non-empty awaiter field.</summary>
    private static ClrObject AwaitedObject(ClrObject box)
    {
        var (address, interior, machine) = StateMachine(box);
        if (address == 0 || machine is null)
        {
            return default;
        }

        foreach (var awaiter in machine.Fields)
        {
            if (awaiter.Name is null || !awaiter.Name.StartsWith("<>u__", StringComparison.Ordinal))
            {
                continue;
            }

            var awaited = awaiter.IsObjectReference
                ? awaiter.ReadObject(address, interior)
                : ObjectInAwaiter(awaiter.Type, awaiter.GetAddress(address, interior));
            if (awaited.IsValid && !awaited.IsNull)
            {
                return awaited;
            }
        }

        return default;
    }

    /// <summary>The task or value-task source inside an awaiter struct: TaskAwaiter.m_task, ValueTaskAwaiter._value._obj, ...</summary>
    private static ClrObject ObjectInAwaiter(ClrType? awaiter, ulong address)
    {
        if (awaiter is null)
        {
            return default;
        }

        foreach (var field in awaiter.Fields)
        {
            if (field.IsObjectReference)
            {
                var obj = field.ReadObject(address, interior: true);
                if (obj.IsValid && !obj.IsNull)
                {
                    return obj;
                }
            }
            else if (field.IsValueType && field.Type is { } inner && inner.Name is { } innerName
                     && (innerName.StartsWith("System.Threading.Tasks.ValueTask", StringComparison.Ordinal)
                         || innerName.Contains("Awaitable", StringComparison.Ordinal)))
            {
                var obj = ObjectInAwaiter(inner, field.GetAddress(address, interior: true));
                if (obj.IsValid && !obj.IsNull)
                {
                    return obj;
                }
            }
        }

        return default;
    }

    private string DescribeAwaited(ClrObject awaited)
    {
        var type = awaited.Type;
        if (type is null)
        {
            return "?";
        }

        if (Kind(type) == TypeKind.Box)
        {
            return Frame(awaited).Short;
        }

        var name = type.Name ?? "?";
        if (name.StartsWith("System.Threading.Tasks.Task+DelayPromise", StringComparison.Ordinal))
        {
            return "Task.Delay";
        }

        if (name.StartsWith("System.Threading.Tasks.Task+WhenAllPromise", StringComparison.Ordinal))
        {
            return "Task.WhenAll";
        }

        if (name.StartsWith("System.Threading.Channels.", StringComparison.Ordinal) && name.Contains("AsyncOperation", StringComparison.Ordinal))
        {
            return "a channel read or write";
        }

        // An async iterator (await foreach, ReadAllAsync) is its own value-task source: name the iterator method.
        if (name.Contains(">d__", StringComparison.Ordinal) || name.EndsWith(">d", StringComparison.Ordinal))
        {
            return MethodNames.FromStateMachine(name).Short + " (async iterator)";
        }

        return MethodNames.ShortTypeWithArguments(name);
    }

    /// <summary>The box that resumes when <paramref name="task"/> completes, following continuations through tasks in between.</summary>
    private ulong ResumingBox(ClrObject task, Dictionary<ulong, PendingTask> pending)
    {
        var current = task;
        for (var hops = 0; hops < 8; hops++)
        {
            var next = FirstContinuationTask(ReadObject(current, "m_continuationObject"), depth: 0);
            if (!next.IsValid || next.IsNull || !pending.TryGetValue(next.Address, out var resumed))
            {
                return 0;
            }

            if (resumed.IsBox)
            {
                return next.Address;
            }

            current = next;
        }

        return 0;
    }

    /// <summary>The first task a continuation object leads to: a box itself, an Action whose target is one, a list of them, ...</summary>
    private ClrObject FirstContinuationTask(ClrObject continuation, int depth)
    {
        if (!continuation.IsValid || continuation.IsNull || depth > 4 || continuation.Type is not { } type)
        {
            return default;
        }

        if (Kind(type) is TypeKind.Task or TypeKind.Box)
        {
            return continuation;
        }

        if (continuation.IsDelegate)
        {
            var target = continuation.AsDelegate().GetDelegateTarget()?.TargetObject ?? default;
            return FirstContinuationTask(target, depth + 1);
        }

        var name = type.Name ?? string.Empty;
        if (name.StartsWith("System.Collections.Generic.List<", StringComparison.Ordinal))
        {
            var items = ReadObject(continuation, "_items");
            if (!items.IsValid || items.IsNull || !TryRead(continuation, "_size", out int size))
            {
                return default;
            }

            var array = items.AsArray();
            foreach (var element in array.ReadValues<ulong>(0, Math.Min(size, array.Length)) ?? [])
            {
                var found = FirstContinuationTask(_heap.GetObject(element), depth + 1);
                if (found.IsValid && !found.IsNull)
                {
                    return found;
                }
            }

            return default;
        }

        // AwaitTaskContinuation and its context-capturing kinds hold the box's MoveNext in m_action;
        // ContinueWith's continuation holds its task in m_task.
        foreach (var field in ContinuationPayloads)
        {
            var inner = ReadObject(continuation, field);
            if (inner.IsValid && !inner.IsNull)
            {
                return FirstContinuationTask(inner, depth + 1);
            }
        }

        return default;
    }

    private static ClrObject ReadObject(ClrObject obj, string field)
    {
        var f = obj.Type?.GetFieldByName(field);
        return f is { IsObjectReference: true } ? f.ReadObject(obj.Address, interior: false) : default;
    }

    private static bool TryRead<T>(ClrObject obj, string field, out T value)
        where T : unmanaged
    {
        var f = obj.Type?.GetFieldByName(field);
        if (f is null || f.IsObjectReference || f.ElementType == ClrElementType.Struct)
        {
            value = default;
            return false;
        }

        value = f.Read<T>(obj.Address, interior: false);
        return true;
    }

    private sealed class ChainBuilder(List<string> frames, List<string> qualified, string? awaiting)
    {
        internal List<string> Frames { get; } = frames;

        internal List<string> Qualified { get; } = qualified;

        internal string? Awaiting { get; } = awaiting;

        internal int Count { get; set; }

        internal Dictionary<int, int> States { get; } = [];
    }

    private readonly record struct PendingTask(ClrObject Object, bool IsBox);
}

/// <summary>What one heap walk found, before the snapshot's cost is added.</summary>
/// <param name="Walk">Reading every object once.</param>
/// <param name="Reachability">Marking what the roots reach (zero when skipped).</param>
internal sealed record HeapFindings(
    long HeapObjects,
    TimeSpan Walk,
    TimeSpan Reachability,
    int PendingOperations,
    int UnreachablePendingOperations,
    IReadOnlyList<AwaitChainGroup> Chains,
    IReadOnlyList<TimerGroup> Timers,
    IReadOnlyList<ChannelGroup> Channels);
