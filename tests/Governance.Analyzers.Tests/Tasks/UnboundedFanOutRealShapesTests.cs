using Governance.Analyzers.Tasks;
using Governance.Analyzers.Tests.Verifiers;

namespace Governance.Analyzers.Tests.Tasks;

/// <summary>GOV1002 on the code shapes found by reading real services (each written fresh, minimal).</summary>
public sealed class UnboundedFanOutRealShapesTests
{
    private static Task VerifyAsync(string source) => Verify<UnboundedFanOutAnalyzer>.AnalyzerAsync(source);

    [Fact]
    public Task Reports_RangeOfAPageCountFromTheServersAnswer() => VerifyAsync("""
        using System.Linq;
        using System.Threading.Tasks;

        record Page(int TotalPages);

        class Client
        {
            Task<Page> GetPageAsync(int page) => Task.FromResult(new Page(3));

            async Task ReadAllAsync()
            {
                var first = await GetPageAsync(0);
                var pageCount = first.TotalPages;
                await {|GOV1002:Task.WhenAll|}(Enumerable.Range(1, pageCount - 1).Select(p => GetPageAsync(p)));
            }
        }
        """);

    [Fact]
    public Task NoReport_FanOutOverInjectedProviders() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading.Tasks;

        interface IIntroProvider { Task<string> GetAsync(string item); }

        class Library
        {
            private readonly IEnumerable<IIntroProvider> _providers;
            public Library(IEnumerable<IIntroProvider> providers) => _providers = providers;

