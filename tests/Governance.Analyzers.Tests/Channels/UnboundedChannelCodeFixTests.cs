using Governance.Analyzers.Channels;
using Governance.Analyzers.Tests.Verifiers;

namespace Governance.Analyzers.Tests.Channels;

public sealed class UnboundedChannelCodeFixTests
{
    private static Task VerifyAsync(string source, string fixedSource)
        => Verify<UnboundedChannelAnalyzer>.CodeFixAsync<UnboundedChannelCodeFix>(source, fixedSource);

    private static Task VerifyNoFixAsync(string source) => VerifyAsync(source, source);

    // The fixed code keeps the diagnostics its markup names (by default the testing library ignores fixable ones there).
    private static Task VerifyWithRemainingAsync(string source, string fixedSource)
    {
        var test = new CodeFixTest<UnboundedChannelAnalyzer, UnboundedChannelCodeFix> { TestCode = source, FixedCode = fixedSource };
        test.FixedState.MarkupHandling = Microsoft.CodeAnalysis.Testing.MarkupMode.Allow;
        return test.RunAsync();
    }

    [Fact]
    public Task Fix_FieldInitializerWithAwaitedWritesGetsANamedCapacity() => VerifyAsync("""
        using System;
        using System.Threading;
        using System.Threading.Channels;
        using System.Threading.Tasks;

        sealed class Bus
        {
            private int _sent;

            // Messages waiting for the sender loop.
            private readonly Channel<string> _messages = [|Channel.CreateUnbounded<string>()|];

            public async Task SendAsync(string message, CancellationToken cancellationToken)
            {
                await _messages.Writer.WriteAsync(message, cancellationToken).ConfigureAwait(false);
                _sent++;
            }

            public async Task PumpAsync(CancellationToken cancellationToken)
            {
                await foreach (var message in _messages.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    Console.WriteLine(message);
                }
            }

            public void Complete() => _messages.Writer.TryComplete();
        }
        """, """
        using System;
        using System.Threading;
        using System.Threading.Channels;
        using System.Threading.Tasks;

        sealed class Bus
        {
            private int _sent;

            /// <summary>
            /// The most items <see cref="_messages"/> holds before its writers wait. 1000 is a placeholder:
            /// choose the backlog its reader may fall behind by (memory, and latency for the writers).
            /// </summary>
            private const int MessagesCapacity = 1000;

            // Messages waiting for the sender loop.
            private readonly Channel<string> _messages = Channel.CreateBounded<string>(MessagesCapacity);

            public async Task SendAsync(string message, CancellationToken cancellationToken)
            {
                await _messages.Writer.WriteAsync(message, cancellationToken).ConfigureAwait(false);
                _sent++;
            }

            public async Task PumpAsync(CancellationToken cancellationToken)
            {
                await foreach (var message in _messages.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    Console.WriteLine(message);
                }
            }

            public void Complete() => _messages.Writer.TryComplete();
        }
        """);

    [Fact]
    public Task Fix_KeepsOptionsAcrossPartialsAndLeavesTryWriteChannelAlone() => VerifyWithRemainingAsync("""
        using System.Threading.Channels;
        using System.Threading.Tasks;

        sealed partial class Delays
        {
            readonly Channel<int> _operations;
            readonly Channel<string> _log;

            public Delays()
            {
                _operations = [|Channel.CreateUnbounded<int>(new UnboundedChannelOptions
                {
                    SingleReader = true,
                    SingleWriter = false
                })|];
                _log = [|Channel.CreateUnbounded<string>(new() { SingleReader = true })|];
            }

            public ValueTask AdvanceAsync(int ticks) => _operations.Writer.WriteAsync(ticks);

            public void Log(string line) => _log.Writer.TryWrite(line);
        }

        sealed partial class Delays
        {
            private int _now;

            public async Task DelayAsync(int ticks)
            {
                await _operations.Writer.WriteAsync(ticks);
            }

            private async Task PumpAsync()
            {
                while (await _operations.Reader.WaitToReadAsync().ConfigureAwait(false))
                {
                    while (_operations.Reader.TryRead(out var ticks))
                    {
                        _now += ticks;
                    }
                }
            }
        }
        """, """
        using System.Threading.Channels;
        using System.Threading.Tasks;

        sealed partial class Delays
        {
            /// <summary>
            /// The most items <see cref="_operations"/> holds before its writers wait. 1000 is a placeholder:
            /// choose the backlog its reader may fall behind by (memory, and latency for the writers).
            /// </summary>
            const int OperationsCapacity = 1000;

            readonly Channel<int> _operations;
            readonly Channel<string> _log;

            public Delays()
            {
                _operations = Channel.CreateBounded<int>(new BoundedChannelOptions(OperationsCapacity)
                {
                    SingleReader = true,
                    SingleWriter = false
                });
                _log = {|GOV3002:Channel.CreateUnbounded<string>(new() { SingleReader = true })|};
            }

            public ValueTask AdvanceAsync(int ticks) => _operations.Writer.WriteAsync(ticks);

            public void Log(string line) => _log.Writer.TryWrite(line);
        }

        sealed partial class Delays
        {
            private int _now;

            public async Task DelayAsync(int ticks)
            {
                await _operations.Writer.WriteAsync(ticks);
            }

            private async Task PumpAsync()
            {
                while (await _operations.Reader.WaitToReadAsync().ConfigureAwait(false))
                {
                    while (_operations.Reader.TryRead(out var ticks))
                    {
                        _now += ticks;
                    }
                }
            }
        }
        """);

