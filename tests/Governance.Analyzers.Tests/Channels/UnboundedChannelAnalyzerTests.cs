using Governance.Analyzers.Channels;
using Governance.Analyzers.Tests.Verifiers;

namespace Governance.Analyzers.Tests.Channels;

public sealed class UnboundedChannelAnalyzerTests
{
    private static Task VerifyAsync(params string[] sources) => Verify<UnboundedChannelAnalyzer>.AnalyzerAsync(sources);

    [Fact]
    public Task Reports_UnboundedChannelInFieldInitializerAndConstructor() => VerifyAsync("""
        using System.Threading.Channels;

        sealed class Bus
        {
            private readonly Channel<string> _messages = [|Channel.CreateUnbounded<string>()|];
            private static Channel<int> s_events = [|Channel.CreateUnboundedPrioritized<int>()|];
            private readonly Channel<string> _replies;

            public Bus() => _replies = [|Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true })|];

            public void Send(string m, int priority)
            {
                _messages.Writer.TryWrite(m);
                _replies.Writer.TryWrite(m);
                s_events.Writer.TryWrite(priority);
            }
        }
        """);

    [Fact]
    public Task Reports_ReturnedAddedToCollectionOrRegistered() => VerifyAsync("""
        using System.Collections.Concurrent;
        using System.Threading.Channels;
        using Microsoft.Extensions.DependencyInjection;

        namespace Microsoft.Extensions.DependencyInjection
        {
            public interface IServiceCollection { }

            public static class ServiceCollectionExtensions
            {
                public static void AddSingleton<T>(this IServiceCollection services, T instance) { }
            }
        }

        static class Factory
        {
            private static readonly ConcurrentDictionary<string, Channel<int>> s_perKey = new();

            public static Channel<int> Create() => [|Channel.CreateUnbounded<int>()|];

            public static ChannelReader<int> Start()
            {
                var channel = [|Channel.CreateUnbounded<int>()|];
                channel.Writer.TryWrite(1);
                return channel.Reader;
            }

            public static void Track(string key)
            {
                s_perKey[key] = [|Channel.CreateUnbounded<int>()|];
                s_perKey.TryAdd(key + "2", [|Channel.CreateUnbounded<int>()|]);
            }

            public static void Register(IServiceCollection services) => services.AddSingleton([|Channel.CreateUnbounded<int>()|]);
        }
        """);

    [Fact]
    public Task NoReport_LocalPipelineInsideMethod() => VerifyAsync("""
        using System.Threading.Channels;
        using System.Threading.Tasks;

        class C
        {
            async Task<int> SumAsync(int[] values)
            {
                var channel = Channel.CreateUnbounded<int>();
                foreach (var v in values)
                {
                    channel.Writer.TryWrite(v);
                }

                channel.Writer.Complete();
                var sum = 0;
                await foreach (var v in channel.Reader.ReadAllAsync())
                {
                    sum += v;
                }

                return sum;
            }
        }
        """);

