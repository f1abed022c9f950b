using Governance.Analyzers.Tasks;
using Governance.Analyzers.Tests.Verifiers;

namespace Governance.Analyzers.Tests.Tasks;

public sealed class UnboundedSpawnInLoopAnalyzerTests
{
    private static Task VerifyAsync(params string[] sources) => Verify<UnboundedSpawnInLoopAnalyzer>.AnalyzerAsync(sources);

    private static Task VerifyWithConfigAsync(string config, string source) => Verify<UnboundedSpawnInLoopAnalyzer>.AnalyzerWithConfigAsync(config, source);

    [Fact]
    public Task Reports_TaskRunDiscardedInForeach() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Threading.Tasks;

        class C
        {
            void M(IEnumerable<int> items)
            {
                foreach (var item in items)
                {
                    _ = [|Task.Run|](() => Handle(item));
                }
            }

            static void Handle(int item) { }
        }
        """);

    [Fact]
    public Task Reports_MessageNamesSpawnAndLoop()
    {
        var test = new Verifiers.AnalyzerTest<UnboundedSpawnInLoopAnalyzer>
        {
            TestCode = """
                using System.Collections.Generic;
                using System.Threading.Tasks;

                class C
                {
                    void M(List<int> items)
                    {
                        foreach (var item in items)
                        {
                            {|#0:Task.Run|}(() => { });
                        }
                    }
                }
                """,
        };
        test.ExpectedDiagnostics.Add(new Microsoft.CodeAnalysis.Testing.DiagnosticResult(Descriptors.UnboundedSpawnInLoop)
            .WithLocation(0)
            .WithMessage("Task.Run inside 'foreach' over 'items' starts one task per item with no bound, and nothing waits for them"));
        return test.RunAsync();
    }

    private const string SpawnPerItem = """
        using System.Collections.Generic;
        using System.Threading.Tasks;

        class Consumer
        {
            void Consume(List<int> batch)
            {
                foreach (var message in batch)
                {
                    {|#0:Task.Run|}(() => Publish(message));
                }
            }

            static void Publish(int message) { }
        }
        """;

    // A test's or benchmark's spawns are sized by the test and never meet production load (MassTransit's test consumers
    // publish one message per message of a batch); the option brings the rule back there.
    private static Task VerifyInProjectAsync(string assemblyName, string? config, bool expectReport)
    {
        var test = new Verifiers.AnalyzerTest<UnboundedSpawnInLoopAnalyzer>
        {
            TestCode = expectReport ? SpawnPerItem : SpawnPerItem.Replace("{|#0:Task.Run|}", "Task.Run", StringComparison.Ordinal),
        };
        test.SolutionTransforms.Add((solution, projectId) => solution.WithProjectAssemblyName(projectId, assemblyName));
        Verify<UnboundedSpawnInLoopAnalyzer>.AddConfig(test.TestState, config);
        if (expectReport)
        {
            test.ExpectedDiagnostics.Add(new Microsoft.CodeAnalysis.Testing.DiagnosticResult(Descriptors.UnboundedSpawnInLoop).WithLocation(0)
                .WithMessage("Task.Run inside 'foreach' over 'batch' starts one task per item with no bound, and nothing waits for them"));
        }

        return test.RunAsync();
    }

    [Theory]
    [InlineData("MassTransit.Tests")]
    [InlineData("Orders.Specs")]
    [InlineData("Orders.Benchmarks")]
    public Task NoReport_InATestOrBenchmarkProject(string assemblyName) => VerifyInProjectAsync(assemblyName, config: null, expectReport: false);

    [Fact]
    public Task Reports_InATestProject_WhenTheOptionAsksForIt()
        => VerifyInProjectAsync("Orders.Tests", "root = true\n[*.cs]\ngovernance.GOV1001.include_test_projects = true\n", expectReport: true);

    [Theory]
    [InlineData("Orders")]
    [InlineData("Orders.Testing")]
    public Task Reports_InAProductionProject(string assemblyName) => VerifyInProjectAsync(assemblyName, config: null, expectReport: true);

    [Fact]
    public Task Reports_StartNewAndThreadPoolInWhileAndDoLoops() => VerifyAsync("""
        using System.Collections.Concurrent;
        using System.Threading;
        using System.Threading.Tasks;

        class C
        {
            void M(BlockingCollection<int> queue)
            {
                while (!queue.IsCompleted)
                {
                    var item = queue.Take();
                    [|Task.Factory.StartNew|](() => Handle(item));
                }

                do
                {
                    var item = queue.Take();
                    [|ThreadPool.QueueUserWorkItem|](_ => Handle(item));
                }
                while (!queue.IsCompleted);
            }

