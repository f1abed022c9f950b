using Governance.Analyzers.Tasks;
using Governance.Analyzers.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace Governance.Analyzers.Tests.Tasks;

public sealed class PollingWithDelayAnalyzerTests
{
    private static Task VerifyAsync(params string[] sources) => Verify<BackgroundLoopAnalyzer>.AnalyzerAsync(sources);

    private static DiagnosticResult Warning() => new DiagnosticResult(DiagnosticIds.PollingWithDelay, DiagnosticSeverity.Warning);

    private static DiagnosticResult Info() => new DiagnosticResult(DiagnosticIds.PollingWithDelay, DiagnosticSeverity.Info);

    private static Task VerifyAsync(string source, params DiagnosticResult[] expected)
    {
        var test = new Verifiers.AnalyzerTest<BackgroundLoopAnalyzer> { TestCode = source };
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    [Fact]
    public Task Reports_InfoForDelayWithTokenInCancellationLoop() => VerifyAsync("""
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        class Poller
        {
            public async Task RunAsync(CancellationToken stoppingToken)
            {
                while (!stoppingToken.IsCancellationRequested)
                {
                    Poll();
                    await {|#0:Task.Delay|}(TimeSpan.FromSeconds(5), stoppingToken);
                }
            }

            private static void Poll() { }
        }
        """, Info().WithLocation(0).WithArguments("'while' loop polls with Task.Delay: a PeriodicTimer keeps one timer for the loop's lifetime, does not drift by the time the work takes, and stops with its token"));

    [Fact]
    public Task Reports_WarningForDelayWithoutTokenInCancellationLoop() => VerifyAsync("""
        using System.Threading;
        using System.Threading.Tasks;

        class Poller
        {
            public async Task RunAsync(CancellationToken stoppingToken)
            {
                while (!stoppingToken.IsCancellationRequested)
                {
                    Poll();
                    await {|#0:Task.Delay|}(5000).ConfigureAwait(false);
                }
            }

            private static void Poll() { }
        }
        """, Warning().WithLocation(0).WithArguments("'while' loop polls with Task.Delay and gives it no cancellation token: nothing can end the wait, so stopping the loop waits out the delay"));

    [Fact]
    public Task Reports_WarningForNoneOrDefaultToken() => VerifyAsync("""
        using System.Threading;
        using System.Threading.Tasks;

        class Poller
        {
            private bool _running = true;

            public async Task NoneAsync()
            {
                while (_running)
                {
                    Poll();
                    await {|#0:Task.Delay|}(1000, CancellationToken.None);
                }
            }

            public async Task DefaultAsync()
            {
                while (_running)
                {
                    Poll();
                    await {|#1:Task.Delay|}(1000, default);
                }
            }

            private static void Poll() { }
        }
        """, Warning().WithLocation(0).WithArguments(NoTokenMessage), Warning().WithLocation(1).WithArguments(NoTokenMessage));

    private const string NoTokenMessage = "'while' loop polls with Task.Delay and gives it no cancellation token: nothing can end the wait, so stopping the loop waits out the delay";

    private const string TokenMessage = "'while' loop polls with Task.Delay: a PeriodicTimer keeps one timer for the loop's lifetime, does not drift by the time the work takes, and stops with its token";

    [Fact]
    public Task Reports_WhileTrueWithExitOnStop() => VerifyAsync("""
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        class Poller
        {
            private bool _disposed;

            public async Task RunAsync(CancellationToken token)
            {
                while (true)
                {
                    if (_disposed)
                    {
                        return;
                    }

                    try
                    {
                        Poll();
                    }
                    catch (Exception)
                    {
                        return;
                    }

                    await {|#0:Task.Delay|}(1000);
                }
            }

            private static void Poll() { }
        }
        """, Warning().WithLocation(0).WithArguments(NoTokenMessage));

    [Fact]
    public Task Reports_WhileTrueWithTokenInsteadOfGov1003() => VerifyAsync("""
        using System.Threading;
        using System.Threading.Tasks;

        class Poller
        {
            public async Task RunAsync(CancellationToken token)
            {
                while (true)
                {
                    await PollAsync();
                    await {|#0:Task.Delay|}(1000, token).ConfigureAwait(false);
                }
            }

            private static Task PollAsync() => Task.CompletedTask;
        }
        """, Info().WithLocation(0).WithArguments(TokenMessage));

    [Fact]
    public Task Reports_InAsyncLambdaAndFlagConditions() => VerifyAsync("""
        using System.Threading;
        using System.Threading.Tasks;

        class Poller
        {
            private volatile bool _stopping;
            private int _state;
            private Task? _loop;

            public void Start(CancellationToken token)
            {
                _loop = Task.Run(async () =>
                {
                    while (!_stopping && !token.IsCancellationRequested)
                    {
                        Poll();
                        await {|#0:Task.Delay|}(250, token);
                    }
                });
            }

            public async Task StateAsync()
            {
                while (Volatile.Read(ref _state) != 2)
                {
                    Poll();
                    await {|#1:Task.Delay|}(250);
                }
            }

            private static void Poll() { }
        }
        """, Info().WithLocation(0).WithArguments(TokenMessage), Warning().WithLocation(1).WithArguments(NoTokenMessage));

    [Fact]
    public Task Reports_OncePerLoop_AtTheDelayWithoutToken() => VerifyAsync("""
        using System.Threading;
        using System.Threading.Tasks;

        class Poller
        {
            private bool _fast;

            public async Task RunAsync(CancellationToken token)
            {
                while (!token.IsCancellationRequested)
                {
                    Poll();
                    if (_fast)
                    {
                        await Task.Delay(100, token);
                    }
                    else
                    {
                        await {|#0:Task.Delay|}(5000);
                    }
                }
            }

            private static void Poll() { }
        }
        """, Warning().WithLocation(0).WithArguments(NoTokenMessage));

    [Fact]
    public Task NoReport_PauseAfterErrorOrWhenTheQueueWasEmpty() => VerifyAsync("""
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        class QueueReader
        {
            public async Task RunAsync(CancellationToken cancellationToken)
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    try
                    {
                        var messages = await ReceiveAsync(cancellationToken);
                        if (messages.Length > 0)
                        {
                            Handle(messages);
                        }
                        else
                        {
                            await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
                        }
                    }
                    catch (Exception)
                    {
                        await Task.Delay(TimeSpan.FromSeconds(5));
                    }
                }
            }

            private static Task<string[]> ReceiveAsync(CancellationToken token) => Task.FromResult(Array.Empty<string>());

            private static void Handle(string[] messages) { }
        }
        """);

    [Fact]
    public Task NoReport_LoopReportedByGov1003() => VerifyAsync("""
        using System.Threading.Tasks;

        class Poller
        {
            public async Task RunAsync()
            {
                {|GOV1003:while|} (true)
                {
                    Poll();
                    await Task.Delay(1000);
                }
            }

            private static void Poll() { }
        }
        """);

    [Fact]
    public Task NoReport_BackOffDependsOnVariableChangedInLoop() => VerifyAsync("""
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        class Poller
        {
            private static readonly Random s_random = new();

            public async Task DoubledAsync(CancellationToken token)
            {
                var delay = 100;
                while (!token.IsCancellationRequested)
                {
                    Poll();
                    await Task.Delay(delay);
                    delay = Math.Min(delay * 2, 10_000);
                }
            }

            public async Task AttemptAsync(CancellationToken token)
            {
                var attempt = 0;
                while (!token.IsCancellationRequested)
                {
                    Poll();
                    attempt++;
                    await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), token);
                }
            }

            public async Task ComputedInIterationAsync(CancellationToken token)
            {
                while (!token.IsCancellationRequested)
                {
                    var next = Poll();
                    await Task.Delay(next, token);
                }
            }

            public async Task JitterAsync(CancellationToken token)
            {
                while (!token.IsCancellationRequested)
                {
                    Poll();
                    await Task.Delay(1000 + s_random.Next(500), token);
                }
            }

            private static int Poll() => 1;
        }
        """);

    [Fact]
    public Task NoReport_DelayOnlyWhenTheLastTurnFoundNoWork() => VerifyAsync("""
        using System.Threading;
        using System.Threading.Tasks;

        class Cleaner
        {
            public async Task RunAsync(CancellationToken stoppingToken)
            {
                var removed = 0;
                while (!stoppingToken.IsCancellationRequested)
                {
                    if (removed == 0)
                        await Task.Delay(1000, stoppingToken);

                    removed = await CleanAsync(stoppingToken);
                }
            }

            private static Task<int> CleanAsync(CancellationToken token) => Task.FromResult(0);
        }
        """);

    [Fact]
    public Task NoReport_RetryAndWaitUntilLoops() => VerifyAsync("""
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        class Client
        {
            private bool _ready;

            public async Task CountedRetryAsync()
            {
                for (var i = 0; i < 3; i++)
                {
                    try
                    {
                        await SendAsync();
                        return;
                    }
                    catch (InvalidOperationException)
                    {
                        await Task.Delay(100);
                    }
                }
            }

            public async Task RetryUntilSuccessAsync(CancellationToken token)
            {
                while (!token.IsCancellationRequested)
                {
                    try
                    {
                        await SendAsync();
                        break;
                    }
                    catch (InvalidOperationException)
                    {
                    }

                    await Task.Delay(1000, token);
                }
            }

            public async Task WaitUntilReadyAsync()
            {
                while (!_ready)
                {
                    await Task.Delay(100);
                }
            }

            public async Task WaitUntilLocalAsync()
            {
                var done = false;
                while (!done)
                {
                    done = await TryAsync();
                    await Task.Delay(100);
                }
            }

            public async Task WaitUntilCallAsync()
            {
                while (!await TryAsync())
                {
                    await SendAsync();
                    await Task.Delay(100);
                }
            }

            public async Task OverItemsAsync(int[] items)
            {
                foreach (var item in items)
                {
                    await SendAsync();
                    await Task.Delay(100);
                }
            }

            public async Task WaitForCancellationAsync(CancellationToken token)
            {
                while (!token.IsCancellationRequested)
                {
                    await SendAsync();
                    await Task.Delay(Timeout.Infinite, token);
                }
            }

            private static Task SendAsync() => Task.CompletedTask;

            private static Task<bool> TryAsync() => Task.FromResult(true);
        }
        """);

    [Fact]
    public Task NoReport_DelayInNestedLambdaOrNestedLoop() => VerifyAsync("""
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        class Poller
        {
            public async Task RunAsync(CancellationToken token)
            {
                while (!token.IsCancellationRequested)
                {
                    Func<Task> later = async () => await Task.Delay(1000);
                    await later();
                    for (var i = 0; i < 3; i++)
                    {
                        await Task.Delay(100);
                    }
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_MainIteratorAndUserTask() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Threading;

        namespace App
        {
            static class Program
            {
                private static bool s_running = true;

                static async System.Threading.Tasks.Task Main()
                {
                    while (s_running)
                    {
                        System.Console.WriteLine("tick");
                        Work();
                        await System.Threading.Tasks.Task.Delay(1000);
                    }
                }

                static void Work() { }
            }

            class Feed
            {
                private bool _running = true;

                public async IAsyncEnumerable<int> TicksAsync()
                {
                    while (_running)
                    {
                        yield return 1;
                        await System.Threading.Tasks.Task.Delay(1000);
                    }
                }
            }

            static class Task
            {
                public static System.Threading.Tasks.Task Delay(int milliseconds) => System.Threading.Tasks.Task.CompletedTask;
            }

            class Poller
            {
                private bool _running = true;

                public async System.Threading.Tasks.Task RunAsync()
                {
                    while (_running)
                    {
                        Work();
                        await Task.Delay(1000);
                    }
                }

                static void Work() { }
            }
        }
        """);

    [Fact]
    public Task NoReport_TestProjectUnlessOptedIn() => VerifyTestProjectAsync(optIn: false);

    [Fact]
    public Task Reports_TestProjectWhenOptedIn() => VerifyTestProjectAsync(optIn: true);

    private static Task VerifyTestProjectAsync(bool optIn)
    {
        var test = new Verifiers.AnalyzerTest<BackgroundLoopAnalyzer>
        {
            TestCode = $$"""
                using System.Threading;
                using System.Threading.Tasks;

                class FakeServer
                {
                    public async Task RunAsync(CancellationToken token)
                    {
                        while (!token.IsCancellationRequested)
                        {
                            Serve();
                            await {|#0:Task.Delay|}(10);
                        }
                    }

                    private static void Serve() { }
                }
                """,
        };
        test.SolutionTransforms.Add((solution, projectId) => solution.WithProjectAssemblyName(projectId, "Orders.Tests"));
        if (optIn)
        {
            Verify<BackgroundLoopAnalyzer>.AddConfig(test.TestState, "root = true\n\n[*.cs]\ngovernance.GOV1004.include_test_projects = true\n");
            test.ExpectedDiagnostics.Add(Warning().WithLocation(0).WithArguments(NoTokenMessage));
        }

        return test.RunAsync();
    }

    [Fact]
    public Task NoReport_IncompleteCode() => VerifyAsync("""
        using System.Threading;
        using System.Threading.Tasks;

        class Poller
        {
            public async Task MissingIntervalAsync(CancellationToken t)
            {
                while (!t.IsCancellationRequested)
                {
                    Poll();
                    await Task.Delay({|CS0839:,|} t);
                }
            }

            public async Task NoArgumentsAsync(CancellationToken t)
            {
                while (!t.IsCancellationRequested)
                {
                    Poll();
                    await Task.{|CS1501:Delay|}();
                }
            }

            public async Task TokenThatDoesNotBindAsync(CancellationToken t)
            {
                // A token is given, even if it does not bind: the rule does not guess at a warning.
                while (!t.IsCancellationRequested)
                {
                    Poll();
                    await Task.Delay(1000, {|CS0103:tok|});
                }
            }

            private static void Poll() { }
        }
        """);
}
