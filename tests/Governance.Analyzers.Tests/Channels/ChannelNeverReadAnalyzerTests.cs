using Governance.Analyzers.Channels;
using Governance.Analyzers.Tests.Verifiers;

namespace Governance.Analyzers.Tests.Channels;

public sealed class ChannelNeverReadAnalyzerTests
{
    // One analyzer reports GOV3001 and GOV3003; these tests look at one rule, with the other turned off.
    private static Task VerifyAsync(params string[] sources)
        => Verify<ChannelLifecycleAnalyzer>.AnalyzerWithConfigAsync("root = true\n\n[*.cs]\ndotnet_diagnostic.GOV3003.severity = none\n", sources);

    [Fact]
    public Task Reports_PrivateFieldWrittenButNeverRead() => VerifyAsync("""
        using System.Threading.Channels;
        using System.Threading.Tasks;

        sealed class Audit
        {
            private readonly Channel<string> _events = {|GOV3001:Channel.CreateBounded<string>(100)|};

            public ValueTask RecordAsync(string e) => _events.Writer.WriteAsync(e);

            public bool TryRecord(string e) => _events.Writer.TryWrite(e);
        }
        """);

    [Fact]
    public Task Reports_LocalWrittenButNeverRead() => VerifyAsync("""
        using System.Threading.Channels;

        class C
        {
            void M()
            {
                var channel = {|GOV3001:Channel.CreateUnbounded<int>()|};
                for (var i = 0; i < 10; i++)
                {
                    channel.Writer.TryWrite(i);
                }
            }
        }
        """);

    [Fact]
    public Task Reports_WrittenInOnePartialAndNotReadInAnother() => VerifyAsync("""
        using System.Threading.Channels;

        partial class Audit
        {
            private readonly Channel<string> _events = {|GOV3001:Channel.CreateUnbounded<string>()|};
        }
        """, """
        partial class Audit
        {
            public void Record(string e) => _events.Writer.TryWrite(e);
        }
        """);

    [Fact]
    public Task NoReport_ReadInAnotherPartialDeclaration() => VerifyAsync("""
        using System.Threading.Channels;

        partial class Audit
        {
            private readonly Channel<string> _events = Channel.CreateUnbounded<string>();

            public void Record(string e) => _events.Writer.TryWrite(e);
        }
        """, """
        using System.Threading.Tasks;

        partial class Audit
        {
            public async Task DrainAsync()
            {
                await foreach (var e in _events.Reader.ReadAllAsync())
                {
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_ChannelOrReaderEscapes() => VerifyAsync("""
        using System.Threading.Channels;

        sealed class Consumer
        {
            public Consumer(ChannelReader<int> reader) { }
        }

        sealed class Pipeline
        {
            private readonly Channel<int> _passed = Channel.CreateUnbounded<int>();
            private readonly Channel<int> _converted = Channel.CreateUnbounded<int>();
            private readonly Consumer _consumer;

            public Pipeline()
            {
                _consumer = new Consumer(_passed.Reader);
                ChannelReader<int> reader = _converted;
                _ = reader;
            }

            public void Add(int x)
            {
                _passed.Writer.TryWrite(x);
                _converted.Writer.TryWrite(x);
            }

            public static Channel<int> Create()
            {
                var channel = Channel.CreateUnbounded<int>();
                channel.Writer.TryWrite(1);
                return channel;
            }
        }
        """);

    [Fact]
    public Task NoReport_ExposedByNonPrivateMemberOrNotPrivate() => VerifyAsync("""
        using System.Threading.Channels;

        public sealed class Queue
        {
            private readonly Channel<int> _exposed = Channel.CreateUnbounded<int>();
            internal readonly Channel<int> Shared = Channel.CreateUnbounded<int>();

            public ChannelReader<int> Reader => _exposed.Reader;

            public Channel<int> Exposed => _exposed;

            public void Add(int x)
            {
                _exposed.Writer.TryWrite(x);
                Shared.Writer.TryWrite(x);
            }
        }
        """);

    [Fact]
    public Task NoReport_ReadByNestedType() => VerifyAsync("""
        using System.Threading.Channels;

        sealed class Outer
        {
            private readonly Channel<int> _channel = Channel.CreateUnbounded<int>();

            public void Add(int x) => _channel.Writer.TryWrite(x);

            private sealed class Drainer
            {
                public bool TryTake(Outer outer, out int x) => outer._channel.Reader.TryRead(out x);
            }
        }
        """);

    [Fact]
    public Task NoReport_ReaderThroughLocalCopy() => VerifyAsync("""
        using System.Threading.Channels;
        using System.Threading.Tasks;

        sealed class Queue
        {
            private readonly Channel<int> _channel = Channel.CreateUnbounded<int>();

            public void Add(int x) => _channel.Writer.TryWrite(x);

            public async Task DrainAsync()
            {
                var channel = _channel;
                while (channel.Reader.TryRead(out _))
                {
                    await Task.Yield();
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_ReaderThroughPrivateProperty() => VerifyAsync("""
        using System.Threading.Channels;

        sealed class Queue
        {
            private readonly Channel<int> _channel = Channel.CreateUnbounded<int>();
            private readonly Channel<int> _other = Channel.CreateUnbounded<int>();

            private ChannelReader<int> Pending => _channel.Reader;

            private Channel<int> Other => _other;

            public void Add(int x)
            {
                _channel.Writer.TryWrite(x);
                _other.Writer.TryWrite(x);
            }

            public bool TryTake(out int x) => Pending.TryRead(out x) || Other.Reader.TryRead(out x);
        }
        """);

    [Fact]
    public Task NoReport_RegisteredInDependencyInjection() => VerifyAsync("""
        using System.Threading.Channels;

        interface IServiceCollection { }

        static class Registration
        {
            static void AddSingleton<T>(this IServiceCollection services, T instance) { }

            public static void Register(IServiceCollection services)
            {
                var channel = Channel.CreateUnbounded<int>();
                channel.Writer.TryWrite(0);
                services.AddSingleton(channel);
            }
        }
        """);

    [Fact]
    public Task NoReport_InjectedChannelWrittenOnly() => VerifyAsync("""
        using System.Threading.Channels;

        sealed class Producer
        {
            private readonly Channel<int> _channel;

            public Producer(Channel<int> channel) => _channel = channel;

            public void Add(int x) => _channel.Writer.TryWrite(x);
        }
        """);

    [Fact]
    public Task NoReport_UserTypeNamedChannel() => VerifyAsync("""
        namespace MyApp
        {
            class Writer { public bool TryWrite(int x) => true; }

            class Channel
            {
                public Writer Writer { get; } = new Writer();

                public static Channel CreateUnbounded() => new Channel();
            }

            class C
            {
                private readonly Channel _channel = Channel.CreateUnbounded();

                void M() => _channel.Writer.TryWrite(1);
            }
        }
        """);

    [Fact]
    public Task NoReport_IncompleteCode() => VerifyAsync("""
        using System.Threading.Channels;

        class C
        {
            private readonly Channel<int> _channel = Channel.CreateUnbounded<int>();

            void M()
            {
                _channel.Writer.{|CS1001:|}{|CS1002:|}
            }
        }
        """);
}
