using Governance.Analyzers.Channels;
using Governance.Analyzers.Tests.Verifiers;

namespace Governance.Analyzers.Tests.Channels;

public sealed class ChannelNeverCompletedAnalyzerTests
{
    // One analyzer reports GOV3001 and GOV3003; these tests look at one rule, with the other turned off.
    private static Task VerifyAsync(params string[] sources)
        => Verify<ChannelLifecycleAnalyzer>.AnalyzerWithConfigAsync("root = true\n\n[*.cs]\ndotnet_diagnostic.GOV3001.severity = none\n", sources);

    [Fact]
    public Task Reports_ReadAllAsyncWithoutTokenOnChannelNeverCompleted() => VerifyAsync("""
        using System.Threading.Channels;
        using System.Threading.Tasks;

        sealed class Worker
        {
            private readonly Channel<int> _jobs = Channel.CreateUnbounded<int>();

            public void Add(int job) => _jobs.Writer.TryWrite(job);

            public async Task RunAsync()
            {
                await foreach (var job in {|GOV3003:_jobs.Reader.ReadAllAsync()|})
                {
                }
            }
        }
        """);

    [Fact]
    public Task Reports_WaitToReadLoopInLocalPipeline() => VerifyAsync("""
        using System.Threading.Channels;
        using System.Threading.Tasks;

        class C
        {
            async Task RunAsync()
            {
                var channel = Channel.CreateBounded<int>(10);
                _ = Task.Run(async () =>
                {
                    for (var i = 0; i < 100; i++)
                    {
                        await channel.Writer.WriteAsync(i);
                    }
                });

                while (await {|GOV3003:channel.Reader.WaitToReadAsync()|})
                {
                    channel.Reader.TryRead(out _);
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_WriterCompletedInAnyMethodOrPartial() => VerifyAsync("""
        using System.Threading.Channels;
        using System.Threading.Tasks;

        partial class Worker
        {
            private readonly Channel<int> _jobs = Channel.CreateUnbounded<int>();
            private readonly Channel<int> _other = Channel.CreateUnbounded<int>();

            public async Task RunAsync()
            {
                await foreach (var job in _jobs.Reader.ReadAllAsync()) { }
                await foreach (var job in _other.Reader.ReadAllAsync()) { }
            }

            public void Stop() => _jobs.Writer.Complete();
        }
        """, """
        partial class Worker
        {
            public void StopOther() => _other.Writer.TryComplete();
        }
        """);

    [Fact]
    public Task NoReport_ReadLoopObservesToken() => VerifyAsync("""
        using System.Threading;
        using System.Threading.Channels;
        using System.Threading.Tasks;

        sealed class Worker
        {
            private readonly Channel<int> _jobs = Channel.CreateUnbounded<int>();

            public async Task RunAsync(CancellationToken stoppingToken)
            {
                await foreach (var job in _jobs.Reader.ReadAllAsync(stoppingToken)) { }
                await foreach (var job in _jobs.Reader.ReadAllAsync().WithCancellation(stoppingToken)) { }
                while (await _jobs.Reader.WaitToReadAsync(stoppingToken)) { }
            }
        }
        """);

    [Fact]
    public Task NoReport_WriterOrChannelEscapes() => VerifyAsync("""
        using System.Threading.Channels;
        using System.Threading.Tasks;

        sealed class Producer
        {
            public Producer(ChannelWriter<int> writer) { }
        }

        sealed class Worker
        {
            private readonly Channel<int> _jobs = Channel.CreateUnbounded<int>();
            private readonly Channel<int> _shared = Channel.CreateUnbounded<int>();
            private readonly Producer _producer;

            public Worker() => _producer = new Producer(_jobs.Writer);

            public Channel<int> Shared => _shared;

            public async Task RunAsync()
            {
                await foreach (var job in _jobs.Reader.ReadAllAsync()) { }
                await foreach (var job in _shared.Reader.ReadAllAsync()) { }
            }
        }
        """);

    [Fact]
    public Task NoReport_UserTypeNamedChannel() => VerifyAsync("""
        using System.Collections.Generic;

        class Reader { public IAsyncEnumerable<int> ReadAllAsync() => throw null!; }

        class Channel { public Reader Reader { get; } = new Reader(); }

        class C
        {
            private readonly Channel _channel = new Channel();

            async System.Threading.Tasks.Task M()
            {
                await foreach (var x in _channel.Reader.ReadAllAsync()) { }
            }
        }
        """);
}
