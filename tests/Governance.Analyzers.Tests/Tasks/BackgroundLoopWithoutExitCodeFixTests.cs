using Governance.Analyzers.Tasks;
using Governance.Analyzers.Tests.Verifiers;

namespace Governance.Analyzers.Tests.Tasks;

public sealed class BackgroundLoopWithoutExitCodeFixTests
{
    private const string OnlyGov1003 = "root = true\n\n[*.cs]\ndotnet_diagnostic.GOV1004.severity = none\n";

    private static Task VerifyAsync(string source, string fixedSource)
    {
        var test = new CodeFixTest<BackgroundLoopAnalyzer, BackgroundLoopWithoutExitCodeFix> { TestCode = source, FixedCode = fixedSource };
        Verify<BackgroundLoopAnalyzer>.AddConfig(test.TestState, OnlyGov1003);
        Verify<BackgroundLoopAnalyzer>.AddConfig(test.FixedState, OnlyGov1003);
        Verify<BackgroundLoopAnalyzer>.AddConfig(test.BatchFixedState, OnlyGov1003);
        return test.RunAsync();
    }

    private static Task VerifyNoFixAsync(string source) => VerifyAsync(source, source);

    [Fact]
    public Task Fix_WhileTrueObservesTokenParameter() => VerifyAsync("""
        using System.Threading;
        using System.Threading.Tasks;

        class Pump
        {
            public async Task RunAsync(CancellationToken stoppingToken)
            {
                // Pump forever.
                {|GOV1003:while|} (true) // the loop
                {
                    await Task.Delay(1000);
                }
            }
        }
        """, """
        using System.Threading;
        using System.Threading.Tasks;

        class Pump
        {
            public async Task RunAsync(CancellationToken stoppingToken)
            {
                // Pump forever.
                while (!stoppingToken.IsCancellationRequested) // the loop
                {
                    await Task.Delay(1000);
                }
            }
        }
        """);

    [Fact]
    public Task Fix_ForEverBecomesWhileInLambdaCapturingOuterToken() => VerifyAsync("""
        using System.Threading;
        using System.Threading.Tasks;

        class Pump
        {
            public void Start(CancellationToken token)
            {
                _ = Task.Run(() =>
                {
                    {|GOV1003:for|} (;;)
                    {
                        Thread.Sleep(10);
                    }
                });
            }
        }
        """, """
        using System.Threading;
        using System.Threading.Tasks;

        class Pump
        {
            public void Start(CancellationToken token)
            {
                _ = Task.Run(() =>
                {
                    while (!token.IsCancellationRequested)
                    {
                        Thread.Sleep(10);
                    }
                });
            }
        }
        """);

    [Fact]
    public Task Fix_DoWhileAndCountingForUseTokenSourceFieldTheTypeCancels() => VerifyAsync("""
        using System.Threading;
        using System.Threading.Tasks;

        sealed class Pump
        {
            private readonly CancellationTokenSource _stopping = new();
            private int _turns;

            public async Task RunAsync()
            {
                {|GOV1003:do|}
                {
                    await Task.Yield();
                }
                while (true);
            }

            public async Task CountAsync()
            {
                {|GOV1003:for|} (var i = 0; ; i++)
                {
                    _turns = i;
                    await Task.Yield();
                }
            }

            public void Stop() => _stopping.Cancel();
        }
        """, """
        using System.Threading;
        using System.Threading.Tasks;

        sealed class Pump
        {
            private readonly CancellationTokenSource _stopping = new();
            private int _turns;

            public async Task RunAsync()
            {
                do
                {
                    await Task.Yield();
                }
                while (!_stopping.IsCancellationRequested);
            }

            public async Task CountAsync()
            {
                for (var i = 0; !_stopping.IsCancellationRequested; i++)
                {
                    _turns = i;
                    await Task.Yield();
                }
            }

            public void Stop() => _stopping.Cancel();
        }
        """);

    [Fact]
    public Task Fix_AddsTokenParameterWhenNoneInScope_FixAllSharesIt() => VerifyAsync("""
        using System.Threading.Tasks;

        class Reconciler
        {
            public async Task ReconcileForeverAsync(int batch)
            {
                {|GOV1003:while|} (true)
                {
                    await Task.Delay(batch);
                }
            }

            public async Task TwoLoopsAsync()
            {
                {|GOV1003:while|} (true)
                {
                    await Task.Delay(1);
                }

                {|GOV1003:while|} (true)
                {
                    await Task.Delay(2);
                }
            }
        }
        """, """
        using System.Threading;
        using System.Threading.Tasks;

        class Reconciler
        {
            public async Task ReconcileForeverAsync(int batch, CancellationToken cancellationToken = default)
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    await Task.Delay(batch);
                }
            }

            public async Task TwoLoopsAsync(CancellationToken cancellationToken = default)
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    await Task.Delay(1);
                }

                while (!cancellationToken.IsCancellationRequested)
                {
                    await Task.Delay(2);
                }
            }
        }
        """);

    [Fact]
    public Task Fix_AddsTokenParameterToMethodAroundLambda_OnePerLine() => VerifyAsync("""
        using System.Threading.Tasks;

        class Pump
        {
            public Task StartAsync(
                string name,
                int period)
            {
                return Task.Run(async () =>
                {
                    {|GOV1003:while|} (true)
                    {
                        await Task.Delay(period);
                    }
                });
            }
        }
        """, """
        using System.Threading;
        using System.Threading.Tasks;

        class Pump
        {
            public Task StartAsync(
                string name,
                int period,
                CancellationToken cancellationToken = default)
            {
                return Task.Run(async () =>
                {
                    while (!cancellationToken.IsCancellationRequested)
                    {
                        await Task.Delay(period);
                    }
                });
            }
        }
        """);

    [Fact]
    public Task NoFix_OverrideInterfaceImplementationEventHandlerOrMethodGroup() => VerifyNoFixAsync("""
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        interface IRunner
        {
            Task RunAsync();
        }

        abstract class Base
        {
            public abstract Task ExecuteAsync();
        }

        class Pump : Base, IRunner
        {
            public async Task RunAsync()
            {
                {|GOV1003:while|} (true)
                {
                    await Task.Delay(1);
                }
            }

            public override async Task ExecuteAsync()
            {
                {|GOV1003:while|} (true)
                {
                    await Task.Delay(1);
                }
            }

            public async void OnStarted(object sender, EventArgs e)
            {
                {|GOV1003:while|} (true)
                {
                    await Task.Delay(1);
                }
            }

            public void Start() => new Thread(Loop).Start();

            private void Loop()
            {
                {|GOV1003:while|} (true)
                {
                    Thread.Sleep(1);
                }
            }
        }
        """);

    [Fact]
    public Task NoFix_TwoTokensEquallyNearOrStaticLambda() => VerifyNoFixAsync("""
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        class Pump
        {
            public async Task RunAsync(CancellationToken a, CancellationToken b)
            {
                {|GOV1003:while|} (true)
                {
                    await Task.Delay(1);
                }
            }

            public Func<Task> Create(CancellationToken token) => static async () =>
            {
                {|GOV1003:while|} (true)
                {
                    await Task.Delay(1);
                }
            };
        }
        """);
}
