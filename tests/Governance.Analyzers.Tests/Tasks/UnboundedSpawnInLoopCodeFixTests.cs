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
}