            Task<string[]> IntrosAsync(string item) => Task.WhenAll(_providers.Select(p => p.GetAsync(item)));
        }
        """);

    [Fact]
    public Task NoReport_FanOutOverInjectedServicesCopiedIntoAnArrayField() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading.Tasks;

        interface IGuideSource { Task<int> CountAsync(); }

        class Guide
        {
            private readonly IGuideSource[] _sources;
            public Guide(IEnumerable<IGuideSource> sources) => _sources = sources.ToArray();

            async Task<int> TotalAsync()
            {
                var counts = _sources.Select(async s =>
                {
                    try { return await s.CountAsync(); }
                    catch { return 0; }
                });
                return (await Task.WhenAll(counts)).Sum();
            }
        }
        """);

    [Fact]
    public Task NoReport_ForToTheLengthOfAnInjectedListenerArray() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading.Tasks;

        interface ISocketListener { Task OnMessageAsync(string message); }

        class Hub
        {
            private readonly ISocketListener[] _listeners;
            public Hub(IEnumerable<ISocketListener> listeners) => _listeners = listeners.ToArray();

            async Task DispatchAsync(string message)
            {
                var tasks = new Task[_listeners.Length];
                for (var i = 0; i < _listeners.Length; i++)
                {
                    tasks[i] = _listeners[i].OnMessageAsync(message);
                }

                await Task.WhenAll(tasks);
            }
        }
        """);

    [Fact]
    public Task NoReport_ServicesResolvedFromTheContainer() => VerifyAsync("""
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading;
        using System.Threading.Tasks;

        namespace Microsoft.Extensions.DependencyInjection
        {
            public static class ServiceProviderServiceExtensions
            {
                public static IEnumerable<T> GetServices<T>(this IServiceProvider provider) => Array.Empty<T>();
            }
        }

        namespace App
        {
            using Microsoft.Extensions.DependencyInjection;

            interface IBackgroundService { Task StartAsync(CancellationToken ct); }

            class Harness
            {
                Task StartAllAsync(IServiceProvider provider, CancellationToken ct)
                {
                    var services = provider.GetServices<IBackgroundService>().ToArray();
                    return Task.WhenAll(services.Select(s => s.StartAsync(ct)));
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_SetOfAnObjectGivenToTheConstructor() => VerifyAsync("""
        using System.Linq;
        using System.Threading.Tasks;

        sealed class Queue { }
        interface ITopology { Queue[] Queues { get; } }

        class Declarer
        {
            private readonly ITopology _topology;
            public Declarer(ITopology topology) => _topology = topology;

            Task DeclareAllAsync() => Task.WhenAll(_topology.Queues.Select(DeclareAsync));

            static Task DeclareAsync(Queue queue) => Task.CompletedTask;
        }
        """);

    [Fact]
    public Task Reports_ItemsOfAnObjectHandedToTheMethod() => VerifyAsync("""
        using System.Linq;
        using System.Threading.Tasks;

        sealed class Line { }
        interface IOrder { Line[] Lines { get; } }

        class Shipper
        {
            Task ShipAsync(IOrder order) => [|Task.WhenAll|](order.Lines.Select(ShipLineAsync));

            static Task ShipLineAsync(Line line) => Task.CompletedTask;
        }
        """);

    [Fact]
    public Task NoReport_ConstantBurstInATestMethod() => VerifyAsync("""
        using System;
        using System.Linq;
        using System.Threading.Tasks;

        namespace Xunit { public sealed class FactAttribute : Attribute { } }

        namespace Tests
        {
            using Xunit;

            public class LimitTests
            {
                [Fact]
                public async Task HoldsTheLimitUnderLoad()
                {
                    await Task.WhenAll(Enumerable.Range(0, 500).Select(i => Task.Run(() => Send(i))));
                }

                static void Send(int i) { }
            }
        }
        """);

    [Fact]
    public Task NoReport_ConstantBurstInABenchmark() => VerifyAsync("""
        using System;
        using System.Linq;
        using System.Threading.Tasks;

        namespace BenchmarkDotNet.Attributes { public sealed class BenchmarkAttribute : Attribute { } }

        namespace Bench
        {
            using BenchmarkDotNet.Attributes;

            public class StoreBenchmarks
            {
                [Benchmark]
                public void ManyWriters() => Task.WaitAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => Write(i))).ToArray());

                static void Write(int i) { }
            }
        }
        """);

    [Fact]
    public Task NoReport_SmallConstantRepeat() => VerifyAsync("""
        using System.Linq;
        using System.Threading.Tasks;

        class Warmup
        {
            void Warm() => Task.WaitAll(Enumerable.Repeat(0, 10).Select(_ => Task.Run(() => { })).ToArray());
        }
        """);

    [Fact]
    public Task NoReport_DriverThatWaitsForEachBatchBeforeTheNext() => VerifyAsync("""
        using System.Threading;
        using System.Threading.Tasks;

        class Driver
        {
            private volatile bool _done;

            void Run(int batchSize)
            {
                while (!_done)
                {
                    var tasks = new Task[batchSize];
                    for (var i = 0; i < batchSize; i++)
                    {
                        tasks[i] = SendAsync(i);
                    }

                    Task.WaitAll(tasks);
                }
            }

            static Task SendAsync(int i) => Task.CompletedTask;
        }
        """);

    [Fact]
    public Task NoReport_WhileLoopCountingToAConfiguredNumber() => VerifyAsync("""
        using System.Threading.Tasks;

        class Options { public int ParallelTasks { get; set; } = 4; }

        class Migration
        {
            async Task RunAsync(Options options)
            {
                var runners = new Task<bool>[options.ParallelTasks];
                var i = 0;
                while (i < runners.Length)
                {
                    runners[i] = ScanAsync(i);
                    i++;
                }

                await Task.WhenAll(runners);
            }

            static Task<bool> ScanAsync(int part) => Task.FromResult(true);
        }
        """);

    [Fact]
    public Task Reports_WhileLoopOverAQueueOfRequests() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Threading.Tasks;

        class Drain
        {
            async Task RunAsync(Queue<string> requests)
            {
                var tasks = new List<Task>();
                var handled = 0;
                while (handled < requests.Count)
                {
                    tasks.Add(HandleAsync(requests.Dequeue()));
                }

                await [|Task.WhenAll|](tasks);
            }

            static Task HandleAsync(string request) => Task.CompletedTask;
        }
        """);

    private const string FanOutOverAParameter = """
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading.Tasks;

        class Fixture
        {
            Task StartAllAsync(IEnumerable<string> hosts) => {|#0:Task.WhenAll|}(hosts.Select(h => StartAsync(h)));

            static Task StartAsync(string host) => Task.CompletedTask;
        }
        """;

    private static Task VerifyInProjectAsync(string assemblyName, string? config, bool expectReport)
    {
        var test = new Verifiers.AnalyzerTest<UnboundedFanOutAnalyzer>
        {
            TestCode = expectReport ? FanOutOverAParameter : FanOutOverAParameter.Replace("{|#0:Task.WhenAll|}", "Task.WhenAll", StringComparison.Ordinal),
        };
        test.SolutionTransforms.Add((solution, projectId) => solution.WithProjectAssemblyName(projectId, assemblyName));
        Verify<UnboundedFanOutAnalyzer>.AddConfig(test.TestState, config);
        if (expectReport)
        {
            test.ExpectedDiagnostics.Add(new Microsoft.CodeAnalysis.Testing.DiagnosticResult(Descriptors.UnboundedFanOut).WithLocation(0)
                .WithArguments("Task.WhenAll", "hosts"));
        }

        return test.RunAsync();
    }

    [Theory]
    [InlineData("Orders.Tests")]
    [InlineData("Garnet.test.scripting")]
    [InlineData("Orders.Benchmarks")]
    public Task NoReport_InATestOrBenchmarkProject(string assemblyName) => VerifyInProjectAsync(assemblyName, config: null, expectReport: false);

    [Fact]
    public Task Reports_InATestProject_WhenTheOptionAsksForIt()
        => VerifyInProjectAsync("Orders.Tests", "root = true\n[*.cs]\ngovernance.GOV1002.include_test_projects = true\n", expectReport: true);

    [Theory]
    [InlineData("Orders")]
    [InlineData("Orders.Testing")]
    public Task Reports_InAProductionProject(string assemblyName) => VerifyInProjectAsync(assemblyName, config: null, expectReport: true);

    [Fact]
    public Task NoReport_StoppingTheObjectsOwnPartsInALifecycleStep() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading.Tasks;

        sealed class Endpoint { public Task StopAsync() => Task.CompletedTask; }

        class Endpoints
        {
            private readonly Dictionary<string, Endpoint> _endpoints = new();

            public Task StopEndpoints() => Task.WhenAll(_endpoints.Values.Select(e => e.StopAsync()));
        }
        """);

    [Fact]
    public Task Reports_FanOutOverHandedDataInALifecycleStep() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading.Tasks;

        class Importer
        {
            public Task StartImport(IEnumerable<string> files) => [|Task.WhenAll|](files.Select(f => ImportAsync(f)));

            static Task ImportAsync(string file) => Task.CompletedTask;
        }
        """);

    // A set read from run-time data is reported even when the domain keeps it small (the parts of one entity, the
    // replicas of one shard): the analyzer cannot know the size. docs/rules/GOV1002.md, "What this rule leaves to you".
    [Fact]
    public Task Reports_PartsOfOneEntity_TheSizeIsLeftToTheUser() => VerifyAsync("""
        using System.Linq;
        using System.Threading.Tasks;

        sealed class Part { }

        class Video
        {
            public Part[] AdditionalParts { get; set; } = [];

            Task RefreshAsync() => [|Task.WhenAll|](AdditionalParts.Select(p => RefreshPartAsync(p)));

            static Task RefreshPartAsync(Part part) => Task.CompletedTask;
        }
        """);

    [Fact]
    public Task Reports_ConstantBurstOutsideTests() => VerifyAsync("""
        using System.Linq;
        using System.Threading.Tasks;

        class Warmup
        {
            Task WarmAsync() => [|Task.WhenAll|](Enumerable.Range(0, 500).Select(i => Task.Run(() => Send(i))));

            static void Send(int i) { }
        }
        """);

    [Fact]
    public Task NoReport_FanOutOverPluginsHandedToTheMethod() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading.Tasks;

        interface ISearchProvider { bool CanSearch(string term); Task<int> SearchAsync(string term); }

        class Search
        {
            Task<int[]> SearchAllAsync(IEnumerable<ISearchProvider> providers, string term)
            {
                var applicable = providers.Where(p => p.CanSearch(term)).ToArray();
                return Task.WhenAll(applicable.Select(p => p.SearchAsync(term)));
            }
        }
        """);

    [Fact]
    public Task Reports_FanOutOverDataBehindAnInterface() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading.Tasks;

        interface IOrder { Task ShipAsync(); }

        class Shipping
        {
            Task ShipAllAsync(IEnumerable<IOrder> orders) => [|Task.WhenAll|](orders.Select(o => o.ShipAsync()));
        }
        """);

    [Fact]
    public Task NoReport_SemaphorePassedToACallThatDidNotBind() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading;
        using System.Threading.Tasks;

        class Blobs
        {
            private static readonly SemaphoreSlim s_writes = new(8);

            Task DeleteAllAsync(Dictionary<string, string> blobs)
            {
                Task Delete(string name)
                {
                    // A third-party type a folder scan could not resolve: the call does not bind.
                    return {|CS0103:StorageRetry|}.PerformAsync(s_writes, name);
                }

                return Task.WhenAll(blobs.Values.Select(Delete).ToList());
            }
        }
        """);

    [Fact]
    public Task NoReport_WaitingForDispatchersThatAlreadyRun() => VerifyAsync("""
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;

        interface IDispatcher { Task WaitAsync(TimeSpan timeout, CancellationToken ct); }

        class Server
        {
            void WaitAll(IReadOnlyList<IDispatcher> dispatchers)
            {
                var waits = new Task[dispatchers.Count];
                for (var i = 0; i < dispatchers.Count; i++)
                {
                    waits[i] = dispatchers[i].WaitAsync(Timeout.InfiniteTimeSpan, CancellationToken.None);
                }

                Task.WaitAll(waits);
            }
        }
        """);

    [Fact]
    public Task NoReport_SemaphorePassedToTheCalledMethod() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading;
        using System.Threading.Tasks;

        class Store
        {
            private readonly SemaphoreSlim _gate = new(8);

            Task DeleteAllAsync(List<string> blobs) => Task.WhenAll(blobs.Select(b => DeleteAsync(b, _gate)));

            static async Task DeleteAsync(string blob, SemaphoreSlim gate)
            {
                await gate.WaitAsync();
                try { await Task.Yield(); } finally { gate.Release(); }
            }
        }
        """);

    [Fact]
    public Task NoReport_LoopToAReadonlyArrayField() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Threading.Tasks;

        class Shards
        {
            private readonly string[] _shards;
            public Shards(string[] shards) => _shards = shards;

            async Task FlushAsync()
            {
                var flushes = new List<Task>();
                foreach (var shard in _shards)
                {
                    flushes.Add(FlushAsync(shard));
                }

                await Task.WhenAll(flushes);
            }

            Task FlushAsync(string shard) => Task.Delay(1);
        }
        """);

    [Fact]
    public Task NoReport_ConstantRangeWithinGov1002sOwnBound()
        => Verify<UnboundedFanOutAnalyzer>.AnalyzerWithConfigAsync("root = true\n\n[*.cs]\ngovernance.GOV1002.max_constant_iterations = 500", """
            using System.Linq;
            using System.Threading.Tasks;

            class LoadTest
            {
                Task BurstAsync() => Task.WhenAll(Enumerable.Range(0, 500).Select(i => Task.Delay(i)));
            }
            """);

    [Fact]
    public Task Reports_ConstantRangeAboveGov1002sOwnBound_EvenWhenGov1001AllowsIt()
        => Verify<UnboundedFanOutAnalyzer>.AnalyzerWithConfigAsync("root = true\n\n[*.cs]\ngovernance.GOV1001.max_constant_iterations = 1000\ngovernance.GOV1002.max_constant_iterations = 100", """
            using System.Linq;
            using System.Threading.Tasks;

            class LoadTest
            {
                Task BurstAsync() => {|GOV1002:Task.WhenAll|}(Enumerable.Range(0, 500).Select(i => Task.Delay(i)));
            }
            """);
}
