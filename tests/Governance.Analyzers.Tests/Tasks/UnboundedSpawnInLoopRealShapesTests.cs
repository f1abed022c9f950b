using Governance.Analyzers.Tasks;
using Governance.Analyzers.Tests.Verifiers;

namespace Governance.Analyzers.Tests.Tasks;

/// <summary>GOV1001 on the code shapes found by reading real services (each written fresh, minimal).</summary>
public sealed class UnboundedSpawnInLoopRealShapesTests
{
    private static Task VerifyAsync(params string[] sources) => Verify<UnboundedSpawnInLoopAnalyzer>.AnalyzerAsync(sources);

    [Fact]
    public Task NoReport_TaskThroughAsTaskIntoLocal_AwaitedInTheIteration() => VerifyAsync("""
        using System;
        using System.IO;
        using System.Threading.Tasks;

        class C
        {
            async Task<bool> SameAsync(Stream a, Stream b, Memory<byte> x, Memory<byte> y)
            {
                while (true)
                {
                    var left = a.ReadAsync(x).AsTask();
                    var right = b.ReadAsync(y).AsTask();
                    await Task.WhenAll(left, right);
                    if (await left != await right) return false;
                    if (await left == 0) return true;
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_AsTaskWaitAsyncConfigureAwaitChain_Awaited() => VerifyAsync("""
        using System;
        using System.Net.Sockets;
        using System.Threading;
        using System.Threading.Tasks;

        class C
        {
            async Task PumpAsync(UdpClient client, CancellationToken ct)
            {
                while (true)
                {
                    ct.ThrowIfCancellationRequested();
                    var packet = await client.ReceiveAsync(ct).AsTask().WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None).ConfigureAwait(false);
                    Console.WriteLine(packet.Buffer.Length);
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_TaskStoredInField_ThenAwaitedInTheIteration() => VerifyAsync("""
        using System.Threading.Tasks;

        class Lease
        {
            private Task _next = Task.CompletedTask;

            async Task MaintainAsync()
            {
                while (true)
                {
                    _next = RenewAsync();
                    await _next.ConfigureAwait(false);
                }
            }

            async Task RenewAsync() => await Task.Delay(1000);
        }
        """);

    [Fact]
    public Task NoReport_DiscardedHelperThatOnlyObservesAGivenTask() => VerifyAsync("""
        using System.Threading.Tasks;

        static class TaskExtensions
        {
            public static Task ObserveErrors(this Task task) => task.ContinueWith(t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);
        }

        class C
        {
            void Abandon(Task[] probes)
            {
                for (int i = 0; i < probes.Length; i++)
                {
                    _ = probes[i].ObserveErrors();
                }
            }
        }
        """);

    [Fact]
    public Task Reports_SpawnWrappedByAHelper_AtTheSpawn() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Threading.Tasks;

        static class TaskExtensions
        {
            public static Task ObserveErrors(this Task task) => task;
        }

        class C
        {
            void M(List<int> items)
            {
                foreach (var item in items)
                {
                    _ = [|Task.Run|](() => { }).ObserveErrors();
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_ForToALocalComputedFromConfiguration() => VerifyAsync("""
        using System;
        using System.Collections.Generic;
        using System.Threading.Tasks;

        class Scheduler
        {
            private readonly List<Task> _runners = new();
            private int Limit() => Environment.ProcessorCount;

            void Grow()
            {
                var fanout = Math.Max(0, Limit() - _runners.Count);
                for (int i = 0; i < fanout; i++)
                {
                    _runners.Add(Task.Factory.StartNew(Work));
                }
            }

            void Work() { }
        }
        """);

    [Fact]
    public Task NoReport_WorkersFromEnumerableRangeOfAnOption() => VerifyAsync("""
        using System.Linq;
        using System.Threading.Tasks;

        class Options { public int ReplayTasks { get; set; } }
        class Replayer { public async Task RunAsync() { while (true) await Task.Delay(10); } }

        class Driver
        {
            private Replayer[] _replayers = new Replayer[0];

            void Start(Options options)
            {
                _replayers = [.. Enumerable.Range(0, options.ReplayTasks).Select(i => new Replayer())];
                foreach (var replayer in _replayers)
                    _ = Task.Run(() => replayer.RunAsync());
            }
        }
        """);

    [Fact]
    public Task NoReport_TaskArraySizedByConfiguration_FilledWithConsumers() => VerifyAsync("""
        using System.Threading.Channels;
        using System.Threading.Tasks;

        class Quantizer
        {
            private readonly Task[] _tasks;
            private readonly Channel<int> _work = Channel.CreateBounded<int>(100);

            public Quantizer(int workers) => _tasks = new Task[workers];

            public void Start()
            {
                for (var i = 0; i < _tasks.Length; i++)
                {
                    _tasks[i] = ConsumeAsync(_work.Reader);
                }
            }

            static async Task ConsumeAsync(ChannelReader<int> reader)
            {
                while (await reader.WaitToReadAsync())
                {
                    reader.TryRead(out _);
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_ThreadPerConfiguredWorker_AllJoined() => VerifyAsync("""
        using System.Threading;

        class Bench
        {
            void Run(int workers)
            {
                var threads = new Thread[workers];
                for (var i = 0; i < threads.Length; i++)
                {
                    threads[i] = new Thread(() => { });
                    threads[i].Start();
                }

                foreach (var thread in threads) thread.Join();
            }
        }
        """);

    [Fact]
    public Task NoReport_ThreadStartedAndJoinedInTheSameIteration() => VerifyAsync("""
        using System.Threading;

        class Churn
        {
            private volatile bool _stop;

            void Run()
            {
                while (!_stop)
                {
                    var worker = new Thread(() => { });
                    worker.Start();
                    worker.Join();
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_SweepThatJoinsEachRoundOfThreadsBeforeTheNext() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Threading;

        class SweepOptions { public List<int> ThreadCounts { get; } = new(); }

        class Sweep
        {
            void Run(SweepOptions options)
            {
                foreach (var count in options.ThreadCounts)
                {
                    var threads = new Thread[count];
                    for (var i = 0; i < count; i++)
                    {
                        threads[i] = new Thread(() => { });
                        threads[i].Start();
                    }

                    foreach (var thread in threads)
                    {
                        thread.Join();
                    }
                }
            }
        }
        """);

    [Fact]
    public Task Reports_ThreadPerFileInAnArray_JoinedOrNot() => VerifyAsync("""
        using System.Threading;

        class Import
        {
            void JoinedAfter(string[] files)
            {
                var threads = new Thread[files.Length];
                for (var i = 0; i < files.Length; i++)
                {
                    var file = files[i];
                    threads[i] = [|new Thread(() => Load(file))|];
                    threads[i].Start();
                }

                foreach (var thread in threads) thread.Join();
            }

            void NeverJoined(string[] files)
            {
                var threads = new Thread[files.Length];
                for (var i = 0; i < files.Length; i++)
                {
                    var file = files[i];
                    threads[i] = [|new Thread(() => Load(file))|];
                    threads[i].Start();
                }
            }

            static void Load(string file) { }
        }
        """);

    [Fact]
    public Task NoReport_ThreadPerConfiguredShardOrCore_AllJoined() => VerifyAsync("""
        using System.Threading;

        sealed class Shard { public void Load() { } }
        sealed class Cores { public int[] Spare { get; } = new int[2]; }

        class Driver
        {
            private readonly Shard[] _shards;
            private readonly Cores _cores;

            public Driver(Shard[] shards, Cores cores) { _shards = shards; _cores = cores; }

            void LoadAll()
            {
                var loaders = new Thread[_shards.Length];
                for (var s = 0; s < _shards.Length; s++)
                {
                    var shard = _shards[s];
                    loaders[s] = new Thread(() => shard.Load());
                    loaders[s].Start();
                }

                foreach (var loader in loaders) loader.Join();

                var spinners = new Thread[_cores.Spare.Length];
                for (var i = 0; i < spinners.Length; i++)
                {
                    spinners[i] = new Thread(() => { });
                    spinners[i].Start();
                }

                foreach (var spinner in spinners) spinner.Join();
            }
        }
        """);

    [Fact]
    public Task NoReport_ConstantNumberOfThreadsAllJoined() => VerifyAsync("""
        using System.Threading;

        class Stress
        {
            void Run()
            {
                const int threads = 64;
                var all = new Thread[threads];
                for (var t = 0; t < threads; t++)
                {
                    all[t] = new Thread(() => { });
                    all[t].Start();
                }

                foreach (var thread in all) thread.Join();
            }
        }
        """);

    [Fact]
    public Task Reports_ConstantNumberOfThreadsNeverJoined() => VerifyAsync("""
        using System.Threading;

        class Stress
        {
            void Run()
            {
                for (var t = 0; t < 64; t++)
                {
                    [|new Thread(() => { })|].Start();
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_ThreadPerWorkerOfAnArrayCreatedInAnotherPartialFile() => VerifyAsync(
        """
        sealed class Worker { public void Run() { } }

        partial class Driver
        {
            private Worker[] workers;

            public Driver(int workerCount)
            {
                workers = new Worker[workerCount];
            }
        }
        """,
        """
        using System.Threading;

        partial class Driver
        {
            void RunAll()
            {
                var threads = new Thread[workers.Length];
                for (var i = 0; i < workers.Length; i++)
                {
                    var worker = workers[i];
                    threads[i] = new Thread(() => worker.Run());
                    threads[i].Start();
                }

                foreach (var thread in threads) thread.Join();
            }
        }
        """);

    private const string PipelinedClient = """
        using System;
        using System.Threading.Tasks;

        [Flags] enum Flags { None = 0, FireAndForget = 2 }

        interface IStore
        {
            Task<long> IncrementAsync(string key, Flags flags = Flags.None);
            Task<bool> SetAsync(string key, long value);
            Task<long> GetAsync(string key);
            TimeSpan Ping();
        }

        interface IConnection { IStore GetStore(int index); }
        """;

    [Fact]
    public Task NoReport_CommandsPipelinedOnOneClient_ThenALaterCommandAwaited() => VerifyAsync(PipelinedClient, """
        using System.Collections.Generic;
        using System.Threading.Tasks;

        class Counters
        {
            async Task<long> BumpAsync(IStore store, IReadOnlyList<string> keys)
            {
                foreach (var key in keys)
                {
                    _ = store.IncrementAsync(key);
                }

                return await store.GetAsync("total");
            }

            async Task FillAsync(IConnection connection, IReadOnlyList<string> keys)
            {
                Task? last = null;
                foreach (var key in keys)
                {
                    var store = connection.GetStore(0);
                    _ = store.IncrementAsync(key);
                    last = store.SetAsync(key, 1);
                }

                await last!;
            }

            void Flood(IStore store, IReadOnlyList<string> keys)
            {
                foreach (var key in keys)
                {
                    store.IncrementAsync(key, Flags.FireAndForget);
                }
            }
        }
        """);

    [Fact]
    public Task Reports_CommandsSentWhenNothingLaterWaitsOnTheSameClient() => VerifyAsync(PipelinedClient, """
        using System.Collections.Generic;
        using System.Threading.Tasks;

        class Counters
        {
            async Task BumpAsync(IStore store, IStore audit, IReadOnlyList<string> keys)
            {
                foreach (var key in keys)
                {
                    _ = [|store.IncrementAsync|](key);
                }

                await audit.GetAsync("total");
                await Task.Delay(1);
                _ = store.ToString();
            }
        }
        """);

    [Fact]
    public Task NoReport_ConstantBurstInATestMethod() => VerifyAsync("""
        using System;
        using System.Threading.Tasks;

        namespace NUnit.Framework { public sealed class TestAttribute : Attribute { } }

        namespace Specs
        {
            using NUnit.Framework;

            public class PublishSpecs
            {
                [Test]
                public void Publishes_under_load()
                {
                    for (var i = 0; i < 1000; i++)
                    {
                        _ = Task.Run(() => Publish(i));
                    }
                }

                static void Publish(int i) { }
            }
        }
        """);

    [Fact]
    public Task NoReport_TasksKeptInAFieldArray_ThenAwaitedTogether() => VerifyAsync("""
        using System.Threading.Tasks;

        class Bench
        {
            private readonly Task<string>[] _pending = new Task<string>[1000];

            public Task AskAll()
            {
                for (var i = 0; i < _pending.Length; i++)
                {
                    _pending[i] = AskAsync(i);
                }

                return Task.WhenAll(_pending);
            }

            static async Task<string> AskAsync(int i) { await Task.Yield(); return i.ToString(); }
        }
        """);

    [Fact]
    public Task NoReport_BestEffortShutdownInAStopHook() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Threading.Tasks;

        interface ITransport { Task Shutdown(); }

        class Manager
        {
            private readonly Dictionary<string, ITransport> _transports = new();

            protected void PostStop()
            {
                foreach (var transport in _transports.Values)
                {
                    transport.Shutdown();
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_SingleFlightGuardByTheItemsState() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Threading.Tasks;

        enum State { Idle, Running }
        class Job { public State State { get; set; } }

        class Manager
        {
            void RunQueued(List<Job> queued)
            {
                foreach (var job in queued)
                {
                    if (job.State == State.Idle)
                    {
                        _ = ExecuteAsync(job);
                    }
                }
            }

            async Task ExecuteAsync(Job job) { job.State = State.Running; await Task.Yield(); job.State = State.Idle; }
        }
        """);

    [Fact]
    public Task NoReport_BestEffortCleanupInDispose() => VerifyAsync("""
        using System;
        using System.Collections.Generic;
        using System.Threading.Tasks;

        class Import : IDisposable
        {
            private readonly List<string> _servers = new();

            public void Dispose()
            {
                foreach (var server in _servers)
                {
                    _ = DiscardAsync(server);
                }
            }

            async Task DiscardAsync(string server) => await Task.Yield();
        }
        """);

    [Fact]
    public Task NoReport_HandRolledLimiter_SpinsUntilBelowMaximum() => VerifyAsync("""
        using System.Threading;
        using System.Threading.Tasks;

        class Stress
        {
            private int _outstanding;

            void Run(int max)
            {
                while (true)
                {
                    while (_outstanding >= max) Thread.Yield();
                    Interlocked.Increment(ref _outstanding);
                    Task.Run(async () => { await Task.Yield(); Interlocked.Decrement(ref _outstanding); });
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_OneConsumerPerConfiguredGroup_AtStartUp() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;

        class Consumers
        {
            private readonly IReadOnlyList<string> _groups;
            private readonly int _perGroup;

            public Consumers(IReadOnlyList<string> groups, int perGroup) { _groups = groups; _perGroup = perGroup; }

            public void Start(CancellationToken ct)
            {
                foreach (var group in _groups)
                    for (var i = 0; i < _perGroup; i++)
                        _ = Task.Run(() => ConsumeAsync(group, ct));
            }

            async Task ConsumeAsync(string group, CancellationToken ct)
            {
                while (!ct.IsCancellationRequested) await Task.Delay(100, ct);
            }
        }
        """);

    [Fact]
    public Task NoReport_TaskPerEntryOfASetLoadedAtStartUp() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;

        sealed class FeedPoller
        {
            private readonly Dictionary<string, string> _feeds = new();
            private readonly List<Task> _running = new();

            public FeedPoller(IEnumerable<KeyValuePair<string, string>> configured)
            {
                foreach (var feed in configured)
                {
                    _feeds[feed.Key] = feed.Value;
                }
            }

            public Task StartAsync(CancellationToken ct)
            {
                foreach (var feed in _feeds)
                {
                    _running.Add(Task.Run(() => PollAsync(feed.Value, ct), ct));
                }

                return Task.CompletedTask;
            }

            private static Task PollAsync(string url, CancellationToken ct) => Task.CompletedTask;
        }
        """);

    [Fact]
    public Task Reports_TaskPerItemHandedToStartUp() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;

        sealed class Importer
        {
            public Task StartAsync(IEnumerable<string> files, CancellationToken ct)
            {
                foreach (var file in files)
                {
                    _ = [|Task.Run|](() => ImportAsync(file, ct), ct);
                }

                return Task.CompletedTask;
            }

            private static Task ImportAsync(string file, CancellationToken ct) => Task.CompletedTask;
        }
        """);

    [Fact]
    public Task Reports_ConsumerStartedPerReceivedMessage() => VerifyAsync("""
        using System.Threading;
        using System.Threading.Channels;
        using System.Threading.Tasks;

        class Dispatcher
        {
            async Task RunAsync(ChannelReader<string> inbox, CancellationToken ct)
            {
                while (await inbox.WaitToReadAsync(ct))
                {
                    var message = await inbox.ReadAsync(ct);
                    _ = [|Task.Run|](() => ConsumeAsync(message, ct));
                }
            }

            async Task ConsumeAsync(string topic, CancellationToken ct)
            {
                while (!ct.IsCancellationRequested) await Task.Delay(100, ct);
            }
        }
        """);
}