    [Fact]
    public Task Fix_ImplicitOptionsAndTwoChannelsWithFixAll() => VerifyAsync("""
        using System.Threading.Channels;
        using System.Threading.Tasks;

        sealed class Replay
        {
            private Channel<string> replayChannel;
            private Channel<int> quantizationChannel;

            public void Start()
            {
                replayChannel = [|Channel.CreateUnbounded<string>(new() { SingleWriter = true, AllowSynchronousContinuations = false })|];
                quantizationChannel = [|Channel.CreateUnbounded<int>()|];
            }

            public async Task ReplayAsync(string entry) => await replayChannel.Writer.WriteAsync(entry);

            public async Task QuantizeAsync(int key) => await quantizationChannel.Writer.WriteAsync(key).AsTask();

            private async Task ReplayLoopAsync()
            {
                while (true)
                {
                    var entry = await replayChannel.Reader.ReadAsync();
                    System.Console.WriteLine(entry);
                }
            }

            private async Task QuantizeLoopAsync()
            {
                await foreach (var key in quantizationChannel.Reader.ReadAllAsync())
                {
                    System.Console.WriteLine(key);
                }
            }
        }
        """, """
        using System.Threading.Channels;
        using System.Threading.Tasks;

        sealed class Replay
        {
            /// <summary>
            /// The most items <see cref="replayChannel"/> holds before its writers wait. 1000 is a placeholder:
            /// choose the backlog its reader may fall behind by (memory, and latency for the writers).
            /// </summary>
            private const int ReplayChannelCapacity = 1000;

            private Channel<string> replayChannel;

            /// <summary>
            /// The most items <see cref="quantizationChannel"/> holds before its writers wait. 1000 is a placeholder:
            /// choose the backlog its reader may fall behind by (memory, and latency for the writers).
            /// </summary>
            private const int QuantizationChannelCapacity = 1000;

            private Channel<int> quantizationChannel;

            public void Start()
            {
                replayChannel = Channel.CreateBounded<string>(new BoundedChannelOptions(ReplayChannelCapacity) { SingleWriter = true, AllowSynchronousContinuations = false });
                quantizationChannel = Channel.CreateBounded<int>(QuantizationChannelCapacity);
            }

            public async Task ReplayAsync(string entry) => await replayChannel.Writer.WriteAsync(entry);

            public async Task QuantizeAsync(int key) => await quantizationChannel.Writer.WriteAsync(key).AsTask();

            private async Task ReplayLoopAsync()
            {
                while (true)
                {
                    var entry = await replayChannel.Reader.ReadAsync();
                    System.Console.WriteLine(entry);
                }
            }

            private async Task QuantizeLoopAsync()
            {
                await foreach (var key in quantizationChannel.Reader.ReadAllAsync())
                {
                    System.Console.WriteLine(key);
                }
            }
        }
        """);

    [Fact]
    public Task NoFix_TryWriteWhoseResultIsIgnored() => VerifyNoFixAsync("""
        using System.Threading.Channels;

        sealed class Quantizer
        {
            private readonly Channel<byte[]> _work;

            public Quantizer() => _work = [|Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = false })|];

            // On a full bounded channel TryWrite returns false, and this caller would drop the key.
            public void Enqueue(byte[] key) => _ = _work.Writer.TryWrite(key);
        }
        """);

