using Governance.Analyzers.Tasks;
using Governance.Analyzers.Tests.Verifiers;

namespace Governance.Analyzers.Tests.Tasks;

public sealed class BackgroundLoopWithoutExitAnalyzerTests
{
    // One analyzer reports GOV1003 and GOV1004; these tests look at GOV1003, with GOV1004 turned off.
    private const string OnlyGov1003 = "root = true\n\n[*.cs]\ndotnet_diagnostic.GOV1004.severity = none\n";

    private static Task VerifyAsync(params string[] sources)
        => Verify<BackgroundLoopAnalyzer>.AnalyzerWithConfigAsync(OnlyGov1003, sources);

    /// <summary>Top-level statements compile only in an executable.</summary>
    private static Task VerifyProgramAsync(string source)
    {
        var test = new AnalyzerTest<BackgroundLoopAnalyzer>();
        test.TestState.Sources.Add(source);
        test.TestState.OutputKind = Microsoft.CodeAnalysis.OutputKind.ConsoleApplication;
        Verify<BackgroundLoopAnalyzer>.AddConfig(test.TestState, OnlyGov1003);
        return test.RunAsync();
    }

    [Fact]
    public Task Reports_WhileTrueInAsyncMethod() => VerifyAsync("""
        using System.Threading.Tasks;

        class Reconciler
        {
            public async Task ReconcileForeverAsync()
            {
                {|GOV1003:while|} (true)
                {
                    await ReconcileAsync();
                    await Task.Delay(5000);
                }
            }

            private static Task ReconcileAsync() => Task.CompletedTask;
        }
        """);

    [Fact]
    public Task Reports_ForEverInAsyncMethod() => VerifyAsync("""
        using System.Threading.Tasks;

        class Pump
        {
            public async Task RunAsync()
            {
                {|GOV1003:for|} (;;)
                {
                    await Task.Yield();
                }
            }
        }
        """);

    [Fact]
    public Task Reports_DoWhileTrueInAsyncMethod() => VerifyAsync("""
        using System.Threading.Tasks;

        class Pump
        {
            public async ValueTask RunAsync()
            {
                {|GOV1003:do|}
                {
                    await Task.Yield();
                }
                while (true);
            }
        }
        """);

    [Fact]
    public Task Reports_WhileTrueInAsyncLambda() => VerifyAsync("""
        using System;
        using System.Threading.Tasks;

        class Pump
        {
            public Func<Task> Create() => async () =>
            {
                {|GOV1003:while|} (true)
                {
                    await Task.Delay(100);
                }
            };
        }
        """);

    [Fact]
    public Task Reports_SyncLambdaGivenToTaskRun() => VerifyAsync("""
        using System.Threading;
        using System.Threading.Tasks;

        class Pump
        {
            private int _ticks;

            public void Start()
            {
                Task.Run(() =>
                {
                    {|GOV1003:while|} (true)
                    {
                        Interlocked.Increment(ref _ticks);
                        Thread.Sleep(1000);
                    }
                });
            }
        }
        """);

    [Fact]
    public Task Reports_SyncLambdaGivenToStartNew() => VerifyAsync("""
        using System.Threading;
        using System.Threading.Tasks;

        class Pump
        {
            public void Start()
            {
                Task.Factory.StartNew(() =>
                {
                    {|GOV1003:for|} (;;)
                    {
                        Thread.Sleep(1000);
                    }
                }, TaskCreationOptions.LongRunning);
            }
        }
        """);

    [Fact]
    public Task Reports_SyncLambdaGivenToNewThread() => VerifyAsync("""
        using System.Threading;

        class Pump
        {
            public void Start()
            {
                new Thread(() =>
                {
                    {|GOV1003:while|} (true)
                    {
                        Thread.Sleep(1000);
                    }
                }) { IsBackground = true }.Start();

                new Thread(new ThreadStart(() =>
                {
                    {|GOV1003:while|} (true)
                    {
                        Thread.Sleep(1000);
                    }
                })).Start();
            }
        }
        """);

    [Fact]
    public Task Reports_SyncMethodGivenToThreadAsMethodGroup() => VerifyAsync("""
        using System.Threading;

        class Pump
        {
            private Thread? _thread;

            public void Start()
            {
                _thread = new Thread(Run) { IsBackground = true };
                _thread.Start();
            }

            private void Run()
            {
                {|GOV1003:while|} (true)
                {
                    Thread.Sleep(1000);
                }
            }
        }
        """);

