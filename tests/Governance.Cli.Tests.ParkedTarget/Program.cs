using System.Threading.Channels;
using ParkedTarget;

// Commands on stdin, one per line; each is acknowledged on stdout so that the test knows it took effect:
//   park N      parks N more async operations in OrderStore.SaveAsync <- OrderService.ProcessAsync
//   timers N    starts N more timers whose callback is Heartbeat.Beat (period 60 s)
//   channel N   writes N more items into one bounded Channel<Order>
//   events N    writes N more items into one single-reader unbounded Channel<string>
//   readers N   starts N more readers waiting on an empty Channel<Order> (OrderQueue.NextAsync)
//   release     completes every parked operation
//   exit        ends the process
var work = new ParkedWork();
Console.Out.WriteLine($"ready {Environment.ProcessId}");
Console.Out.Flush();
while (Console.In.ReadLine() is { } line)
{
    var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    if (parts.Length == 0)
    {
        continue;
    }

    var count = parts.Length > 1 ? int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : 0;
    switch (parts[0])
    {
        case "park":
            work.Park(count);
            break;
        case "timers":
            work.StartTimers(count);
            break;
        case "channel":
            work.Buffer(count);
            break;
        case "events":
            work.Publish(count);
            break;
        case "readers":
            work.WaitToRead(count);
            break;
        case "release":
            work.ReleaseAll();
            break;
        case "exit":
            return;
    }

    Console.Out.WriteLine($"ok {line} parked={work.Parked} timers={work.Timers}");
    Console.Out.Flush();
}

namespace ParkedTarget
{
    internal sealed record Order(int Id);

    internal sealed class ParkedWork
    {
        private readonly List<TaskCompletionSource> _gates = [];
        private readonly List<Task> _operations = [];
        private readonly List<Timer> _timers = [];
        private readonly Channel<Order> _orders = Channel.CreateBounded<Order>(1_000_000);
        private readonly OrderService _service = new();
        private readonly OrderQueue _queue = new();
        private readonly List<Task> _readers = [];
        private readonly Channel<string> _events = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

        internal int Parked => _operations.Count(o => !o.IsCompleted);

        internal int Timers => _timers.Count;

        internal void Park(int count)
        {
            for (var i = 0; i < count; i++)
            {
                var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _gates.Add(gate);
                _operations.Add(_service.ProcessAsync(new Order(i), gate.Task));
            }
        }

        internal void StartTimers(int count)
        {
            for (var i = 0; i < count; i++)
            {
                _timers.Add(new Timer(Heartbeat.Beat, null, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(60)));
            }
        }

        internal void Buffer(int count)
        {
            for (var i = 0; i < count; i++)
            {
                _orders.Writer.TryWrite(new Order(i));
            }
        }

        internal void Publish(int count)
        {
            for (var i = 0; i < count; i++)
            {
                _events.Writer.TryWrite("event");
            }
        }

        internal void WaitToRead(int count)
        {
            for (var i = 0; i < count; i++)
            {
                _readers.Add(_queue.NextAsync());
            }
        }

        internal void ReleaseAll()
        {
            foreach (var gate in _gates)
            {
                gate.TrySetResult();
            }

            _gates.Clear();
            Task.WaitAll([.. _operations], TimeSpan.FromSeconds(30));
            _operations.Clear();
        }
    }

    internal sealed class OrderQueue
    {
        private readonly Channel<Order> _empty = Channel.CreateBounded<Order>(10);

        internal async Task NextAsync()
        {
            var order = await _empty.Reader.ReadAsync().ConfigureAwait(false);
            GC.KeepAlive(order);
        }
    }

    internal static class Heartbeat
    {
        internal static void Beat(object? state)
        {
        }
    }

    internal sealed class OrderService
    {
        private readonly OrderStore _store = new();

        internal async Task ProcessAsync(Order order, Task gate)
        {
            await _store.SaveAsync(order, gate).ConfigureAwait(false);
        }
    }

    internal sealed class OrderStore
    {
        private int _saved;

        internal async Task SaveAsync(Order order, Task gate)
        {
            await gate.ConfigureAwait(false);
            GC.KeepAlive(order);
            Interlocked.Increment(ref _saved);
        }
    }
}