    [Fact]
    public Task NoFix_WriteNobodyWaitsFor() => VerifyNoFixAsync("""
        using System.Threading.Channels;

        sealed class Queue
        {
            private readonly Channel<string> _items = [|Channel.CreateUnbounded<string>()|];

            public async System.Threading.Tasks.Task FirstAsync(string item) => await _items.Writer.WriteAsync(item);

            public void Enqueue(string item) => _ = _items.Writer.WriteAsync(item);
        }

        sealed class Relay
        {
            private readonly Channel<string> _items = [|Channel.CreateUnbounded<string>()|];

            // The delegate's caller gets the write's ValueTask and may drop it.
            public Relay(Source source) => source.Subscribe(item => _items.Writer.WriteAsync(item));

            public async System.Threading.Tasks.Task AddAsync(string item) => await _items.Writer.WriteAsync(item);
        }

        sealed class Source
        {
            public void Subscribe(System.Func<string, System.Threading.Tasks.ValueTask> handler) { }
        }
        """);

    [Fact]
    public Task NoFix_WriterOrChannelEscapes() => VerifyNoFixAsync("""
        using System.Threading.Channels;
        using System.Threading.Tasks;

        sealed class Pipe
        {
            private readonly Channel<string> _lines = [|Channel.CreateUnbounded<string>()|];

            public ChannelWriter<string> Writer => _lines.Writer;

            public async Task AddAsync(string line) => await _lines.Writer.WriteAsync(line);
        }

        sealed class Hub
        {
            private readonly Channel<string> _events = [|Channel.CreateUnbounded<string>()|];

            public Hub(Subscriber subscriber) => subscriber.Attach(_events);

            public async Task PublishAsync(string e) => await _events.Writer.WriteAsync(e);
        }

        sealed class Subscriber
        {
            public void Attach(Channel<string> channel) { }
        }
        """);

    [Fact]
    public Task NoFix_CreatedIntoLocalFirst() => VerifyNoFixAsync("""
        using System.Threading.Channels;
        using System.Threading.Tasks;

        sealed class Pool
        {
            private readonly ChannelReader<string> _idleReader;
            private readonly ChannelWriter<string> _idleWriter;

            public Pool()
            {
                var idle = [|Channel.CreateUnbounded<string>()|];
                _idleReader = idle.Reader;
                _idleWriter = idle.Writer;
            }

            public async Task ReturnAsync(string connector) => await _idleWriter.WriteAsync(connector);
        }
        """);

    [Fact]
    public Task NoFix_ChannelWithoutWrites() => VerifyNoFixAsync("""
        using System.Threading.Channels;

        sealed class Probe
        {
            private readonly Channel<string> _queue = [|Channel.CreateUnbounded<string>()|];

            public bool HasMessages => _queue.Reader.Count > 0;
        }
        """);

    [Fact]
    public Task NoFix_ReaderThatAwaitsOtherWorkPerItem() => VerifyNoFixAsync("""
        using System.Threading;
        using System.Threading.Channels;
        using System.Threading.Tasks;

        // The dispatcher awaits each delivery; a consumer that publishes to this queue while it is full would wait
        // for the dispatcher, which waits for the consumer.
        sealed class MessageQueue
        {
            private readonly Channel<string> _channel = [|Channel.CreateUnbounded<string>()|];

            public async Task DeliverAsync(string message, CancellationToken cancellationToken)
                => await _channel.Writer.WriteAsync(message, cancellationToken).ConfigureAwait(false);

            private async Task DispatchAsync(IReceiver receiver)
            {
                while (await _channel.Reader.WaitToReadAsync().ConfigureAwait(false))
                {
                    if (_channel.Reader.TryRead(out var message))
                    {
                        await receiver.DeliverAsync(message).ConfigureAwait(false);
                    }
                }
            }
        }

        interface IReceiver
        {
            Task DeliverAsync(string message);
        }
        """);

    [Fact]
    public Task NoFix_ReaderHandedOut() => VerifyNoFixAsync("""
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Channels;
        using System.Threading.Tasks;

        sealed class Feed
        {
            private readonly Channel<string> _items = [|Channel.CreateUnbounded<string>()|];

            public async Task AddAsync(string item) => await _items.Writer.WriteAsync(item);

            public IAsyncEnumerable<string> ReadAllAsync(CancellationToken cancellationToken) => _items.Reader.ReadAllAsync(cancellationToken);
        }
        """);
}