    [Fact]
    public Task NoReport_AllWritesGoThroughLimiter() => VerifyAsync("""
        using System.Threading;
        using System.Threading.Channels;
        using System.Threading.Tasks;

        sealed class Bus
        {
            private readonly SemaphoreSlim _gate = new(100);
            private readonly Channel<string> _messages = Channel.CreateUnbounded<string>();

            public async Task SendAsync(string m)
            {
                await _gate.WaitAsync();
                await _messages.Writer.WriteAsync(m);
            }

            public void Send(string m)
            {
                _gate.Wait();
                _messages.Writer.TryWrite(m);
            }

            public async Task ReadAsync()
            {
                await foreach (var m in _messages.Reader.ReadAllAsync())
                {
                    _gate.Release();
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_WritesThroughConfiguredLimiterType() => Verify<UnboundedChannelAnalyzer>.AnalyzerWithConfigAsync("""
        is_global = true
        governance.limiter_types = MyApp.Throttle
        """, """
        using System.Threading.Channels;
        using System.Threading.Tasks;

        namespace MyApp
        {
            sealed class Throttle
            {
                public ValueTask EnterAsync() => default;
            }

            sealed class Bus
            {
                private readonly Throttle _throttle = new();
                private readonly Channel<string> _messages = Channel.CreateUnbounded<string>();

                public async Task SendAsync(string m)
                {
                    await _throttle.EnterAsync();
                    await _messages.Writer.WriteAsync(m);
                }
            }
        }
        """);

    [Fact]
    public Task Reports_WhenOneWriteBypassesLimiter() => VerifyAsync("""
        using System.Threading;
        using System.Threading.Channels;
        using System.Threading.Tasks;

        sealed class Bus
        {
            private readonly SemaphoreSlim _gate = new(100);
            private readonly Channel<string> _messages = [|Channel.CreateUnbounded<string>()|];

            public async Task SendAsync(string m)
            {
                await _gate.WaitAsync();
                await _messages.Writer.WriteAsync(m);
            }

            public void SendUrgent(string m) => _messages.Writer.TryWrite(m);
        }
        """);

    [Fact]
    public Task NoReport_PayloadFreeSignalChannels() => VerifyAsync("""
        using System.Threading.Channels;

        enum Wake { Now }

        sealed class Signal { }

        sealed class Listener
        {
            private readonly Channel<bool> _refresh = Channel.CreateUnbounded<bool>(new UnboundedChannelOptions { SingleReader = true });
            private readonly Channel<object?> _changed = Channel.CreateUnbounded<object?>();
            private readonly Channel<Signal?> _nudge = Channel.CreateUnbounded<Signal?>();
            private readonly Channel<object> _tick = Channel.CreateUnbounded<object>();
            private readonly Channel<Wake> _wake = Channel.CreateUnbounded<Wake>();
            private readonly Channel<int> _count = Channel.CreateUnbounded<int>();

            public void Refresh(bool force) => _refresh.Writer.TryWrite(force);

            public void Changed()
            {
                _changed.Writer.TryWrite(null);
                _nudge.Writer.TryWrite(default);
                _tick.Writer.TryWrite(new object());
                _wake.Writer.TryWrite(Wake.Now);
                _count.Writer.TryWrite(1);
            }
        }
        """);

    [Fact]
    public Task Reports_ChannelThatCarriesDataBesideConstants() => VerifyAsync("""
        using System.Threading.Channels;

        sealed class Inbox
        {
            private readonly Channel<object> _messages = [|Channel.CreateUnbounded<object>()|];
            private readonly Channel<int> _lengths = [|Channel.CreateUnbounded<int>()|];

            public void Receive(object message, int length)
            {
                _messages.Writer.TryWrite(null!);
                _messages.Writer.TryWrite(message);
                _lengths.Writer.TryWrite(0);
                _lengths.Writer.TryWrite(length);
            }
        }
        """);

    [Fact]
    public Task NoReport_EveryWriterAwaitsTheItemItWrote() => VerifyAsync("""
        using System;
        using System.Linq;
        using System.Threading.Channels;
        using System.Threading.Tasks;

        sealed class WorkItem
        {
            public WorkItem(Func<Task> run) => Run = run;

            public Func<Task> Run { get; }

            public TaskCompletionSource Done { get; } = new();
        }

        sealed class Executor
        {
            private readonly Channel<WorkItem> _queue = Channel.CreateUnbounded<WorkItem>();
            private readonly Channel<(string Key, TaskCompletionSource<int> Reply)> _requests = Channel.CreateUnbounded<(string, TaskCompletionSource<int>)>();

            public async Task RunAsync(Func<Task> run)
            {
                var item = new WorkItem(run);
                await _queue.Writer.WriteAsync(item).ConfigureAwait(false);
                await item.Done.Task.ConfigureAwait(false);
            }

            public async Task RunAllAsync(Func<Task>[] runs)
            {
                var items = runs.Select(r => new WorkItem(r)).ToArray();
                foreach (var item in items)
                {
                    await _queue.Writer.WriteAsync(item);
                }

                await Task.WhenAll(items.Select(i => i.Done.Task));
            }

            public Task<int> LookupAsync(string key)
            {
                var reply = new TaskCompletionSource<int>();
                _requests.Writer.TryWrite((key, reply));
                return reply.Task;
            }

            public async Task<int> GetAsync(string key)
            {
                var reply = new TaskCompletionSource<int>();
                _requests.Writer.TryWrite((key, reply));
                return await reply.Task.WaitAsync(TimeSpan.FromSeconds(5));
            }
        }
        """);

    [Fact]
    public Task Reports_WhenAWriterDoesNotAwaitItsItem() => VerifyAsync("""
        using System;
        using System.Threading.Channels;
        using System.Threading.Tasks;

        sealed class WorkItem
        {
            public WorkItem(Func<Task> run) => Run = run;

            public Func<Task> Run { get; }

            public TaskCompletionSource Done { get; } = new();
        }

        sealed class Executor
        {
            private readonly Channel<WorkItem> _queue = [|Channel.CreateUnbounded<WorkItem>()|];
            private readonly Channel<WorkItem> _other = [|Channel.CreateUnbounded<WorkItem>()|];
            private readonly Task _idle = Task.CompletedTask;

            public async Task RunAsync(Func<Task> run)
            {
                var item = new WorkItem(run);
                await _queue.Writer.WriteAsync(item);
                await item.Done.Task;
            }

            public void Post(Func<Task> run) => _queue.Writer.TryWrite(new WorkItem(run));

            public async Task SendAsync(Func<Task> run)
            {
                var item = new WorkItem(run);
                await _other.Writer.WriteAsync(item);
                await _idle;
                await Task.Delay(10);
            }
        }
        """);

    [Fact]
    public Task NoReport_BoundedChannelInAnotherConstructor() => VerifyAsync("""
        using System;
        using System.Threading.Channels;

        sealed class Executor
        {
            private readonly Channel<Action> _work;

            public Executor(int capacity) => _work = Channel.CreateBounded<Action>(capacity);

            public Executor() => _work = Channel.CreateUnbounded<Action>();

            public void Post(Action action) => _work.Writer.TryWrite(action);
        }
        """);

    [Fact]
    public Task NoReport_GenericQueueOfItsOwnTypeParameter() => VerifyAsync("""
        using System.Threading.Channels;

        sealed class WorkQueue<T>
        {
            private readonly Channel<T> _items;

            public WorkQueue() => _items = Channel.CreateUnbounded<T>(new UnboundedChannelOptions { SingleReader = true });

            public bool TryPublish(T item) => _items.Writer.TryWrite(item);

            public bool TryTake(out T item) => _items.Reader.TryRead(out item!);
        }
        """);

    [Fact]
    public Task Reports_GenericTypeThatProducesItsOwnItems() => VerifyAsync("""
        using System;
        using System.Threading.Channels;

        sealed class Subscription<T>
        {
            private readonly Channel<T> _received = [|Channel.CreateUnbounded<T>()|];
            private readonly Func<byte[], T> _decode;

            public Subscription(Func<byte[], T> decode) => _decode = decode;

            public void OnFrame(byte[] frame) => _received.Writer.TryWrite(_decode(frame));
        }
        """);

    [Fact]
    public Task NoReport_BoundedChannelsAndUserTypeNamedChannel() => VerifyAsync("""
        namespace MyApp
        {
            using System.Threading.Channels;

            class Bus
            {
                private readonly Channel<int> _bounded = Channel.CreateBounded<int>(100);
                private readonly MyChannel _mine = MyChannel.CreateUnbounded();
            }

            class MyChannel
            {
                public static MyChannel CreateUnbounded() => new MyChannel();
            }
        }

        namespace Other
        {
            static class Channel
            {
                public static object CreateUnbounded<T>() => new object();
            }

            class C
            {
                private readonly object _channel = Channel.CreateUnbounded<int>();
            }
        }
        """);
}