    [Fact]
    public Task Reports_SyncMethodCalledByLambdaGivenToTaskRun_InOtherPartial() => VerifyAsync("""
        using System.Threading.Tasks;

        partial class Pump
        {
            public void Start() => Task.Run(() => Drain());
        }
        """, """
        using System.Threading;

        partial class Pump
        {
            private void Drain()
            {
                {|GOV1003:while|} (true)
                {
                    Thread.Sleep(1000);
                }
            }
        }
        """);

    [Fact]
    public Task Reports_SyncLocalFunctionGivenToThread() => VerifyAsync("""
        using System.Threading;

        class Pump
        {
            public void Start()
            {
                new Thread(Loop).Start();

                void Loop()
                {
                    {|GOV1003:while|} (true)
                    {
                        Thread.Sleep(10);
                    }
                }
            }
        }
        """);

    [Fact]
    public Task Reports_AsyncLocalFunction() => VerifyAsync("""
        using System.Threading.Tasks;

        class Pump
        {
            public Task StartAsync()
            {
                return LoopAsync();

                static async Task LoopAsync()
                {
                    {|GOV1003:while|} (true)
                    {
                        await Task.Delay(10);
                    }
                }
            }
        }
        """);

    [Fact]
    public Task Reports_BreakOnlyInNestedLoopOrSwitch() => VerifyAsync("""
        using System.Threading.Tasks;

        class Pump
        {
            public async Task RunAsync(int[] items)
            {
                {|GOV1003:while|} (true)
                {
                    foreach (var item in items)
                    {
                        if (item < 0)
                        {
                            break;
                        }
                    }

                    switch (items.Length)
                    {
                        case 0:
                            break;
                        default:
                            await Task.Delay(10);
                            break;
                    }
                }
            }
        }
        """);

    [Fact]
    public Task Reports_ReturnOrYieldBreakOnlyInNestedLambdaOrLocalFunction() => VerifyAsync("""
        using System;
        using System.Collections.Generic;
        using System.Threading.Tasks;

        class Pump
        {
            public async Task RunAsync()
            {
                {|GOV1003:while|} (true)
                {
                    Func<int, bool> check = x =>
                    {
                        return x > 0;
                    };

                    IEnumerable<int> Numbers()
                    {
                        yield return 1;
                        yield break;
                    }

                    foreach (var n in Numbers())
                    {
                        check(n);
                    }

                    await Task.Delay(10);
                }
            }
        }
        """);

    [Fact]
    public Task Reports_CallThatMayThrowIsNoExit() => VerifyAsync("""
        using System.Threading.Tasks;

        class Pump
        {
            public async Task RunAsync()
            {
                {|GOV1003:while|} (true)
                {
                    await ProcessAsync();
                    Validate();
                }
            }

            private static Task ProcessAsync() => Task.CompletedTask;

            private static void Validate() => throw new System.InvalidOperationException();
        }
        """);

    [Fact]
    public Task Reports_ThrowSwallowedByCatchAllInsideLoop() => VerifyAsync("""
        using System;
        using System.Threading.Tasks;

        class Pump
        {
            public async Task RunAsync()
            {
                {|GOV1003:while|} (true)
                {
                    try
                    {
                        await Task.Delay(10);
                        throw new InvalidOperationException();
                    }
                    catch (Exception)
                    {
                    }
                }
            }
        }
        """);

    [Fact]
    public Task Reports_TokenNoneOrDefaultIsNoCancellation() => VerifyAsync("""
        using System.Threading;
        using System.Threading.Tasks;

        class Pump
        {
            public async Task RunAsync()
            {
                {|GOV1003:while|} (true)
                {
                    await Task.Delay(100, CancellationToken.None);
                    await Task.Delay(100, default);
                    await Task.Delay(100, default(CancellationToken));
                    await Task.Delay(100, new CancellationToken());
                }
            }
        }
        """);

    [Fact]
    public Task Reports_TokenPassedOnlyInsideNestedLambda() => VerifyAsync("""
        using System.Threading;
        using System.Threading.Tasks;

        class Pump
        {
            public async Task RunAsync(CancellationToken token)
            {
                {|GOV1003:while|} (true)
                {
                    await Task.Delay(100);
                    _ = Task.Run(() => token.ThrowIfCancellationRequested());
                }
            }
        }
        """);

