using Governance.Analyzers.Tasks;
using Governance.Analyzers.Tests.Verifiers;

namespace Governance.Analyzers.Tests.Tasks;

public sealed class UnboundedFanOutCodeFixTests
{
    private const string ForEachKey = "GOV1002.ParallelForEachAsync";

    /// <summary>The Parallel.ForEachAsync action (the second one; the first keeps Task.WhenAll behind a SemaphoreSlim).</summary>
    private static Task VerifyAsync(string source, string fixedSource)
        => Verify<UnboundedFanOutAnalyzer>.CodeFixAsync<UnboundedFanOutCodeFix>(source, fixedSource, equivalenceKey: ForEachKey);

    private static Task VerifyGateAsync(string source, string fixedSource)
        => Verify<UnboundedFanOutAnalyzer>.CodeFixAsync<UnboundedFanOutCodeFix>(source, fixedSource);

    // MassTransit's EventHubProducer: `if (observers) await Task.WhenAll(...)`. The gate's using block goes in braces at
    // the if's indentation, in the if and in the else, rather than under a braceless if.
    [Fact]
    public Task Gate_StatementOfABracelessIfOrElse_GoesInBraces() => VerifyGateAsync("""
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading.Tasks;

        class Producer
        {
            async Task SendAsync(List<int> contexts, bool observed)
            {
                if (observed)
                    await [|Task.WhenAll|](contexts.Select(c => PreSendAsync(c))).ConfigureAwait(false);
                else
                    await [|Task.WhenAll|](contexts.Select(c => PostSendAsync(c))).ConfigureAwait(false);

                await Task.Yield();
            }

            static Task PreSendAsync(int context) => Task.CompletedTask;

            static Task PostSendAsync(int context) => Task.CompletedTask;
        }
        """, """
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading;
        using System.Threading.Tasks;

        class Producer
        {
            async Task SendAsync(List<int> contexts, bool observed)
            {
                if (observed)
                {
                    using (var gate = new SemaphoreSlim(Environment.ProcessorCount))
                    {
                        await Task.WhenAll(contexts.Select(async c =>
                        {
                            await gate.WaitAsync().ConfigureAwait(false);
                            try
                            {
                                await PreSendAsync(c).ConfigureAwait(false);
                            }
                            finally
                            {
                                gate.Release();
                            }
                        })).ConfigureAwait(false);
                    }
                }
                else
                {
                    using (var gate = new SemaphoreSlim(Environment.ProcessorCount))
                    {
                        await Task.WhenAll(contexts.Select(async c =>
                        {
                            await gate.WaitAsync().ConfigureAwait(false);
                            try
                            {
                                await PostSendAsync(c).ConfigureAwait(false);
                            }
                            finally
                            {
                                gate.Release();
                            }
                        })).ConfigureAwait(false);
                    }
                }

                await Task.Yield();
            }

            static Task PreSendAsync(int context) => Task.CompletedTask;

            static Task PostSendAsync(int context) => Task.CompletedTask;
        }
        """);

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
                await Parallel.ForEachAsync(
                    records,
                    new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
                    (r, _) => new ValueTask(ProcessAsync(r, cancellationToken))); // all at once
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
                await Parallel.ForEachAsync(
                    urls,
                    new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
                    async (url, _) =>
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
                await Parallel.ForEachAsync(
                    records,
                    new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
                    (item, _) => new ValueTask(ProcessAsync(item))).ConfigureAwait(false);
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
                await Parallel.ForEachAsync(
                    records,
                    new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
                    (record, _) => new ValueTask(ProcessAsync(record, ct)));
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
                await Parallel.ForEachAsync(
                    urls,
                    new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
                    (url, _) => new ValueTask(FetchAsync(url))).ConfigureAwait(false);
            }

