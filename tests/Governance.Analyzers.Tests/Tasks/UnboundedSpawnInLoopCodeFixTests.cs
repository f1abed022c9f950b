using Governance.Analyzers.Tasks;
using Governance.Analyzers.Tests.Verifiers;

namespace Governance.Analyzers.Tests.Tasks;

public sealed class UnboundedSpawnInLoopCodeFixTests
{
    /// <summary>The Parallel.ForEachAsync action (the second one; the first awaits every spawn behind a SemaphoreSlim).</summary>
    private static Task VerifyAsync(string source, string fixedSource)
        => Verify<UnboundedSpawnInLoopAnalyzer>.CodeFixAsync<UnboundedSpawnInLoopCodeFix>(source, fixedSource, equivalenceKey: "GOV1001.ParallelForEachAsync");

    private static Task VerifyGateAsync(string source, string fixedSource)
        => Verify<UnboundedSpawnInLoopAnalyzer>.CodeFixAsync<UnboundedSpawnInLoopCodeFix>(source, fixedSource);

    [Fact]
    public Task Fix_TaskRunOfAsyncLambdaKeepsItsToken() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;

        class Processor
        {
            async Task ProcessAllAsync(List<int> orders, CancellationToken ct)
            {
                // One per order.
                foreach (var order in orders)
                {
                    _ = [|Task.Run|](async () =>
                    {
                        await ProcessAsync(order, ct);
                    });
                }
            }

            static Task ProcessAsync(int order, CancellationToken ct) => Task.CompletedTask;
        }
        """, """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;

        class Processor
        {
            async Task ProcessAllAsync(List<int> orders, CancellationToken ct)
            {
                // One per order.
                await Parallel.ForEachAsync(
                    orders,
                    new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
                    async (order, _) =>
                    {
                        await ProcessAsync(order, ct);
                    });
            }

