using Governance.Analyzers.Channels;
using Governance.Analyzers.Tests.Verifiers;

namespace Governance.Analyzers.Tests.Channels;

public sealed class UnboundedChannelCodeFixTests
{
    private static Task VerifyAsync(string source, string fixedSource, string? equivalenceKey = null)
        => Verify<UnboundedChannelAnalyzer>.CodeFixAsync<UnboundedChannelCodeFix>(source, fixedSource, equivalenceKey: equivalenceKey);

    [Fact]
    public Task Fix_FieldInitializerBecomesBoundedWithWaitMode() => VerifyAsync("""
        using System.Threading.Channels;

        sealed class Bus
        {
            // Messages waiting for the sender loop.
            private readonly Channel<string> _messages = [|Channel.CreateUnbounded<string>()|];
        }
        """, """
        using System.Threading.Channels;

        sealed class Bus
        {
            // Messages waiting for the sender loop.
            private readonly Channel<string> _messages = Channel.CreateBounded<string>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.Wait });
        }
        """);

    [Fact]
    public Task Fix_KeepsUnboundedOptionsAndFixesAllInDocument() => VerifyAsync("""
        using System.Threading.Channels;

        sealed class Bus
        {
            private readonly Channel<string> _replies;
            private readonly Channel<int> _acks;

            public Bus()
            {
                _replies = [|Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = false })|];
                _acks = [|System.Threading.Channels.Channel.CreateUnbounded<int>()|];
            }
        }
        """, """
        using System.Threading.Channels;

        sealed class Bus
        {
            private readonly Channel<string> _replies;
            private readonly Channel<int> _acks;

            public Bus()
            {
                _replies = Channel.CreateBounded<string>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true, AllowSynchronousContinuations = false });
                _acks = System.Threading.Channels.Channel.CreateBounded<int>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.Wait });
            }
        }
        """);

    [Fact]
    public Task Fix_DropOldestForWritersThatMustNeverWait() => VerifyAsync("""
        using System.Threading.Channels;

        sealed class Subscription
        {
            private readonly Channel<string> _messages;

            public Subscription() => _messages = [|Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleWriter = true })|];

            public void OnMessage(string m) => _messages.Writer.TryWrite(m);
        }
        """, """
        using System.Threading.Channels;

        sealed class Subscription
        {
            private readonly Channel<string> _messages;

            public Subscription() => _messages = Channel.CreateBounded<string>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest, SingleWriter = true });

            public void OnMessage(string m) => _messages.Writer.TryWrite(m);
        }
        """, UnboundedChannelCodeFix.DropOldestEquivalenceKey);
}