            static void Handle(int item) { }
        }
        """);

    [Fact]
    public Task Reports_SpawnFollowedThroughUnwrapAndForgetHelpers() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Threading.Tasks;

        static class TaskExtensions
        {
            public static void Forget(this Task task) { }
        }

        class C
        {
            void M(List<int> items)
            {
                foreach (var item in items)
                {
                    _ = [|Task.Factory.StartNew|](async () => await Task.Delay(item)).Unwrap();
                    [|Task.Run|](() => { }).Forget();
                    [|Task.Run|](() => { }).ContinueWith(t => { });
                }
            }
        }
        """);

    [Fact]
    public Task Reports_AsyncCallDiscardedOrAsStatement() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Threading.Tasks;

        class Notifier
        {
            async Task NotifyAllAsync(IReadOnlyList<string> users)
            {
                for (var i = 0; i < users.Count; i++)
                {
                    _ = [|SendAsync|](users[i]);
                }

                await foreach (var user in StreamAsync())
                {
                    [|SendAsync|](user);
                }
            }

            static async IAsyncEnumerable<string> StreamAsync()
            {
                await Task.Yield();
                yield return "a";
            }

            static Task SendAsync(string user) => Task.CompletedTask;
        }
        """);

    [Fact]
    public Task Reports_AsyncVoidCallPerItem() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Threading.Tasks;

        class C
        {
            void M(List<int> items)
            {
                foreach (var item in items)
                {
                    [|Handle|](item);
                }
            }

            async void Handle(int item) => await Task.Yield();
        }
        """);

    [Fact]
    public Task Reports_TaskStoredInField() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Threading.Tasks;

        class Scheduler
        {
            private readonly List<Task> _running = new();

            void Start(IEnumerable<int> jobs)
            {
                foreach (var job in jobs)
                {
                    _running.Add([|Task.Run|](() => Run(job)));
                }
            }

