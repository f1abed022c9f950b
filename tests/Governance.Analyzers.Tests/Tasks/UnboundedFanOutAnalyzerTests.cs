using Governance.Analyzers.Tasks;
using Governance.Analyzers.Tests.Verifiers;

namespace Governance.Analyzers.Tests.Tasks;

public sealed class UnboundedFanOutAnalyzerTests
{
    private static Task VerifyAsync(params string[] sources) => Verify<UnboundedFanOutAnalyzer>.AnalyzerAsync(sources);

    [Fact]
    public Task Reports_WhenAllOverSelectOfAsyncCalls() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading.Tasks;

        class Batch
        {
            async Task RunAsync(List<int> records)
            {
                await [|Task.WhenAll|](records.Select(r => ProcessAsync(r)));
                await [|Task.WhenAll|](records.Select(async r => await ProcessAsync(r)).ToArray());
                var results = await [|Task.WhenAll|](records.Select(r => LoadAsync(r)));
            }

            static Task ProcessAsync(int record) => Task.CompletedTask;

            static Task<int> LoadAsync(int record) => Task.FromResult(record);
        }
        """);

    [Fact]
    public Task Reports_LocalListFilledByLoopThenAwaited() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Threading.Tasks;

        class Batch
        {
            async Task RunAsync(IEnumerable<int> records)
            {
                var tasks = new List<Task>();
                foreach (var record in records)
                {
                    tasks.Add(ProcessAsync(record));
                }

                await [|Task.WhenAll|](tasks);
            }

            void Run(int[] records)
            {
                var tasks = new List<Task>();
                for (var i = 0; i < records.Length; i++)
                {
                    var record = records[i];
                    tasks.Add(Task.Run(() => ProcessAsync(record)));
                }

                [|Task.WaitAll|](tasks.ToArray());
            }

            static Task ProcessAsync(int record) => Task.CompletedTask;
        }
        """);

    [Fact]
    public Task Reports_SelectThroughLocal() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading.Tasks;

        class Batch
        {
            async Task RunAsync(List<int> records)
            {
                var tasks = records.Select(ProcessAsync).ToList();
                await [|Task.WhenAll|](tasks);
            }

            static Task ProcessAsync(int record) => Task.CompletedTask;
        }
        """);

    [Fact]
    public Task NoReport_LiteralSourcesAndSmallOrConfiguredRange() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading.Tasks;

        class C
        {
            async Task RunAsync(string a, string b, int workers)
            {
                await Task.WhenAll(new[] { a, b }.Select(x => FetchAsync(x)));
                await Task.WhenAll(new List<string> { a, b }.Select(x => FetchAsync(x)));
                await Task.WhenAll(Enumerable.Range(0, 8).Select(i => FetchAsync(a)));
                await Task.WhenAll(Enumerable.Range(0, workers).Select(i => FetchAsync(a)));
                string[] urls = [a, b];
                await Task.WhenAll(urls.Select(x => FetchAsync(x)));
            }

            static Task FetchAsync(string url) => Task.CompletedTask;
        }
        """);

    [Fact]
    public Task NoReport_OneTaskPerPartition() => VerifyAsync("""
        using System;
        using System.Collections.Concurrent;
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading.Tasks;

        static class Extensions
        {
            public static Task ForEachAsync<T>(this IEnumerable<T> source, int dop, Func<T, Task> body)
                => Task.WhenAll(
                    from partition in Partitioner.Create(source).GetPartitions(dop)
                    select Task.Run(async () =>
                    {
                        using (partition)
                        {
                            while (partition.MoveNext())
                            {
                                await body(partition.Current);
                            }
                        }
                    }));
        }
        """);

    [Fact]
    public Task NoReport_OneBatchAtATime() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading.Tasks;

        class C
        {
            async Task RunAsync(List<int> records, int batchSize)
            {
                foreach (var batch in records.Chunk(batchSize))
                {
                    await Task.WhenAll(batch.Select(r => ProcessAsync(r)));
                }

                await Task.WhenAll(records.Take(50).Select(r => ProcessAsync(r)));
            }

            static Task ProcessAsync(int record) => Task.CompletedTask;
        }
        """);

    [Fact]
    public Task Reports_RangeAboveConstantBound() => VerifyAsync("""
        using System.Linq;
        using System.Threading.Tasks;

        class C
        {
            async Task RunAsync()
            {
                await [|Task.WhenAll|](Enumerable.Range(0, 1000).Select(i => Task.Delay(i)));
            }
        }
        """);

    [Fact]
    public Task NoReport_LoopRepeatingAConstantNumberOfTimes() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Threading.Tasks;

        class StressTest
        {
            async Task RunAsync()
            {
                var tasks = new List<Task>();
                for (var i = 0; i < 1000; i++)
                {
                    tasks.Add(Task.Run(() => { }));
                }

                await Task.WhenAll(tasks);
            }
        }
        """);

    [Fact]
    public Task NoReport_FixedArity() => VerifyAsync("""
        using System.Threading.Tasks;

        class C
        {
            async Task RunAsync(Task a, Task b, Task c)
            {
                await Task.WhenAll(a, b, c);
                Task.WaitAll(a, b);
            }
        }
        """);

    [Fact]
    public Task NoReport_SelectorOrLoopAcquiresLimiterFirst() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading;
        using System.Threading.Tasks;

        class C
        {
            private readonly SemaphoreSlim _gate = new(10);

            async Task RunAsync(List<int> records)
            {
                await Task.WhenAll(records.Select(async r =>
                {
                    await _gate.WaitAsync();
                    try
                    {
                        await ProcessAsync(r);
                    }
                    finally
                    {
                        _gate.Release();
                    }
                }));

                var tasks = new List<Task>();
                foreach (var record in records)
                {
                    await _gate.WaitAsync();
                    tasks.Add(ProcessAndReleaseAsync(record));
                }

                await Task.WhenAll(tasks);
            }

            async Task ProcessAndReleaseAsync(int record)
            {
                try { await ProcessAsync(record); } finally { _gate.Release(); }
            }

            static Task ProcessAsync(int record) => Task.CompletedTask;
        }
        """);

    [Fact]
    public Task NoReport_CalledMethodAcquiresLimiterFirst() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading;
        using System.Threading.Tasks;

        class C
        {
            private readonly SemaphoreSlim _gate = new(10);

            async Task RunAsync(List<int> records)
            {
                await Task.WhenAll(records.Select(ProcessAsync));
                await Task.WhenAll(records.Select(r => ProcessAsync(r)));

                var tasks = new List<Task>();
                foreach (var record in records)
                {
                    tasks.Add(ProcessAsync(record));
                }

                await Task.WhenAll(tasks);
            }

            private async Task ProcessAsync(int record)
            {
                await _gate.WaitAsync();
                try { await Task.Delay(record); } finally { _gate.Release(); }
            }
        }
        """);

    [Fact]
    public Task NoReport_WindowOrBatchAwaitedInsideTheLoop() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Threading.Tasks;

        class C
        {
            async Task RunAsync(List<int> records)
            {
                var window = new List<Task>();
                foreach (var record in records)
                {
                    window.Add(ProcessAsync(record));
                    if (window.Count == 8)
                    {
                        var done = await Task.WhenAny(window);
                        window.Remove(done);
                    }
                }

                await Task.WhenAll(window);

                var batch = new List<Task>();
                foreach (var record in records)
                {
                    batch.Add(ProcessAsync(record));
                    if (batch.Count >= 100)
                    {
                        await Task.WhenAll(batch);
                        batch.Clear();
                    }
                }

                await Task.WhenAll(batch);
            }

            static Task ProcessAsync(int record) => Task.CompletedTask;
        }
        """);

    [Fact]
    public Task NoReport_SelectGathersTasksThatAlreadyRun() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading.Tasks;

        class Worker
        {
            public Task Task { get; } = Task.CompletedTask;
        }

        class Pool
        {
            private readonly List<Worker> _workers = new();
            private readonly Dictionary<int, Task> _running = new();

            Task WhenStopped() => Task.WhenAll(_workers.Select(w => w.Task));

            Task WhenIdle() => Task.WhenAll(_running.Select(pair => pair.Value));
        }
        """);

    [Fact]
    public Task NoReport_UserTypeNamedTask() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Linq;

        namespace MyApp
        {
            class Task
            {
                public static Task WhenAll(IEnumerable<Task> tasks) => new Task();
            }

            class C
            {
                void Run(List<int> records) => Task.WhenAll(records.Select(r => new Task()));
            }
        }
        """);
}