            static Task FetchAsync(string url) => Task.CompletedTask;
        }
        """);

    [Fact]
    public Task Fix_ValueTaskCallNeedsNoAsyncLambdaNorAsTask() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading;
        using System.Threading.Tasks;

        class Scheduler
        {
            async Task<bool> UnscheduleJobs(IReadOnlyCollection<string> triggerKeys, CancellationToken cancellationToken = default)
            {
                bool result = await DeleteTriggers(triggerKeys, cancellationToken).ConfigureAwait(false);
                await [|Task.WhenAll|](triggerKeys.Select(x => NotifyUnscheduled(x, cancellationToken).AsTask())).ConfigureAwait(false);
                return result;
            }

            static Task<bool> DeleteTriggers(IReadOnlyCollection<string> keys, CancellationToken cancellationToken) => Task.FromResult(true);

            static ValueTask NotifyUnscheduled(string key, CancellationToken cancellationToken) => default;
        }
        """, """
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading;
        using System.Threading.Tasks;

        class Scheduler
        {
            async Task<bool> UnscheduleJobs(IReadOnlyCollection<string> triggerKeys, CancellationToken cancellationToken = default)
            {
                bool result = await DeleteTriggers(triggerKeys, cancellationToken).ConfigureAwait(false);
                await Parallel.ForEachAsync(
                    triggerKeys,
                    new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
                    (x, _) => NotifyUnscheduled(x, cancellationToken)).ConfigureAwait(false);
                return result;
            }

            static Task<bool> DeleteTriggers(IReadOnlyCollection<string> keys, CancellationToken cancellationToken) => Task.FromResult(true);

            static ValueTask NotifyUnscheduled(string key, CancellationToken cancellationToken) => default;
        }
        """);

    [Fact]
    public Task Fix_MultiLineSourceAndElidedAsyncLambdaWithTabs() => VerifyAsync(
        "using System.Collections.Generic;\nusing System.Linq;\nusing System.Threading.Tasks;\n\nclass Hub\n{\n\tasync Task SendToGroupsAsync(IReadOnlyList<string> groupNames, string message)\n\t{\n\t\tawait [|Task.WhenAll|](groupNames\n\t\t\t.Where(x => !string.IsNullOrEmpty(x))\n\t\t\t.Select(async x => await SendAsync(x, message)));\n\t}\n\n\tstatic Task SendAsync(string group, string message) => Task.CompletedTask;\n}\n",
        "using System;\nusing System.Collections.Generic;\nusing System.Linq;\nusing System.Threading.Tasks;\n\nclass Hub\n{\n\tasync Task SendToGroupsAsync(IReadOnlyList<string> groupNames, string message)\n\t{\n\t\tawait Parallel.ForEachAsync(\n\t\t\tgroupNames\n\t\t\t\t.Where(x => !string.IsNullOrEmpty(x)),\n\t\t\tnew ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },\n\t\t\t(x, _) => new ValueTask(SendAsync(x, message)));\n\t}\n\n\tstatic Task SendAsync(string group, string message) => Task.CompletedTask;\n}\n");

    [Fact]
    public Task Fix_WorkThatIgnoresTheTokenStillIgnoresIt() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading;
        using System.Threading.Tasks;

        class Audit
        {
            async Task CommitAsync(List<int> ids, CancellationToken cancellationToken)
            {
                await SaveAsync(cancellationToken);

                // Logged whatever happens to the caller's token.
                await [|Task.WhenAll|](ids.Select(id => LogAsync(id)));
            }

            static Task SaveAsync(CancellationToken cancellationToken) => Task.CompletedTask;

            static Task LogAsync(int id) => Task.CompletedTask;
        }
        """, """
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading;
        using System.Threading.Tasks;

        class Audit
        {
            async Task CommitAsync(List<int> ids, CancellationToken cancellationToken)
            {
                await SaveAsync(cancellationToken);

                // Logged whatever happens to the caller's token.
                await Parallel.ForEachAsync(
                    ids,
                    new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
                    (id, _) => new ValueTask(LogAsync(id)));
            }

            static Task SaveAsync(CancellationToken cancellationToken) => Task.CompletedTask;

            static Task LogAsync(int id) => Task.CompletedTask;
        }
        """);

    [Fact]
    public Task Fix_AsyncBlockKeepsItsLayoutAndTheTokenItWasGiven() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading;
        using System.Threading.Tasks;

        class Mailer
        {
            async Task SendAllAsync(List<string> users, CancellationToken ct)
            {
                var token = "x";
                await [|Task.WhenAll|](users.Select(async user => {
                    var body = await RenderAsync(user, ct).ConfigureAwait(false);
                    await SendAsync(user, body + token, ct).ConfigureAwait(false);
                })).ConfigureAwait(false);
            }

            static Task<string> RenderAsync(string user, CancellationToken ct) => Task.FromResult(user);

            static Task SendAsync(string user, string body, CancellationToken ct) => Task.CompletedTask;
        }
        """, """
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading;
        using System.Threading.Tasks;

        class Mailer
        {
            async Task SendAllAsync(List<string> users, CancellationToken ct)
            {
                var token = "x";
                await Parallel.ForEachAsync(
                    users,
                    new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
                    async (user, _) => {
                        var body = await RenderAsync(user, ct).ConfigureAwait(false);
                        await SendAsync(user, body + token, ct).ConfigureAwait(false);
                    }).ConfigureAwait(false);
            }

            static Task<string> RenderAsync(string user, CancellationToken ct) => Task.FromResult(user);

            static Task SendAsync(string user, string body, CancellationToken ct) => Task.CompletedTask;
        }
        """);

    [Fact]
    public Task NoFix_SynchronousSelectorBlock()
    {
        const string source = """
            using System.Collections.Generic;
            using System.Linq;
            using System.Threading.Tasks;

            class Batch
            {
                async Task RunAsync(List<int> records)
                {
                    await [|Task.WhenAll|](records.Select(r =>
                    {
                        var next = r + 1;
                        return ProcessAsync(next);
                    }));
                }

                static Task ProcessAsync(int record) => Task.CompletedTask;
            }
            """;
        return VerifyAsync(source, source);
    }

    [Fact]
    public Task Fix_TokenParameterAvoidsADiscardTheWorkUses() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading;
        using System.Threading.Tasks;

        class Warmup
        {
            async Task WarmAsync(List<string> keys, CancellationToken ct)
            {
                await [|Task.WhenAll|](keys.Select(async key =>
                {
                    _ = key.Length;
                    await LoadAsync(key, ct);
                }));
            }

            static Task LoadAsync(string key, CancellationToken ct) => Task.CompletedTask;
        }
        """, """
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading;
        using System.Threading.Tasks;

        class Warmup
        {
            async Task WarmAsync(List<string> keys, CancellationToken ct)
            {
                await Parallel.ForEachAsync(
                    keys,
                    new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
                    async (key, token) =>
                    {
                        _ = key.Length;
                        await LoadAsync(key, ct);
                    });
            }

            static Task LoadAsync(string key, CancellationToken ct) => Task.CompletedTask;
        }
        """);

    [Fact]
    public Task Fix_ListFormKeepsTheCommentsOfListAndLoop() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Threading.Tasks;

        class Outbox
        {
            async Task DeliverAsync(IReadOnlyList<string> ids)
            {
                // Every pending message.
                var deliveries = new List<Task>();

                // One delivery per id.
                foreach (var id in ids)
                    deliveries.Add(DeliverOneAsync(id));
                await [|Task.WhenAll|](deliveries).ConfigureAwait(false);
            }

            static Task DeliverOneAsync(string id) => Task.CompletedTask;
        }
        """, """
        using System;
        using System.Collections.Generic;
        using System.Threading.Tasks;

        class Outbox
        {
            async Task DeliverAsync(IReadOnlyList<string> ids)
            {
                // Every pending message.

                // One delivery per id.
                await Parallel.ForEachAsync(
                    ids,
                    new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
                    (id, _) => new ValueTask(DeliverOneAsync(id))).ConfigureAwait(false);
            }

            static Task DeliverOneAsync(string id) => Task.CompletedTask;
        }
        """);

    [Fact]
    public Task NoFix_ListFormWithWorkBetweenLoopAndWait()
    {
        // The log line runs while the deliveries run; after the rewrite it would run after them.
        const string source = """
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;

            class Outbox
            {
                async Task DeliverAsync(IReadOnlyList<string> ids)
                {
                    var deliveries = new List<Task>();
                    foreach (var id in ids)
                    {
                        deliveries.Add(DeliverOneAsync(id));
                    }

                    Console.WriteLine("started");
                    await [|Task.WhenAll|](deliveries);
                }

                static Task DeliverOneAsync(string id) => Task.CompletedTask;
            }
            """;
        return VerifyAsync(source, source);
    }

    [Fact]
    public Task Gate_KeepsWhenAllForAValueTaskCallFollowingConfigureAwait() => VerifyGateAsync("""
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading;
        using System.Threading.Tasks;

        class Scheduler
        {
            async Task<bool> UnscheduleJobs(IReadOnlyCollection<string> triggerKeys, CancellationToken cancellationToken = default)
            {
                bool result = await DeleteTriggers(triggerKeys, cancellationToken).ConfigureAwait(false);
                await [|Task.WhenAll|](triggerKeys.Select(x => NotifyUnscheduled(x, cancellationToken).AsTask())).ConfigureAwait(false);
                return result;
            }

            static Task<bool> DeleteTriggers(IReadOnlyCollection<string> keys, CancellationToken cancellationToken) => Task.FromResult(true);

            static ValueTask NotifyUnscheduled(string key, CancellationToken cancellationToken) => default;
        }
        """, """
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading;
        using System.Threading.Tasks;

        class Scheduler
        {
            async Task<bool> UnscheduleJobs(IReadOnlyCollection<string> triggerKeys, CancellationToken cancellationToken = default)
            {
                bool result = await DeleteTriggers(triggerKeys, cancellationToken).ConfigureAwait(false);
                using (var gate = new SemaphoreSlim(Environment.ProcessorCount))
                {
                    await Task.WhenAll(triggerKeys.Select(async x =>
                    {
                        await gate.WaitAsync().ConfigureAwait(false);
                        try
                        {
                            await NotifyUnscheduled(x, cancellationToken).ConfigureAwait(false);
                        }
                        finally
                        {
                            gate.Release();
                        }
                    })).ConfigureAwait(false);
                }
                return result;
            }

            static Task<bool> DeleteTriggers(IReadOnlyCollection<string> keys, CancellationToken cancellationToken) => Task.FromResult(true);

            static ValueTask NotifyUnscheduled(string key, CancellationToken cancellationToken) => default;
        }
        """);

    [Fact]
    public Task Gate_AsyncBlockUnderAnIfKeepsItsStatementsAndComments() => VerifyGateAsync("""
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading.Tasks;

        class Producer
        {
            async Task SendAsync(List<string> contexts, int observers)
            {
                if (observers > 0)
                    await [|Task.WhenAll|](contexts.Select(async c =>
                    {
                        // Before the send.
                        await PreSendAsync(c);

                        await LogAsync(c);
                    }));
            }

            static Task PreSendAsync(string context) => Task.CompletedTask;

            static Task LogAsync(string context) => Task.CompletedTask;
        }
        """, """
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading;
        using System.Threading.Tasks;

        class Producer
        {
            async Task SendAsync(List<string> contexts, int observers)
            {
                if (observers > 0)
                {
                    using (var gate = new SemaphoreSlim(Environment.ProcessorCount))
                    {
                        await Task.WhenAll(contexts.Select(async c =>
                        {
                            await gate.WaitAsync();
                            try
                            {
                                // Before the send.
                                await PreSendAsync(c);

                                await LogAsync(c);
                            }
                            finally
                            {
                                gate.Release();
                            }
                        }));
                    }
                }
            }

            static Task PreSendAsync(string context) => Task.CompletedTask;

            static Task LogAsync(string context) => Task.CompletedTask;
        }
        """);

    [Fact]
    public Task Gate_ListFormAndMethodGroupWithFixAll() => VerifyGateAsync("""
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading.Tasks;

        class Outbox
        {
            async Task DeliverAsync(IReadOnlyList<string> ids, IReadOnlyList<string> retries)
            {
                var deliveries = new List<Task>();
                foreach (var id in ids)
                {
                    deliveries.Add(DeliverOneAsync(id));
                }
                await [|Task.WhenAll|](deliveries);

                await [|Task.WhenAll|](retries.Select(DeliverOneAsync));
            }

            static Task DeliverOneAsync(string id) => Task.CompletedTask;
        }
        """, """
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading;
        using System.Threading.Tasks;

        class Outbox
        {
            async Task DeliverAsync(IReadOnlyList<string> ids, IReadOnlyList<string> retries)
            {
                using (var gate = new SemaphoreSlim(Environment.ProcessorCount))
                {
                    await Task.WhenAll(ids.Select(async id =>
                    {
                        await gate.WaitAsync();
                        try
                        {
                            await DeliverOneAsync(id);
                        }
                        finally
                        {
                            gate.Release();
                        }
                    }));
                }

                using (var gate = new SemaphoreSlim(Environment.ProcessorCount))
                {
                    await Task.WhenAll(retries.Select(async item =>
                    {
                        await gate.WaitAsync();
                        try
                        {
                            await DeliverOneAsync(item);
                        }
                        finally
                        {
                            gate.Release();
                        }
                    }));
                }
            }

            static Task DeliverOneAsync(string id) => Task.CompletedTask;
        }
        """);
}