            static void Run(int job) { }
        }
        """);

    [Fact]
    public Task Reports_ThreadPerItemEvenWhenCollectedAndJoined() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;

        class C
        {
            void M(List<int> items)
            {
                var threads = new List<Thread>();
                foreach (var item in items)
                {
                    var thread = [|new Thread(() => Handle(item))|];
                    thread.Start();
                    threads.Add(thread);
                }

                foreach (var thread in threads)
                {
                    thread.Join();
                }

                var tasks = new List<Task>();
                foreach (var item in items)
                {
                    tasks.Add([|Task.Factory.StartNew|](() => Handle(item), TaskCreationOptions.LongRunning));
                }

                Task.WaitAll(tasks.ToArray());
            }

            static void Handle(int item) { }
        }
        """);

    [Fact]
    public Task Reports_ThreadPerConnectionInAcceptLoop() => VerifyAsync("""
        using System.Net.Sockets;
        using System.Threading;

        class Server
        {
            void Serve(TcpListener listener)
            {
                while (true)
                {
                    var client = listener.AcceptTcpClient();
                    [|new Thread(() => Handle(client))|].Start();
                }
            }

            static void Handle(TcpClient client) { }
        }
        """);

    [Fact]
    public Task Reports_DrainingAQueueIsNotAnAcceptLoop() => VerifyAsync("""
        using System.Threading;
        using System.Threading.Channels;
        using System.Threading.Tasks;

        class Dispatcher
        {
            async Task RunAsync(ChannelReader<int> reader, CancellationToken ct)
            {
                while (await reader.WaitToReadAsync(ct))
                {
                    var message = await reader.ReadAsync(ct);
                    _ = [|Task.Run|](() => Handle(message));
                }
            }

            static void Handle(int message) { }
        }
        """);

    [Fact]
    public Task Reports_ConstantBoundAboveLimitAndCountOfCollection() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading.Tasks;

        class C
        {
            void M(int[] items, IEnumerable<int> source)
            {
                for (var i = 0; i < 1000; i++)
                {
                    _ = [|Task.Run|](() => { });
                }

                for (var i = 0; i < items.Length; i++)
                {
                    _ = [|Task.Run|](() => { });
                }

                for (var i = 0; i < source.Count(); i++)
                {
                    _ = [|Task.Run|](() => { });
                }

                foreach (var i in Enumerable.Range(0, 100))
                {
                    _ = [|Task.Run|](() => { });
                }

                var count = items.Length;
                for (var i = 0; i < count; i++)
                {
                    _ = [|Task.Run|](() => { });
                }
            }
        }
        """);

    [Fact]
    public Task Reports_OuterLoopOverCollectionAroundSmallInnerLoop() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Threading.Tasks;

        class C
        {
            void M(List<int> items)
            {
                foreach (var item in items)
                {
                    for (var attempt = 0; attempt < 3; attempt++)
                    {
                        _ = [|Task.Run|](() => { });
                    }
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_AwaitedInTheSameIteration() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Threading.Tasks;

        class C
        {
            async Task M(List<int> items)
            {
                foreach (var item in items)
                {
                    await Task.Run(() => Handle(item));
                    await Task.Run(() => Handle(item)).ConfigureAwait(false);
                    await SendAsync(item);
                    var task = SendAsync(item);
                    await task;
                    Task.Run(() => Handle(item)).Wait();
                }
            }

            static void Handle(int item) { }

            static Task SendAsync(int item) => Task.CompletedTask;
        }
        """);

    [Fact]
    public Task NoReport_CollectedInLocalAndAwaitedTogether() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Threading.Tasks;

        class C
        {
            async Task M(List<int> items)
            {
                var tasks = new List<Task>();
                foreach (var item in items)
                {
                    tasks.Add(Task.Run(() => Handle(item)));
                }

                await Task.WhenAll(tasks);

                var array = new Task[items.Count];
                for (var i = 0; i < items.Count; i++)
                {
                    array[i] = SendAsync(items[i]);
                }

                Task.WaitAll(array);

                var pending = new List<Task>();
                foreach (var item in items)
                {
                    var task = SendAsync(item);
                    pending.Add(task);
                }

                foreach (var task in pending)
                {
                    await task;
                }
            }

            static void Handle(int item) { }

            static Task SendAsync(int item) => Task.CompletedTask;
        }
        """);

    [Fact]
    public Task NoReport_SmallOrConfiguredCounts() => VerifyAsync("""
        using System;
        using System.Linq;
        using System.Threading;
        using System.Threading.Tasks;

        class Options
        {
            public int Workers { get; set; }
        }

        class C
        {
            private static readonly string[] s_endpoints = { "a", "b" };
            private readonly int _consumers = 4;

            void M(Options options, int count, string a, string b)
            {
                for (var i = 0; i < 8; i++) { _ = Task.Run(() => { }); }
                for (var i = 0; i < options.Workers; i++) { _ = Task.Run(() => { }); }
                for (var i = 0; i < Environment.ProcessorCount; i++) { _ = Task.Run(() => { }); }
                for (var i = 0; i < _consumers; i++) { _ = Task.Run(() => { }); }
                for (var i = count; i > 0; i--) { _ = Task.Run(() => { }); }
                foreach (var url in new[] { a, b }) { _ = Task.Run(() => { }); }
                foreach (var url in s_endpoints) { _ = Task.Run(() => { }); }
                foreach (var url in new System.Collections.Generic.List<string> { a, b }) { _ = Task.Run(() => { }); }
                foreach (var i in Enumerable.Range(0, options.Workers)) { _ = Task.Run(() => { }); }
                foreach (var i in Enumerable.Range(0, 16)) { _ = Task.Run(() => { }); }
                var threads = new Thread[count];
                for (var i = 0; i < threads.Length; i++)
                {
                    threads[i] = new Thread(() => { });
                    threads[i].Start();
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_LimiterAcquiredEarlierInIteration() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Channels;
        using System.Threading.RateLimiting;
        using System.Threading.Tasks;

        namespace System.Threading.RateLimiting
        {
            public abstract class RateLimitLease : System.IDisposable
            {
                public void Dispose() { }
            }

            public abstract class RateLimiter
            {
                public ValueTask<RateLimitLease> AcquireAsync(int permitCount = 1) => throw null!;
            }
        }

        class C
        {
            private readonly SemaphoreSlim _gate = new(10);

            async Task M(List<int> items, RateLimiter limiter, ChannelWriter<int> writer)
            {
                foreach (var item in items)
                {
                    await _gate.WaitAsync();
                    _ = Task.Run(() => { try { } finally { _gate.Release(); } });
                }

                foreach (var item in items)
                {
                    _gate.Wait();
                    _ = Task.Run(() => _gate.Release());
                }

                foreach (var item in items)
                {
                    using var lease = await limiter.AcquireAsync();
                    _ = Task.Run(() => { });
                }

                foreach (var item in items)
                {
                    await writer.WriteAsync(item);
                    _ = Task.Run(() => { });
                }

                foreach (var item in items)
                {
                    if (await _gate.WaitAsync(0))
                    {
                        _ = Task.Run(() => _gate.Release());
                    }
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_GovernanceLimiterOrTaskGroup() => VerifyAsync("""
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;

        namespace Governance
        {
            public sealed class TaskLimiter
            {
                public ValueTask<IDisposable> AcquireAsync(CancellationToken ct = default) => throw null!;
            }

            public sealed class TaskGroup
            {
                public ValueTask GoAsync(Func<CancellationToken, Task> work) => throw null!;
            }
        }

        class C
        {
            async Task M(List<int> items, Governance.TaskLimiter limiter, Governance.TaskGroup group)
            {
                foreach (var item in items)
                {
                    using (await limiter.AcquireAsync())
                    {
                        _ = Task.Run(() => { });
                    }
                }

                foreach (var item in items)
                {
                    await group.GoAsync(ct => Task.CompletedTask);
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_LimiterAcquiredAsFirstAwaitedStepOfDelegate() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;

        class C
        {
            private readonly SemaphoreSlim _gate = new(10);

            void M(List<int> items)
            {
                foreach (var item in items)
                {
                    _ = Task.Run(async () =>
                    {
                        await _gate.WaitAsync();
                        try
                        {
                            await Task.Delay(10);
                        }
                        finally
                        {
                            _gate.Release();
                        }
                    });
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_CalledMethodAcquiresLimiterFirst() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;

        class C
        {
            private readonly SemaphoreSlim _gate = new(10);

            void M(List<int> items)
            {
                foreach (var item in items)
                {
                    _ = ProcessAsync(item);
                    _ = Task.Run(() => ProcessAsync(item));
                }
            }

            private async Task ProcessAsync(int item)
            {
                await _gate.WaitAsync();
                try
                {
                    await Task.Delay(item);
                }
                finally
                {
                    _gate.Release();
                }
            }
        }
        """);

    [Fact]
    public Task Reports_CalledMethodAwaitsSomethingElseFirst() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;

        class C
        {
            private readonly SemaphoreSlim _gate = new(10);

            void M(List<int> items)
            {
                foreach (var item in items)
                {
                    _ = [|ProcessAsync|](item);
                }
            }

            private async Task ProcessAsync(int item)
            {
                await Task.Delay(item);
                await _gate.WaitAsync();
                _gate.Release();
            }
        }
        """);

    [Fact]
    public Task Reports_LimiterInsideDelegateWhenRequireLimitBeforeSpawn() => VerifyWithConfigAsync("""
        root = true

        [*]
        governance.GOV1001.require_limit_before_spawn = true
        """, """
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;

        class C
        {
            private readonly SemaphoreSlim _gate = new(10);

            void M(List<int> items)
            {
                foreach (var item in items)
                {
                    _ = [|Task.Run|](async () =>
                    {
                        await _gate.WaitAsync();
                        _gate.Release();
                    });
                }
            }
        }
        """);

    [Fact]
    public Task Reports_AboveConfiguredMaxConstantIterations() => VerifyWithConfigAsync("""
        root = true

        [*.cs]
        governance.GOV1001.max_constant_iterations = 4
        """, """
        using System.Threading.Tasks;

        class C
        {
            void M()
            {
                for (var i = 0; i < 8; i++)
                {
                    _ = [|Task.Run|](() => { });
                }

                for (var i = 0; i < 4; i++)
                {
                    _ = Task.Run(() => { });
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_ConfiguredLimiterTypeFromGlobalConfig() => VerifyWithConfigAsync("""
        is_global = true
        governance.limiter_types = MyApp.Gate, MyApp.Other
        """, """
        using System.Collections.Generic;
        using System.Threading.Tasks;

        namespace MyApp
        {
            sealed class Gate
            {
                public Task EnterAsync() => Task.CompletedTask;
            }

            class C
            {
                async Task M(List<int> items, Gate gate)
                {
                    foreach (var item in items)
                    {
                        await gate.EnterAsync();
                        _ = Task.Run(() => { });
                    }
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_SingleFlightGuardPerItem() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Threading.Tasks;

        class Job
        {
            public Task? Task { get; set; }
        }

        class C
        {
            private readonly Dictionary<int, Task> _running = new();

            void M(List<Job> jobs, List<int> ids)
            {
                foreach (var job in jobs)
                {
                    if (job.Task is null || job.Task.IsCompleted)
                    {
                        job.Task = Task.Run(() => { });
                    }
                }

                foreach (var id in ids)
                {
                    if (!_running.ContainsKey(id))
                    {
                        _running[id] = Task.Run(() => { });
                    }
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_AcceptLoopThroughTheProjectsOwnWrapper() => VerifyAsync("""
        using System.Threading;
        using System.Threading.Tasks;

        sealed class Connection { }

        sealed class FramedListener
        {
            public Task<Connection> AcceptConnectionAsync(CancellationToken ct) => Task.FromResult(new Connection());
        }

        class Server
        {
            async Task ServeAsync(FramedListener listener, CancellationToken ct)
            {
                while (!ct.IsCancellationRequested)
                {
                    var connection = await listener.AcceptConnectionAsync(ct);
                    _ = Task.Run(() => HandleAsync(connection), ct);
                }
            }

            static Task HandleAsync(Connection connection) => Task.CompletedTask;
        }
        """);

    [Fact]
    public Task Reports_AMethodThatMerelyStartsWithAccept() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Threading.Tasks;

        class Orders
        {
            void Acceptance(IEnumerable<string> orders)
            {
                foreach (var order in orders)
                {
                    AcceptanceCheck(order);
                    _ = [|Task.Run|](() => ProcessAsync(order));
                }
            }

            bool AcceptanceCheck(string order) => order.Length > 0;

            static Task ProcessAsync(string order) => Task.CompletedTask;
        }
        """);

    [Fact]
    public Task NoReport_AcceptLoop() => VerifyAsync("""
        using System.Net;
        using System.Net.Sockets;
        using System.Threading;
        using System.Threading.Tasks;

        class Server
        {
            async Task ServeAsync(TcpListener listener, HttpListener http, Socket socket, CancellationToken ct)
            {
                while (!ct.IsCancellationRequested)
                {
                    var client = await listener.AcceptTcpClientAsync(ct);
                    _ = Task.Run(() => HandleAsync(client));
                }

                while (true)
                {
                    var context = await http.GetContextAsync();
                    _ = HandleAsync(context);
                }
            }

            async Task ServePipeAsync(CancellationToken ct)
            {
                while (!ct.IsCancellationRequested)
                {
                    var pipe = new System.IO.Pipes.NamedPipeServerStream("governance");
                    await pipe.WaitForConnectionAsync(ct);
                    _ = HandleAsync(pipe);
                }
            }

            static Task HandleAsync(object client) => Task.CompletedTask;
        }
        """);

    [Fact]
    public Task NoReport_LoopExitsRightAfterSpawn() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Threading.Tasks;

        class C
        {
            void M(List<int> items)
            {
                foreach (var item in items)
                {
                    if (item > 10)
                    {
                        _ = Task.Run(() => { });
                        break;
                    }
                }

                while (true)
                {
                    _ = Task.Run(() => { });
                    return;
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_SpawnInsideLambdaOrLocalFunctionDeclaredInLoop() => VerifyAsync("""
        using System;
        using System.Collections.Generic;
        using System.Threading.Tasks;

        class C
        {
            private readonly List<Action> _handlers = new();

            void M(List<int> items)
            {
                foreach (var item in items)
                {
                    _handlers.Add(() => Task.Run(() => { }));

                    void Later() => _ = Task.Run(() => { });
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_TaskEscapesOrIsReturned() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Threading.Tasks;

        class C
        {
            IEnumerable<Task> Start(List<int> items)
            {
                foreach (var item in items)
                {
                    yield return Task.Run(() => { });
                }
            }

            void Track(List<int> items)
            {
                foreach (var item in items)
                {
                    Observe(Task.Run(() => { }));
                }
            }

            static void Observe(Task task) { }
        }
        """);

    [Fact]
    public Task NoReport_UserTypesNamedTaskAndThread() => VerifyAsync("""
        using System;
        using System.Collections.Generic;

        namespace MyApp
        {
            static class Task
            {
                public static void Run(Action action) { }
            }

            class Thread
            {
                public Thread(Action action) { }
                public void Start() { }
            }

            class C
            {
                void M(List<int> items)
                {
                    foreach (var item in items)
                    {
                        Task.Run(() => { });
                        new Thread(() => { }).Start();
                    }
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_IncompleteCode() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Threading.Tasks;

        class C
        {
            void M(List<int> items)
            {
                foreach (var item in {|CS0103:undefined|})
                {
                    _ = Task.{|CS0117:Runn|}(() => { });
                    {|CS0103:Missing|}(item);
                }
            }
        }
        """);
}