    [Fact]
    public Task Reports_AsyncVoidEventLoop() => VerifyAsync("""
        using System.Threading.Tasks;

        class Pump
        {
            public async void Start()
            {
                {|GOV1003:while|} (true)
                {
                    await Task.Delay(1000);
                }
            }
        }
        """);

    [Fact]
    public Task Reports_AsyncCallbackLambdaInTopLevelStatements() => VerifyProgramAsync("""
        using System;
        using System.Threading.Tasks;

        Func<Task> handler = async () =>
        {
            {|GOV1003:while|} (true)
            {
                await Task.Delay(1000);
            }
        };
        await handler();
        """);

    [Fact]
    public Task NoReport_BreakReturnThrowOrGotoLeaveTheLoop() => VerifyAsync("""
        using System;
        using System.Threading.Tasks;

        class Pump
        {
            private bool _disposed;
            private bool _stop;

            public async Task BreakAsync()
            {
                while (true)
                {
                    await Task.Delay(10);
                    if (_stop)
                    {
                        break;
                    }
                }
            }

            public async Task ReturnAsync()
            {
                while (true)
                {
                    if (_disposed)
                    {
                        return;
                    }

                    await Task.Delay(10);
                }
            }

            public async Task ThrowAsync()
            {
                for (;;)
                {
                    await Task.Delay(10);
                    if (_disposed)
                    {
                        throw new ObjectDisposedException(nameof(Pump));
                    }
                }
            }

            public async Task GotoAsync()
            {
                do
                {
                    await Task.Delay(10);
                    if (_stop)
                    {
                        goto done;
                    }
                }
                while (true);
            done:
                Console.WriteLine("done");
            }

            public async Task RethrowAsync()
            {
                while (true)
                {
                    try
                    {
                        await Task.Delay(10);
                    }
                    catch (Exception)
                    {
                        throw;
                    }
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_BreakFromCatchOfOperationCanceled() => VerifyAsync("""
        using System;
        using System.Threading.Tasks;

        class Pump
        {
            public async Task RunAsync(Func<Task> receive)
            {
                while (true)
                {
                    try
                    {
                        await receive();
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_CancellationObserved() => VerifyAsync("""
        using System.Threading;
        using System.Threading.Tasks;

        class Pump
        {
            private readonly CancellationTokenSource _cts = new();

            public async Task CheckAsync(CancellationToken token)
            {
                while (true)
                {
                    if (token.IsCancellationRequested)
                    {
                        Cleanup();
                    }

                    await Task.Yield();
                }
            }

            public async Task ThrowIfAsync(CancellationToken token)
            {
                while (true)
                {
                    token.ThrowIfCancellationRequested();
                    await Task.Yield();
                }
            }

            public async Task PassedAsync(CancellationToken token)
            {
                for (;;)
                {
                    await Task.Delay(1000, token);
                }
            }

            public async Task SourceAsync()
            {
                while (true)
                {
                    await Task.Delay(1000, _cts.Token).ConfigureAwait(false);
                }
            }

            private static void Cleanup() { }
        }
        """);

    [Fact]
    public Task NoReport_TokenGivenToBlockingOrReceivingCall() => VerifyAsync("""
        using System.Collections.Concurrent;
        using System.Net.Sockets;
        using System.Threading;
        using System.Threading.Tasks;

        class Pump
        {
            private readonly BlockingCollection<int> _queue = new();
            private readonly SemaphoreSlim _signal = new(0);

            public void Start(CancellationToken token)
            {
                Task.Run(() =>
                {
                    while (true)
                    {
                        Handle(_queue.Take(token));
                    }
                });
            }

            public async Task SignalAsync(CancellationToken token)
            {
                while (true)
                {
                    await _signal.WaitAsync(token);
                }
            }

            public async Task ReceiveAsync(Socket socket, CancellationToken token)
            {
                var buffer = new byte[1024];
                while (true)
                {
                    var read = await socket.ReceiveAsync(buffer, SocketFlags.None, token);
                    Handle(read);
                }
            }

            private static void Handle(int item) { }
        }
        """);

    [Fact]
    public Task NoReport_AwaitForeachWithCancellation() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;

        class Pump
        {
            public async Task RunAsync(IAsyncEnumerable<int> source, CancellationToken token)
            {
                while (true)
                {
                    await foreach (var item in source.WithCancellation(token))
                    {
                    }
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_ChannelReadsEndWhenTheChannelCompletes() => VerifyAsync("""
        using System.Threading.Channels;
        using System.Threading.Tasks;

        class Pump
        {
            private readonly Channel<int> _channel = Channel.CreateBounded<int>(10);

            public async Task ReadAsync()
            {
                while (true)
                {
                    var item = await _channel.Reader.ReadAsync();
                }
            }

            public async Task WaitToReadAsync()
            {
                while (true)
                {
                    await _channel.Reader.WaitToReadAsync();
                    _channel.Reader.TryRead(out _);
                }
            }

            public async Task ReadAllAsync()
            {
                while (true)
                {
                    await foreach (var item in _channel.Reader.ReadAllAsync())
                    {
                    }
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_LoopInsideTryCatchingTheStopException() => VerifyAsync("""
        using System;
        using System.Threading;

        class Pump
        {
            private Thread? _thread;

            public void Start()
            {
                _thread = new Thread(() =>
                {
                    try
                    {
                        while (true)
                        {
                            Thread.Sleep(1000);
                        }
                    }
                    catch (ThreadInterruptedException)
                    {
                    }
                });
                _thread.Start();
            }

            public void Stop() => _thread?.Interrupt();
        }
        """);

    [Fact]
    public Task NoReport_LoopInsideTryCatchingDisposalOrCancellation() => VerifyAsync("""
        using System;
        using System.IO;
        using System.Threading.Tasks;

        class Reader
        {
            public async Task ReadAsync(Stream stream)
            {
                var buffer = new byte[1024];
                try
                {
                    while (true)
                    {
                        await stream.ReadAsync(buffer, 0, buffer.Length);
                    }
                }
                catch (ObjectDisposedException)
                {
                }
            }

            public async Task WaitAsync(Func<Task> next)
            {
                try
                {
                    while (true)
                    {
                        await next();
                    }
                }
                catch (TaskCanceledException)
                {
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_AcceptLoopEndsWhenTheListenerCloses() => VerifyAsync("""
        using System.Net.Sockets;
        using System.Threading.Tasks;

        class Server
        {
            private readonly TcpListener _listener = new(System.Net.IPAddress.Loopback, 0);

            public async Task AcceptAsync()
            {
                while (true)
                {
                    var client = await _listener.AcceptTcpClientAsync();
                    _ = Task.Run(() => client.Dispose());
                }
            }

            public void Stop() => _listener.Stop();
        }
        """);

    [Fact]
    public Task NoReport_TestProjectUnlessOptedIn() => VerifyTestProjectAsync(optIn: false);

    [Fact]
    public Task Reports_TestProjectWhenOptedIn() => VerifyTestProjectAsync(optIn: true);

    private static Task VerifyTestProjectAsync(bool optIn)
    {
        var test = new AnalyzerTest<BackgroundLoopAnalyzer>
        {
            TestCode = """
                using System.Threading.Tasks;

                class FakeServer
                {
                    public async Task RunAsync()
                    {
                        {|#0:while|} (true)
                        {
                            await Task.Delay(10);
                        }
                    }
                }
                """,
        };
        test.SolutionTransforms.Add((solution, projectId) => solution.WithProjectAssemblyName(projectId, "Orders.Tests"));
        Verify<BackgroundLoopAnalyzer>.AddConfig(test.TestState, OnlyGov1003 + (optIn ? "governance.GOV1003.include_test_projects = true\n" : string.Empty));
        if (optIn)
        {
            test.ExpectedDiagnostics.Add(new Microsoft.CodeAnalysis.Testing.DiagnosticResult(Descriptors.BackgroundLoopWithoutExit).WithLocation(0)
                .WithArguments("while (true)", "'RunAsync'"));
        }

        return test.RunAsync();
    }

    [Fact]
    public Task NoReport_MethodGroupStartedByAnotherType() => VerifyAsync("""
        using System.Threading;

        class Worker
        {
            public void Run()
            {
                while (true)
                {
                    Thread.Sleep(1000);
                }
            }
        }

        class Host
        {
            public void Start(Worker worker) => new Thread(worker.Run).Start();
        }
        """);

    [Fact]
    public Task NoReport_ConditionalLoops() => VerifyAsync("""
        using System.Threading;
        using System.Threading.Tasks;

        class Pump
        {
            private volatile bool _stopping;

            public async Task RunAsync()
            {
                while (!_stopping)
                {
                    await Task.Delay(1000);
                }
            }

            public async Task CountAsync()
            {
                for (var i = 0; ; i++)
                {
                    if (i > 10) break;
                    await Task.Delay(1000);
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_MainAndTopLevelStatements() => VerifyAsync("""
        using System.Threading;
        using System.Threading.Tasks;

        static class Program
        {
            static async Task Main()
            {
                _ = Task.Run(async () =>
                {
                    while (true)
                    {
                        await Task.Delay(1000);
                    }
                });

                await LoopAsync();

                static async Task LoopAsync()
                {
                    while (true)
                    {
                        await Task.Delay(1000);
                    }
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_TopLevelStatements() => VerifyProgramAsync("""
        using System.Threading.Tasks;

        _ = Task.Run(async () =>
        {
            while (true)
            {
                await Task.Delay(1000);
            }
        });

        await LoopAsync();

        static async Task LoopAsync()
        {
            while (true)
            {
                await Task.Delay(1000);
            }
        }
        """);

    [Fact]
    public Task NoReport_SynchronousMethodsAndLambdasNotGivenToSpawns() => VerifyAsync("""
        using System;
        using System.Threading;

        class Service
        {
            public void Run()
            {
                while (true)
                {
                    Thread.Sleep(1000);
                }
            }

            public Action Create() => () =>
            {
                while (true)
                {
                    Thread.Sleep(1000);
                }
            };
        }
        """);

    [Fact]
    public Task NoReport_IteratorMethods() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Threading.Tasks;

        class Feed
        {
            public async IAsyncEnumerable<int> TicksAsync()
            {
                var i = 0;
                while (true)
                {
                    await Task.Delay(1000);
                    yield return i++;
                }
            }

            public IEnumerable<int> Numbers()
            {
                for (var i = 0; ; i++)
                {
                    yield return i;
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_DoesNotReturnHelper() => VerifyAsync("""
        using System;
        using System.Diagnostics.CodeAnalysis;
        using System.Threading.Tasks;

        class Pump
        {
            private bool _disposed;

            public async Task RunAsync()
            {
                while (true)
                {
                    await Task.Delay(10);
                    if (_disposed)
                    {
                        ThrowDisposed();
                    }
                }
            }

            [DoesNotReturn]
            private static void ThrowDisposed() => throw new ObjectDisposedException(nameof(Pump));
        }
        """);

    [Fact]
    public Task NoReport_UserTypesNamedLikeFrameworkTypes() => VerifyAsync("""
        namespace MyLib
        {
            class Task
            {
                public static void Run(System.Action action) { }
            }

            class Thread
            {
                public Thread(System.Action action) { }
            }

            class Pump
            {
                public void Start()
                {
                    Task.Run(() =>
                    {
                        while (true)
                        {
                        }
                    });
                    new Thread(() =>
                    {
                        while (true)
                        {
                        }
                    });
                }
            }
        }
        """);

    [Fact]
    public Task Reports_UserTokenTypeIsNotCancellation() => VerifyAsync("""
        using System.Threading.Tasks;

        struct CancellationToken
        {
            public bool IsCancellationRequested => false;
        }

        class Pump
        {
            public async Task RunAsync(CancellationToken token)
            {
                {|GOV1003:while|} (true)
                {
                    _ = token.IsCancellationRequested;
                    await Task.Delay(10);
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_IncompleteCode() => VerifyAsync("""
        using System.Threading.Tasks;

        class Pump
        {
            public async Task RunAsync()
            {
                while ({|CS1525:)|}
                {
                    await Task.Delay(10);
                }

                {|GOV1003:while|} (true{|CS1026:|}
                    await Task.Delay(10);
            }
        }
        """);

    [Fact]
    public Task NoReport_IncompleteCode_TokenGivenToACallOnAnUnresolvedReceiver_OrAReadOfAnUnresolvedType() => VerifyAsync("""
        using System.Threading;
        using System.Threading.Tasks;

        class Pump
        {
            private readonly {|CS0246:Missing|} _queue;

            public async Task ReceiveAsync(CancellationToken token)
            {
                // The receiver does not bind, but the loop hands it the token: that may well be how it stops.
                while (true)
                {
                    await {|CS0103:unknown|}.ReceiveAsync(token);
                }
            }

            public async Task ReadAsync()
            {
                // A read of a type the compilation cannot resolve may be a ChannelReader's: the rule does not guess.
                while (true)
                {
                    await _queue.ReadAsync();
                }
            }

            public async Task NoSignalAsync()
            {
                // An unresolved call with no token and no read: nothing in the loop can end it.
                {|GOV1003:while|} (true)
                {
                    await {|CS0103:unknown|}.SendAsync();
                }
            }
        }
        """);
}
