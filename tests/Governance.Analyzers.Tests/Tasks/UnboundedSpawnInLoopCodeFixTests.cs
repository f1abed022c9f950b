using Governance.Analyzers.Tasks;
using Governance.Analyzers.Tests.Verifiers;

namespace Governance.Analyzers.Tests.Tasks;

public sealed class UnboundedSpawnInLoopCodeFixTests
{
    private static Task VerifyAsync(string source, string fixedSource)
        => Verify<UnboundedSpawnInLoopAnalyzer>.CodeFixAsync<UnboundedSpawnInLoopCodeFix>(source, fixedSource);

    [Fact]
    public Task Fix_TaskRunOfAsyncLambdaUsesTokenInScope() => VerifyAsync("""
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
                await Parallel.ForEachAsync(orders, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = ct }, async (order, ct) =>
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
                await Parallel.ForEachAsync(users, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, async (user, cancellationToken) => await SendAsync(user));
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
                await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, (item, cancellationToken) => { Handle(item); return ValueTask.CompletedTask; });

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
    public Task Fix_TaskGroupWrapsForeachAndPassesToken() => Verify<UnboundedSpawnInLoopAnalyzer>.CodeFixAsync<UnboundedSpawnInLoopCodeFix>("""
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
                await using (var group = new TaskGroup(Environment.ProcessorCount, ct))
                {
                    foreach (var order in orders)
                    {
                        await group.GoAsync(async ct => await ProcessAsync(order, ct));
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
                        await group.GoAsync(async cancellationToken => await SendAsync(trimmed));
                    }

                    await group.WaitAsync();
                }
            }

            static Task SendAsync(string message) => Task.CompletedTask;
        }
        """ + TaskGroupStub, equivalenceKey: "GOV1001.TaskGroup");
}
