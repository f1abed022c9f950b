using Governance.Analyzers.Tasks;
using Governance.Analyzers.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace Governance.Analyzers.Tests.Tasks;

public sealed class PollingWithDelayCodeFixTests
{
    private static DiagnosticResult Info(int location) => new DiagnosticResult(DiagnosticIds.PollingWithDelay, DiagnosticSeverity.Info).WithLocation(location);

    private static DiagnosticResult Warning(int location) => new DiagnosticResult(DiagnosticIds.PollingWithDelay, DiagnosticSeverity.Warning).WithLocation(location);

    private static Task VerifyAsync(string source, string fixedSource, params DiagnosticResult[] expected)
    {
        var test = new CodeFixTest<BackgroundLoopAnalyzer, PollingWithDelayCodeFix> { TestCode = source, FixedCode = fixedSource };

        // The messages are checked by the analyzer tests; here only where, and how severe.
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    /// <summary>The diagnostics stay: no fix is offered.</summary>
    private static Task VerifyNoFixAsync(string source, params DiagnosticResult[] expected)
    {
        var test = new CodeFixTest<BackgroundLoopAnalyzer, PollingWithDelayCodeFix> { TestCode = source, FixedCode = source };
        test.ExpectedDiagnostics.AddRange(expected);
        test.FixedState.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    [Fact]
    public Task Fix_LastStatementWithTokenIsReplacedInPlace() => VerifyAsync("""
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        class Poller
        {
            public async Task RunAsync(CancellationToken stoppingToken)
            {
                // Poll the store.
                while (!stoppingToken.IsCancellationRequested)
                {
                    Poll();
                    await {|#0:Task.Delay|}(TimeSpan.FromSeconds(5), stoppingToken).ConfigureAwait(false); // then wait
                }
            }

            private static void Poll() { }
        }
        """, """
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        class Poller
        {
            public async Task RunAsync(CancellationToken stoppingToken)
            {
                // Poll the store.
                using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
                while (!stoppingToken.IsCancellationRequested)
                {
                    Poll();
                    await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false); // then wait
                }
            }

            private static void Poll() { }
        }
        """, Info(0));

    [Fact]
    public Task Fix_FirstStatementMovesIntoTheCondition() => VerifyAsync("""
        using System.Threading;
        using System.Threading.Tasks;

        class Poller
        {
            private const int IntervalMs = 500;
            private bool _running = true;
            private bool _draining;

            public async Task RunAsync(CancellationToken token)
            {
                while (_running || _draining)
                {
                    await {|#0:Task.Delay|}(IntervalMs, token);

                    Poll();
                }
            }

            public async Task ForeverAsync(CancellationToken token)
            {
                while (true)
                {
                    await {|#1:Task.Delay|}(IntervalMs, token);
                    Poll();
                }
            }

            private static void Poll() { }
        }
        """, """
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        class Poller
        {
            private const int IntervalMs = 500;
            private bool _running = true;
            private bool _draining;

            public async Task RunAsync(CancellationToken token)
            {
                using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(IntervalMs));
                while ((_running || _draining) && await timer.WaitForNextTickAsync(token))
                {
                    Poll();
                }
            }

            public async Task ForeverAsync(CancellationToken token)
            {
                using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(IntervalMs));
                while (await timer.WaitForNextTickAsync(token))
                {
                    Poll();
                }
            }

            private static void Poll() { }
        }
        """, Info(0), Info(1));

    [Fact]
    public Task Fix_NoTokenTakesTheConditionsToken_AndSecondLoopGetsFreeName() => VerifyAsync("""
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        class Poller
        {
            private static readonly TimeSpan s_interval = TimeSpan.FromSeconds(1);

            public async Task RunAsync(CancellationToken stoppingToken)
            {
                while (!stoppingToken.IsCancellationRequested)
                {
                    Poll();
                    await {|#0:Task.Delay|}(s_interval);
                }

                while (!stoppingToken.IsCancellationRequested)
                {
                    Poll();
                    await {|#1:Task.Delay|}(s_interval);
                }
            }

            private static void Poll() { }
        }
        """, """
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        class Poller
        {
            private static readonly TimeSpan s_interval = TimeSpan.FromSeconds(1);

            public async Task RunAsync(CancellationToken stoppingToken)
            {
                using var timer = new PeriodicTimer(s_interval);
                while (!stoppingToken.IsCancellationRequested)
                {
                    Poll();
                    await timer.WaitForNextTickAsync(stoppingToken);
                }

                using var periodicTimer = new PeriodicTimer(s_interval);
                while (!stoppingToken.IsCancellationRequested)
                {
                    Poll();
                    await periodicTimer.WaitForNextTickAsync(stoppingToken);
                }
            }

            private static void Poll() { }
        }
        """, Warning(0), Warning(1));

    [Fact]
    public Task Fix_DoWhileInLambdaWithSourceField() => VerifyAsync("""
        using System.Threading;
        using System.Threading.Tasks;

        sealed class Poller
        {
            private readonly CancellationTokenSource _cts = new();
            private bool _running = true;

            public void Start()
            {
                _ = Task.Run(async () =>
                {
                    do
                    {
                        await {|#0:Task.Delay|}(1000, _cts.Token);
                        Poll();
                    }
                    while (_running);
                });
            }

            public void Stop() => _cts.Cancel();

            private static void Poll() { }
        }
        """, """
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        sealed class Poller
        {
            private readonly CancellationTokenSource _cts = new();
            private bool _running = true;

            public void Start()
            {
                _ = Task.Run(async () =>
                {
                    using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(1000));
                    do
                    {
                        await timer.WaitForNextTickAsync(_cts.Token);
                        Poll();
                    }
                    while (_running);
                });
            }

            public void Stop() => _cts.Cancel();

            private static void Poll() { }
        }
        """, Info(0));

    [Fact]
    public Task NoFix_DelayInTheMiddleInsideTryOrVaryingInterval() => VerifyNoFixAsync("""
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        class Poller
        {
            private TimeSpan _interval = TimeSpan.FromSeconds(1);

            public async Task MiddleAsync(CancellationToken token)
            {
                while (!token.IsCancellationRequested)
                {
                    Poll();
                    await {|#0:Task.Delay|}(1000, token);
                    Poll();
                }
            }

            public async Task InTryAsync(CancellationToken token)
            {
                while (!token.IsCancellationRequested)
                {
                    try
                    {
                        Poll();
                        await {|#1:Task.Delay|}(1000, token);
                    }
                    catch (InvalidOperationException)
                    {
                    }
                }
            }

            public async Task SettableIntervalAsync(CancellationToken token)
            {
                while (!token.IsCancellationRequested)
                {
                    Poll();
                    await {|#2:Task.Delay|}(_interval, token);
                }
            }

            private static void Poll() { }
        }
        """, Info(0), Info(1), Info(2));

    [Fact]
    public Task Fix_IntervalTheMethodChecksOrALocalDeclaredPositive() => VerifyAsync("""
        using System;
        using System.Diagnostics;
        using System.Threading;
        using System.Threading.Tasks;

        class Poller
        {
            public async Task CompactAsync(int frequencySecs, CancellationToken token)
            {
                Debug.Assert(frequencySecs > 0);
                while (!token.IsCancellationRequested)
                {
                    Poll();
                    await {|#0:Task.Delay|}(frequencySecs * 1000, token).ConfigureAwait(false);
                }
            }

            public async Task ScanAsync(CancellationToken token)
            {
                var interval = TimeSpan.FromSeconds(30);
                while (!token.IsCancellationRequested)
                {
                    Poll();
                    await {|#1:Task.Delay|}(interval, token).ConfigureAwait(false);
                }
            }

            private static void Poll() { }
        }
        """, """
        using System;
        using System.Diagnostics;
        using System.Threading;
        using System.Threading.Tasks;

        class Poller
        {
            public async Task CompactAsync(int frequencySecs, CancellationToken token)
            {
                Debug.Assert(frequencySecs > 0);
                using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(frequencySecs * 1000));
                while (!token.IsCancellationRequested)
                {
                    Poll();
                    await timer.WaitForNextTickAsync(token).ConfigureAwait(false);
                }
            }

            public async Task ScanAsync(CancellationToken token)
            {
                var interval = TimeSpan.FromSeconds(30);
                using var timer = new PeriodicTimer(interval);
                while (!token.IsCancellationRequested)
                {
                    Poll();
                    await timer.WaitForNextTickAsync(token).ConfigureAwait(false);
                }
            }

            private static void Poll() { }
        }
        """, Info(0), Info(1));

    [Fact]
    public Task NoFix_IntervalThatMayBeZero() => VerifyNoFixAsync("""
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        class Poller
        {
            private readonly TimeSpan _gossipDelay;

            public Poller(int seconds) => _gossipDelay = TimeSpan.FromSeconds(seconds);

            public async Task GossipAsync(CancellationToken token)
            {
                while (!token.IsCancellationRequested)
                {
                    Poll();
                    await {|#0:Task.Delay|}(_gossipDelay, token);
                }
            }

            public async Task RunAsync(int delayMs, CancellationToken token)
            {
                while (!token.IsCancellationRequested)
                {
                    Poll();
                    await {|#1:Task.Delay|}(delayMs, token);
                }
            }

            private static void Poll() { }
        }
        """, Info(0), Info(1));

    [Fact]
    public Task NoFix_LoopInTryThatCatchesTaskCanceled() => VerifyNoFixAsync("""
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        class Poller
        {
            public async Task CollectAsync(CancellationToken token)
            {
                try
                {
                    while (!token.IsCancellationRequested)
                    {
                        Poll();
                        await {|#0:Task.Delay|}(TimeSpan.FromSeconds(10), token);
                    }
                }
                catch (TaskCanceledException) when (token.IsCancellationRequested)
                {
                }
                catch (Exception)
                {
                    Console.Error.WriteLine("collection stopped");
                }
            }

            private static void Poll() { }
        }
        """, Info(0));

    [Fact]
    public Task NoFix_NoTokenAnywhere() => VerifyNoFixAsync("""
        using System.Threading.Tasks;

        class Poller
        {
            private volatile bool _running = true;

            public async Task RunAsync()
            {
                while (_running)
                {
                    Poll();
                    await {|#0:Task.Delay|}(1000);
                }
            }

            private static void Poll() { }
        }
        """, Warning(0));
}
