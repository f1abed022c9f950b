using System.Threading.Channels;

namespace Governance;

/// <summary>
/// The bounded queue behind a <see cref="WorkerPool{T}"/>: a <see cref="Channel{T}"/> of the items themselves, or of
/// items stamped with their enqueue time when the queue-wait histogram has a listener as the pool is created.
/// </summary>
/// <remarks>
/// Perf: two shapes rather than one, so that a pool nobody measures stores a bare reference per pending item (8 bytes
/// for reference types) instead of an item plus a timestamp.
/// </remarks>
internal abstract class PoolQueue<T>
{
    internal abstract int Count { get; }

    internal static PoolQueue<T> Create(int capacity, WorkerPoolFullMode mode, TimeProvider? stampWith, Action<T> onDropped)
    {
        var options = new BoundedChannelOptions(capacity)
        {
            FullMode = mode switch
            {
                WorkerPoolFullMode.DropOldest => BoundedChannelFullMode.DropOldest,
                WorkerPoolFullMode.DropNewest => BoundedChannelFullMode.DropNewest,
                _ => BoundedChannelFullMode.Wait,
            },
            SingleReader = false,
            SingleWriter = false,
        };
        return stampWith is null ? new Plain(options, onDropped) : new Stamped(options, stampWith, onDropped);
    }

    internal abstract bool TryWrite(T item);

    internal abstract ValueTask WriteAsync(T item, CancellationToken cancellationToken);

    internal abstract ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken);

    /// <param name="item">The item.</param>
    /// <param name="enqueuedAt">Its enqueue timestamp, or 0 when the queue does not stamp items.</param>
    internal abstract bool TryRead(out T item, out long enqueuedAt);

    internal abstract void Complete();

    /// <summary>The enqueue timestamp of the oldest queued item; 0 when the queue does not stamp items.</summary>
    internal abstract bool TryPeekEnqueuedAt(out long enqueuedAt);

    private sealed class Plain(BoundedChannelOptions options, Action<T> onDropped) : PoolQueue<T>
    {
        private readonly Channel<T> _channel = Channel.CreateBounded(options, onDropped);

        internal override int Count => _channel.Reader.Count;

        internal override bool TryWrite(T item) => _channel.Writer.TryWrite(item);

        internal override ValueTask WriteAsync(T item, CancellationToken cancellationToken) => _channel.Writer.WriteAsync(item, cancellationToken);

        internal override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken) => _channel.Reader.WaitToReadAsync(cancellationToken);

        internal override bool TryRead(out T item, out long enqueuedAt)
        {
            enqueuedAt = 0;
            return _channel.Reader.TryRead(out item!);
        }

        internal override void Complete() => _channel.Writer.TryComplete();

        internal override bool TryPeekEnqueuedAt(out long enqueuedAt)
        {
            enqueuedAt = 0;
            return false;
        }
    }

    private sealed class Stamped : PoolQueue<T>
    {
        private readonly Channel<(T Item, long EnqueuedAt)> _channel;
        private readonly TimeProvider _time;

        internal Stamped(BoundedChannelOptions options, TimeProvider time, Action<T> onDropped)
        {
            _time = time;
            _channel = Channel.CreateBounded<(T Item, long EnqueuedAt)>(options, dropped => onDropped(dropped.Item));
        }

        internal override int Count => _channel.Reader.Count;

        internal override bool TryWrite(T item) => _channel.Writer.TryWrite((item, _time.GetTimestamp()));

        internal override ValueTask WriteAsync(T item, CancellationToken cancellationToken) =>
            _channel.Writer.WriteAsync((item, _time.GetTimestamp()), cancellationToken);

        internal override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken) => _channel.Reader.WaitToReadAsync(cancellationToken);

        internal override bool TryRead(out T item, out long enqueuedAt)
        {
            if (_channel.Reader.TryRead(out var entry))
            {
                (item, enqueuedAt) = entry;
                return true;
            }

            item = default!;
            enqueuedAt = 0;
            return false;
        }

        internal override void Complete() => _channel.Writer.TryComplete();

        internal override bool TryPeekEnqueuedAt(out long enqueuedAt)
        {
            var found = _channel.Reader.TryPeek(out var entry);
            enqueuedAt = found ? entry.EnqueuedAt : 0;
            return found;
        }
    }
}