            static Task ProcessAsync(int order, CancellationToken ct) => Task.CompletedTask;
        }
        """);

    [Fact]
    public Task Fix_DiscardedAsyncCallWithoutToken() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Threading.Tasks;

        class Notifier
        {
            async Task NotifyAllAsync(IEnumerable<string> users)
            {
                foreach (var user in users)
                    [|SendAsync|](user);
            }

            static Task SendAsync(string user) => Task.CompletedTask;
        }
        """, """
        using System;
        using System.Collections.Generic;
        using System.Threading.Tasks;

        class Notifier
        {
            async Task NotifyAllAsync(IEnumerable<string> users)
            {
                await Parallel.ForEachAsync(
                    users,
                    new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
                    (user, _) => new ValueTask(SendAsync(user)));
            }

            static Task SendAsync(string user) => Task.CompletedTask;
        }
        """);

    [Fact]
    public Task Fix_TaskRunOfSynchronousWork() => VerifyAsync("""
        using System.Threading.Tasks;

        class C
        {
            async Task RunAsync(int[] items)
            {
                foreach (var item in items)
                {
                    _ = [|Task.Run|](() => Handle(item));
                }

                await Task.Yield();
            }

            static void Handle(int item) { }
        }
        """, """
        using System;
        using System.Threading.Tasks;

        class C
        {
            async Task RunAsync(int[] items)
            {
                await Parallel.ForEachAsync(
                    items,
                    new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
                    (item, _) =>
                    {
                        Handle(item);
                        return ValueTask.CompletedTask;
                    });

                await Task.Yield();
            }

            static void Handle(int item) { }
        }
        """);

    [Fact]
    public Task Fix_NotOfferedOutsideAsyncMethod()
    {
        const string source = """
            using System.Collections.Generic;
            using System.Threading.Tasks;

            class C
            {
                void Run(List<int> items)
                {
                    foreach (var item in items)
                    {
                        _ = [|Task.Run|](() => Handle(item));
                    }
                }

                static void Handle(int item) { }
            }
            """;
        return VerifyAsync(source, source);
    }

    private const string TaskGroupStub = """

        namespace Governance
        {
            public sealed class TaskGroup : System.IAsyncDisposable
            {
                public TaskGroup(int maxConcurrency, System.Threading.CancellationToken cancellationToken = default) { }

                public System.Threading.Tasks.ValueTask<bool> GoAsync(System.Func<System.Threading.CancellationToken, System.Threading.Tasks.Task> work, System.Threading.CancellationToken cancellationToken = default) => default;

                public System.Threading.Tasks.Task WaitAsync() => System.Threading.Tasks.Task.CompletedTask;

                public System.Threading.Tasks.ValueTask DisposeAsync() => default;
            }
        }
        """;

    [Fact]
    public Task Fix_TaskGroupWrapsForeachAndKeepsTheWorksToken() => Verify<UnboundedSpawnInLoopAnalyzer>.CodeFixAsync<UnboundedSpawnInLoopCodeFix>("""
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;

        class Processor
        {
            async Task ProcessAllAsync(List<int> orders, CancellationToken ct)
            {
                foreach (var order in orders)
                {
                    _ = [|Task.Run|](async () => await ProcessAsync(order, ct));
                }
            }

            static Task ProcessAsync(int order, CancellationToken ct) => Task.CompletedTask;
        }
        """ + TaskGroupStub, """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using Governance;

        class Processor
        {
            async Task ProcessAllAsync(List<int> orders, CancellationToken ct)
            {
                await using (var group = new TaskGroup(Environment.ProcessorCount))
                {
                    foreach (var order in orders)
                    {
                        await group.GoAsync(_ => ProcessAsync(order, ct));
                    }

                    await group.WaitAsync();
                }
            }

            static Task ProcessAsync(int order, CancellationToken ct) => Task.CompletedTask;
        }
        """ + TaskGroupStub, equivalenceKey: "GOV1001.TaskGroup");

    [Fact]
    public Task Fix_TaskGroupKeepsOtherStatementsOfWhileLoop() => Verify<UnboundedSpawnInLoopAnalyzer>.CodeFixAsync<UnboundedSpawnInLoopCodeFix>("""
        using System.Collections.Concurrent;
        using System.Threading.Tasks;

        class Dispatcher
        {
            async Task DrainAsync(ConcurrentQueue<string> queue)
            {
                while (queue.TryDequeue(out var message))
                {
                    var trimmed = message.Trim();
                    [|SendAsync|](trimmed);
                }
            }

            static Task SendAsync(string message) => Task.CompletedTask;
        }
        """ + TaskGroupStub, """
        using System;
        using System.Collections.Concurrent;
        using System.Threading.Tasks;
        using Governance;

        class Dispatcher
        {
            async Task DrainAsync(ConcurrentQueue<string> queue)
            {
                await using (var group = new TaskGroup(Environment.ProcessorCount))
                {
                    while (queue.TryDequeue(out var message))
                    {
                        var trimmed = message.Trim();
                        await group.GoAsync(_ => SendAsync(trimmed));
                    }

                    await group.WaitAsync();
                }
            }

            static Task SendAsync(string message) => Task.CompletedTask;
        }
        """ + TaskGroupStub, equivalenceKey: "GOV1001.TaskGroup");

    [Fact]
    public Task Fix_FollowsConfigureAwaitOfTheMethodAndKeepsCommentsOfSynchronousBlock() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;

        class Indexer
        {
            async Task IndexAsync(IReadOnlyList<string> files, CancellationToken cancellationToken)
            {
                await OpenAsync(cancellationToken).ConfigureAwait(false);
                foreach (var file in files)
                {
                    _ = [|Task.Run|](() =>
                    {
                        // Parse, then store.
                        var text = Parse(file);
                        Store(text);
                    }, cancellationToken);
                }

                await CloseAsync().ConfigureAwait(false);
            }

            static Task OpenAsync(CancellationToken cancellationToken) => Task.CompletedTask;

            static Task CloseAsync() => Task.CompletedTask;

            static string Parse(string file) => file;

            static void Store(string text) { }
        }
        """, """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;

        class Indexer
        {
            async Task IndexAsync(IReadOnlyList<string> files, CancellationToken cancellationToken)
            {
                await OpenAsync(cancellationToken).ConfigureAwait(false);
                await Parallel.ForEachAsync(
                    files,
                    new ParallelOptions
                    {
                        MaxDegreeOfParallelism = Environment.ProcessorCount,
                        CancellationToken = cancellationToken
                    },
                    (file, _) =>
                    {
                        // Parse, then store.
                        var text = Parse(file);
                        Store(text);
                        return ValueTask.CompletedTask;
                    }).ConfigureAwait(false);

                await CloseAsync().ConfigureAwait(false);
            }

            static Task OpenAsync(CancellationToken cancellationToken) => Task.CompletedTask;

            static Task CloseAsync() => Task.CompletedTask;

            static string Parse(string file) => file;

            static void Store(string text) { }
        }
        """);

    [Fact]
    public Task Fix_ElidesAsyncLambdaOfTaskRunAndKeepsValueTask() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;

        class Notifier
        {
            async Task NotifyAllAsync(List<string> keys, CancellationToken ct)
            {
                foreach (var key in keys)
                {
                    _ = [|Task.Run|](async () => await NotifyAsync(key, ct).ConfigureAwait(false));
                }
            }

            static ValueTask NotifyAsync(string key, CancellationToken ct) => default;
        }
        """, """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;

        class Notifier
        {
            async Task NotifyAllAsync(List<string> keys, CancellationToken ct)
            {
                await Parallel.ForEachAsync(
                    keys,
                    new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
                    (key, _) => NotifyAsync(key, ct));
            }

            static ValueTask NotifyAsync(string key, CancellationToken ct) => default;
        }
        """);

    [Fact]
    public Task Fix_TaskGroupFollowsConfigureAwait() => Verify<UnboundedSpawnInLoopAnalyzer>.CodeFixAsync<UnboundedSpawnInLoopCodeFix>("""
        using System.Threading;
        using System.Threading.Channels;
        using System.Threading.Tasks;

        class Consumer
        {
            async Task ConsumeAsync(ChannelReader<string> reader, CancellationToken cancellationToken)
            {
                await foreach (var message in reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    _ = [|HandleAsync|](message, cancellationToken);
                }
            }

            static ValueTask HandleAsync(string message, CancellationToken cancellationToken) => default;
        }
        """ + TaskGroupStub, """
        using System;
        using System.Threading;
        using System.Threading.Channels;
        using System.Threading.Tasks;
        using Governance;

        class Consumer
        {
            async Task ConsumeAsync(ChannelReader<string> reader, CancellationToken cancellationToken)
            {
                var group = new TaskGroup(Environment.ProcessorCount);
                await using (group.ConfigureAwait(false))
                {
                    await foreach (var message in reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                    {
                        await group.GoAsync(_ => HandleAsync(message, cancellationToken).AsTask()).ConfigureAwait(false);
                    }

                    await group.WaitAsync().ConfigureAwait(false);
                }
            }

            static ValueTask HandleAsync(string message, CancellationToken cancellationToken) => default;
        }
        """ + TaskGroupStub, equivalenceKey: "GOV1001.TaskGroup");

    [Fact]
    public Task NoTaskGroupFix_LoopThatReturnsFromInside()
    {
        var source = """
            using System.Collections.Concurrent;
            using System.Threading.Tasks;

            class Dispatcher
            {
                async Task DrainAsync(ConcurrentQueue<string> queue)
                {
                    while (queue.TryDequeue(out var message))
                    {
                        if (message.Length == 0)
                        {
                            return;
                        }

                        [|SendAsync|](message);
                    }

                    await Task.Yield();
                }

                static Task SendAsync(string message) => Task.CompletedTask;
            }
            """ + TaskGroupStub;
        return Verify<UnboundedSpawnInLoopAnalyzer>.CodeFixAsync<UnboundedSpawnInLoopCodeFix>(source, source, equivalenceKey: "GOV1001.TaskGroup");
    }

    [Fact]
    public Task NoTaskGroupFix_CallReadsACounterTheLoopChanges()
    {
        // SendAsync(page) reads page now; in GoAsync(_ => SendAsync(page)) it would read it when the unit starts.
        var source = """
            using System.Threading.Tasks;

            class Pager
            {
                async Task SendAllAsync(int[] pages)
                {
                    var page = 0;
                    while (page < pages.Length)
                    {
                        [|SendAsync|](pages[page]);
                        page++;
                    }

                    await Task.Yield();
                }

                static Task SendAsync(int page) => Task.CompletedTask;
            }
            """ + TaskGroupStub;
        return Verify<UnboundedSpawnInLoopAnalyzer>.CodeFixAsync<UnboundedSpawnInLoopCodeFix>(source, source, equivalenceKey: "GOV1001.TaskGroup");
    }

    [Fact]
    public Task Gate_EverySpawnStillRunsAndTheMethodWaits() => VerifyGateAsync("""
        using System.Collections.Generic;
        using System.Threading.Tasks;

        class Saga
        {
            async Task FinalizeAsync(List<int> incompleteAttempts, IEndpoint endpoint)
            {
                var ready = await endpoint.ReadyAsync().ConfigureAwait(false);
                foreach (var attemptId in incompleteAttempts)
                {
                    _ = [|endpoint.Send|](new FinalizeCommand
                    {
                        AttemptId = attemptId
                    });
                }
            }
        }

        interface IEndpoint
        {
            Task<bool> ReadyAsync();

            Task Send(FinalizeCommand command);
        }

        class FinalizeCommand
        {
            public int AttemptId { get; set; }
        }
        """, """
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading;
        using System.Threading.Tasks;

        class Saga
        {
            async Task FinalizeAsync(List<int> incompleteAttempts, IEndpoint endpoint)
            {
                var ready = await endpoint.ReadyAsync().ConfigureAwait(false);
                using (var gate = new SemaphoreSlim(Environment.ProcessorCount))
                {
                    await Task.WhenAll(incompleteAttempts.Select(async attemptId =>
                    {
                        await gate.WaitAsync().ConfigureAwait(false);
                        try
                        {
                            await endpoint.Send(new FinalizeCommand
                            {
                                AttemptId = attemptId
                            }).ConfigureAwait(false);
                        }
                        finally
                        {
                            gate.Release();
                        }
                    })).ConfigureAwait(false);
                }
            }
        }

        interface IEndpoint
        {
            Task<bool> ReadyAsync();

            Task Send(FinalizeCommand command);
        }

        class FinalizeCommand
        {
            public int AttemptId { get; set; }
        }
        """);
}
