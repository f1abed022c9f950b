using Governance.Analyzers.Tasks;
using Governance.Analyzers.Tests.Verifiers;

namespace Governance.Analyzers.Tests.Tasks;

public sealed class UnboundedFanOutCodeFixTests
{
    private static Task VerifyAsync(string source, string fixedSource)
        => Verify<UnboundedFanOutAnalyzer>.CodeFixAsync<UnboundedFanOutCodeFix>(source, fixedSource);

    [Fact]
    public Task Fix_SelectOfAsyncCallWithTokenInScope() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading;
        using System.Threading.Tasks;

        class Batch
        {
            async Task RunAsync(List<int> records, CancellationToken cancellationToken)
            {
                await [|Task.WhenAll|](records.Select(r => ProcessAsync(r, cancellationToken))); // all at once
            }

            static Task ProcessAsync(int record, CancellationToken ct) => Task.CompletedTask;
        }
        """, """
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading;
        using System.Threading.Tasks;

        class Batch
        {
            async Task RunAsync(List<int> records, CancellationToken cancellationToken)
            {
                await Parallel.ForEachAsync(records, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken }, async (r, cancellationToken) => await ProcessAsync(r, cancellationToken)); // all at once
            }

            static Task ProcessAsync(int record, CancellationToken ct) => Task.CompletedTask;
        }
        """);

    [Fact]
    public Task Fix_AsyncLambdaBlockThroughToArray() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading.Tasks;

        class Batch
        {
            async Task RunAsync(IEnumerable<string> urls)
            {
                await [|Task.WhenAll|](urls.Select(async url =>
                {
                    await FetchAsync(url);
                }).ToArray());
            }

            static Task FetchAsync(string url) => Task.CompletedTask;
        }
        """, """
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading.Tasks;

        class Batch
        {
            async Task RunAsync(IEnumerable<string> urls)
            {
                await Parallel.ForEachAsync(urls, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, async (url, cancellationToken) =>
                {
                    await FetchAsync(url);
                });
            }

            static Task FetchAsync(string url) => Task.CompletedTask;
        }
        """);

    [Fact]
    public Task Fix_KeepsConfigureAwaitAndMethodGroupSelector() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading.Tasks;

        class Batch
        {
            async Task RunAsync(List<int> records)
            {
                await [|Task.WhenAll|](records.Select(ProcessAsync)).ConfigureAwait(false);
            }

            static Task ProcessAsync(int record) => Task.CompletedTask;
        }
        """, """
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading.Tasks;

        class Batch
        {
            async Task RunAsync(List<int> records)
            {
                await Parallel.ForEachAsync(records, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, async (item, cancellationToken) => await ProcessAsync(item)).ConfigureAwait(false);
            }

            static Task ProcessAsync(int record) => Task.CompletedTask;
        }
        """);

    [Fact]
    public Task Fix_ListFilledByForeachBecomesParallelForEachAsync() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;

        class Batch
        {
            async Task RunAsync(IEnumerable<int> records, CancellationToken ct)
            {
                // One per record.
                var tasks = new List<Task>();
                foreach (var record in records)
                {
                    tasks.Add(ProcessAsync(record, ct));
                }

                await [|Task.WhenAll|](tasks);
                Done();
            }

            static Task ProcessAsync(int record, CancellationToken ct) => Task.CompletedTask;

            static void Done() { }
        }
        """, """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;

        class Batch
        {
            async Task RunAsync(IEnumerable<int> records, CancellationToken ct)
            {
                // One per record.
                await Parallel.ForEachAsync(records, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = ct }, async (record, ct) => await ProcessAsync(record, ct));
                Done();
            }

            static Task ProcessAsync(int record, CancellationToken ct) => Task.CompletedTask;

            static void Done() { }
        }
        """);

    [Fact]
    public Task Fix_ListOfTaskRunWithConfigureAwait() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Threading.Tasks;

        class Crawler
        {
            async Task CrawlAsync(string[] urls)
            {
                var tasks = new List<Task>();
                foreach (var url in urls)
                    tasks.Add(Task.Run(async () => await FetchAsync(url)));
                await [|Task.WhenAll|](tasks).ConfigureAwait(false);
            }

            static Task FetchAsync(string url) => Task.CompletedTask;
        }
        """, """
        using System;
        using System.Collections.Generic;
        using System.Threading.Tasks;

        class Crawler
        {
            async Task CrawlAsync(string[] urls)
            {
                await Parallel.ForEachAsync(urls, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, async (url, cancellationToken) => await FetchAsync(url)).ConfigureAwait(false);
            }

            static Task FetchAsync(string url) => Task.CompletedTask;
        }
        """);
}
