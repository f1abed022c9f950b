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

            public void Send(string m)
            {
                _messages.Writer.TryWrite(m);
                _replies.Writer.TryWrite(m);
                s_events.Writer.TryWrite(1);
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
