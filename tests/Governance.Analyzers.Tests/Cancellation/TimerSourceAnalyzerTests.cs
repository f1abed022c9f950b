using Governance.Analyzers.Cancellation;
using Governance.Analyzers.Tests.Verifiers;
using DiagnosticResult = Microsoft.CodeAnalysis.Testing.DiagnosticResult;

namespace Governance.Analyzers.Tests.Cancellation;

/// <summary>GOV5002: a CancellationTokenSource with a timer that nobody disposes or cancels.</summary>
public sealed class TimerSourceAnalyzerTests
{
    private static Task VerifyAsync(params string[] sources) => Verify<CancellationSourceAnalyzer>.AnalyzerAsync(sources);

    private static Task VerifyWithConfigAsync(string config, string source) => Verify<CancellationSourceAnalyzer>.AnalyzerWithConfigAsync(config, source);

    [Fact]
    public Task Reports_TimeSpanDelayNeverDisposedWithMessage()
    {
        var test = new AnalyzerTest<CancellationSourceAnalyzer>
        {
            TestCode = """
                using System;
                using System.Net.Http;
                using System.Threading;
                using System.Threading.Tasks;

                class Settlement
                {
                    private readonly HttpClient _http = new();

                    public async Task<bool> TrySettleAsync(string id)
                    {
                        var timeout = {|#0:new CancellationTokenSource(TimeSpan.FromSeconds(30))|};
                        using var response = await _http.PostAsync(id, content: null, timeout.Token);
                        return response.IsSuccessStatusCode;
                    }
                }
                """,
        };
        test.ExpectedDiagnostics.Add(new DiagnosticResult(Descriptors.TimerSourceNeverDisposed)
            .WithLocation(0)
            .WithMessage("CancellationTokenSource 'timeout' has a timer (TimeSpan.FromSeconds(30)) and is never disposed or cancelled: the timer keeps the source, and every callback registered on its token, alive until it fires"));
        return test.RunAsync();
    }

    [Fact]
    public Task Reports_MillisecondDelayAndTimeProvider() => VerifyAsync("""
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        class C
        {
            async Task M(TimeProvider time)
            {
                var a = {|GOV5002:new CancellationTokenSource(1000)|};
                await Task.Delay(10, a.Token);
                var b = {|GOV5002:new CancellationTokenSource(TimeSpan.FromMinutes(5), time)|};
                await Task.Delay(10, b.Token);
                CancellationTokenSource c = {|GOV5002:new(millisecondsDelay: 250)|};
                c.Token.ThrowIfCancellationRequested();
            }
        }
        """);

    [Fact]
    public Task Reports_CancelAfterOnAPlainSource()
    {
        var test = new AnalyzerTest<CancellationSourceAnalyzer>
        {
            TestCode = """
                using System;
                using System.Threading;
                using System.Threading.Tasks;

                class C
                {
                    async Task M(Func<CancellationToken, Task> send, TimeSpan timeout)
                    {
                        var cts = {|#0:new CancellationTokenSource()|};
                        cts.CancelAfter(timeout);
                        await send(cts.Token);
                    }
                }
                """,
        };
        test.ExpectedDiagnostics.Add(new DiagnosticResult(Descriptors.TimerSourceNeverDisposed)
            .WithLocation(0)
            .WithMessage("CancellationTokenSource 'cts' gets a timer from CancelAfter at line 10 and is never disposed or cancelled: the timer keeps the source, and every callback registered on its token, alive until it fires"));
        return test.RunAsync();
    }

    [Fact]
    public Task Reports_DisposedOnSomePathsButNotBeforeAnEarlyReturn() => VerifyAsync("""
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        class C
        {
            async Task<bool> M(Func<CancellationToken, Task<bool>> connect)
            {
                var cts = {|GOV5002:new CancellationTokenSource(TimeSpan.FromSeconds(30))|};
                if (!await connect(cts.Token))
                {
                    return false;
                }

                cts.Dispose();
                return true;
            }
        }
        """);

    [Fact]
    public Task Reports_SubclassGivenATimerByCancelAfter() => VerifyAsync("""
        using System.Threading;

        sealed class NamedSource : CancellationTokenSource
        {
            public string Name { get; set; } = "";
        }

        class C
        {
            void M()
            {
                var source = {|GOV5002:new NamedSource { Name = "poll" }|};
                source.CancelAfter(5000);
                source.Token.ThrowIfCancellationRequested();
            }
        }
        """);

    [Fact]
    public Task NoReport_PlainSourceWithoutDelay() => VerifyAsync("""
        using System.Threading;
        using System.Threading.Tasks;

        class C
        {
            async Task M()
            {
                var cts = new CancellationTokenSource();
                await Task.Delay(10, cts.Token);
                var other = new CancellationTokenSource();
                other.Cancel();
            }
        }
        """);

    [Fact]
    public Task NoReport_InfiniteOrZeroDelay() => VerifyAsync("""
        using System;
        using System.Threading;

        class C
        {
            void M()
            {
                var a = new CancellationTokenSource(Timeout.Infinite);
                var b = new CancellationTokenSource(Timeout.InfiniteTimeSpan);
                var c = new CancellationTokenSource(-1);
                var d = new CancellationTokenSource(TimeSpan.Zero);
                var e = new CancellationTokenSource(0);
                var f = new CancellationTokenSource(TimeSpan.FromMilliseconds(-1));
                var g = new CancellationTokenSource();
                g.CancelAfter(Timeout.Infinite);
                _ = a.Token; _ = b.Token; _ = c.Token; _ = d.Token; _ = e.Token; _ = f.Token; _ = g.Token;
            }
        }
        """);

    [Fact]
    public Task NoReport_UsingDisposeOrCancelStopsTheTimer() => VerifyAsync("""
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        class C
        {
            async Task M(Task work)
            {
                using var a = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await Task.Delay(10, a.Token);

                var b = new CancellationTokenSource(5000);
                try
                {
                    await Task.Delay(10, b.Token);
                }
                finally
                {
                    b.Dispose();
                }

                // Cancellation disposes the timer: nothing is left to fire.
                var c = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await Task.WhenAny(work, Task.Delay(-1, c.Token));
                c.Cancel();

                var d = new CancellationTokenSource();
                d.CancelAfter(100);
                await d.CancelAsync();
            }
        }
        """);

    [Fact]
    public Task NoReport_Escapes() => VerifyAsync("""
        using System;
        using System.Collections.Concurrent;
        using System.Threading;

        class C
        {
            private readonly ConcurrentDictionary<Guid, CancellationTokenSource> _timeouts = new();

            CancellationTokenSource Create() => new CancellationTokenSource(5000);

            CancellationTokenSource Returned()
            {
                var cts = new CancellationTokenSource(5000);
                return cts;
            }

            void Stored(Guid id)
            {
                var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
                _timeouts[id] = cts;
            }

            void Passed()
            {
                var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
                Register(cts);
            }

            static void Register(CancellationTokenSource source) { }
        }
        """);

    [Fact]
    public Task NoReport_Escapes_ToAConstructorAListAnotherObjectOrARunningLambda() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;

        sealed class Operation
        {
            public Operation(CancellationTokenSource source) => Source = source;

            public CancellationTokenSource Source { get; set; }
        }

        class C
        {
            private readonly List<CancellationTokenSource> _sources = new();

            Operation Constructed() => new Operation(new CancellationTokenSource(5000));

            void Added() => _sources.Add(new CancellationTokenSource(5000));

            void OtherObjectsMember(Operation holder) => holder.Source = new CancellationTokenSource(5000);

            void CapturedByARunningLambda()
            {
                var c = new CancellationTokenSource(5000);
                _ = Task.Run(() => LoopAsync(c.Token));
            }

            static Task LoopAsync(CancellationToken token) => Task.CompletedTask;
        }
        """);

    [Fact]
    public Task NoReport_UserTypeNamedCancellationTokenSource() => VerifyAsync("""
        namespace MyApp
        {
            class CancellationTokenSource
            {
                public CancellationTokenSource(int delay) { }

                public void CancelAfter(int delay) { }
            }

            class C
            {
                void M()
                {
                    var cts = new CancellationTokenSource(1000);
                    cts.CancelAfter(5000);
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_InTestMethodUnlessConfigured() => VerifyAsync("""
        using System.Threading;
        using System.Threading.Tasks;

        namespace NUnit.Framework
        {
            class TestAttribute : System.Attribute { }
        }

        class Tests
        {
            [NUnit.Framework.Test]
            public async Task TimesOut()
            {
                var cts = new CancellationTokenSource(1000);
                await Task.Delay(10, cts.Token);
            }
        }
        """);

    [Fact]
    public Task NoReport_InMainWhichRunsOncePerProcess() => VerifyAsync("""
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        static class Program
        {
            static async Task Main()
            {
                var startup = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await Task.Delay(10, startup.Token);
                var linked = CancellationTokenSource.CreateLinkedTokenSource(startup.Token, CancellationToken.None);
                await Task.Delay(10, linked.Token);
            }
        }
        """);

    [Fact]
    public Task NoReport_InTopLevelStatementsButInTheirLambdas()
    {
        var test = new AnalyzerTest<CancellationSourceAnalyzer>
        {
            TestCode = """
                using System;
                using System.Threading;
                using System.Threading.Tasks;

                var startup = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await Task.Delay(10, startup.Token);

                Func<Task> handler = async () =>
                {
                    var perCall = {|GOV5002:new CancellationTokenSource(TimeSpan.FromSeconds(3))|};
                    await Task.Delay(10, perCall.Token);
                };
                await handler();
                """,
        };
        test.TestState.OutputKind = Microsoft.CodeAnalysis.OutputKind.ConsoleApplication;
        return test.RunAsync();
    }

    [Fact]
    public Task Reports_InTestProjectWhenConfigured()
    {
        var test = new AnalyzerTest<CancellationSourceAnalyzer>
        {
            TestCode = """
                using System.Threading;
                using System.Threading.Tasks;

                class Helper
                {
                    public async Task WaitAsync()
                    {
                        var cts = {|GOV5002:new CancellationTokenSource(1000)|};
                        await Task.Delay(10, cts.Token);
                    }
                }
                """,
        };
        test.SolutionTransforms.Add((solution, projectId) => solution.WithProjectAssemblyName(projectId, "Orders.Tests"));
        Verify<CancellationSourceAnalyzer>.AddConfig(test.TestState, """
            root = true

            [*.cs]
            governance.GOV5002.include_test_projects = true
            """);
        return test.RunAsync();
    }

    [Fact]
    public Task NoReport_InTestProjectByDefault()
    {
        var test = new AnalyzerTest<CancellationSourceAnalyzer>
        {
            TestCode = """
                using System.Threading;
                using System.Threading.Tasks;

                class Helper
                {
                    public async Task WaitAsync()
                    {
                        var cts = new CancellationTokenSource(1000);
                        await Task.Delay(10, cts.Token);
                    }
                }
                """,
        };
        test.SolutionTransforms.Add((solution, projectId) => solution.WithProjectAssemblyName(projectId, "Orders.Tests"));
        return test.RunAsync();
    }

    [Fact]
    public Task NoReport_IncompleteCode() => VerifyAsync("""
        using System.Threading;

        class C
        {
            void M()
            {
                var a = new CancellationTokenSource({|CS1503:"soon"|});
                var b = new {|CS1729:CancellationTokenSource|}(1, 2, 3);
                var c = new CancellationTokenSource();
                c.CancelAfter({|CS1503:"later"|});
            }
        }
        """);

    // --- members ---

    [Fact]
    public Task Reports_FieldWithTimerForgottenByDispose() => VerifyAsync("""
        using System;
        using System.Threading;

        sealed class JobContext : IDisposable
        {
            private readonly CancellationTokenSource _timeout;

            public JobContext(TimeSpan limit) => _timeout = {|GOV5002:new CancellationTokenSource(limit)|};

            public CancellationToken Token => _timeout.Token;

            public void Dispose() { }
        }
        """);

    [Fact]
    public Task Reports_FieldGivenATimerByCancelAfterAndReplacedWithoutRelease() => VerifyAsync("""
        using System;
        using System.Threading;

        sealed class Session : IDisposable
        {
            private CancellationTokenSource _idle = new CancellationTokenSource();

            public Session(TimeSpan idleTimeout) => _idle.CancelAfter(idleTimeout);

            public void Touch(TimeSpan idleTimeout)
            {
                _idle = {|GOV5002:new CancellationTokenSource()|};
                _idle.CancelAfter(idleTimeout);
            }

            public void Dispose() => _idle.Dispose();
        }
        """);

    [Fact]
    public Task NoReport_FieldCancelledBeforeItIsReplaced() => VerifyAsync("""
        using System;
        using System.Threading;

        sealed class Debouncer : IDisposable
        {
            private CancellationTokenSource? _cts;

            public CancellationToken Restart(TimeSpan delay)
            {
                // Cancel disposes the previous source's timer: nothing is left to fire.
                _cts?.Cancel();
                _cts = new CancellationTokenSource();
                _cts.CancelAfter(delay);
                return _cts.Token;
            }

            public void Dispose() => _cts?.Dispose();
        }
        """);

    [Fact]
    public Task NoReport_FieldInTypeWithoutDisposalOrReleasedSomewhere() => VerifyAsync("""
        using System;
        using System.Threading;

        sealed class Request
        {
            private readonly CancellationTokenSource _deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));

            public CancellationToken Deadline => _deadline.Token;
        }

        partial class Job : IDisposable
        {
            private readonly CancellationTokenSource _deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));

            public void Dispose() { }
        }

        partial class Job
        {
            public void Complete() => _deadline.Cancel();
        }

        static class Process
        {
            private static readonly CancellationTokenSource s_shutdown = new CancellationTokenSource(TimeSpan.FromHours(1));
        }
        """);

    [Fact]
    public Task Reports_FieldWithTimerForgottenByADisposeInAnotherPartialDeclaration() => VerifyAsync("""
        using System;
        using System.Threading;

        partial class JobContext : IDisposable
        {
            private readonly CancellationTokenSource _timeout;

            public JobContext(TimeSpan limit) => _timeout = {|GOV5002:new CancellationTokenSource(limit)|};

            public CancellationToken Token => _timeout.Token;
        }
        """, """
        partial class JobContext
        {
            public void Dispose() { }
        }
        """);

    [Fact]
    public Task NoReport_FieldWithTimerDisposedByTheDisposeInAnotherPartialDeclaration() => VerifyAsync("""
        using System;
        using System.Threading;

        partial class JobContext : IDisposable
        {
            private readonly CancellationTokenSource _timeout;

            public JobContext(TimeSpan limit) => _timeout = new CancellationTokenSource(limit);

            public CancellationToken Token => _timeout.Token;
        }
        """, """
        partial class JobContext
        {
            public void Dispose()
            {
                _timeout.Dispose();
            }
        }
        """);

    [Fact]
    public Task NoReport_IncompleteCode_SyntaxErrors() => VerifyAsync("""
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        class C
        {
            async Task UsingWithoutCloseParenAsync()
            {
                await Task.Yield();
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5){|CS1026:|}{|CS1002:|}
            }

            void CancelAfterWithoutCloseParen()
            {
                using var source = new CancellationTokenSource();
                source.CancelAfter(1000{|CS1026:|}{|CS1002:|}
            }

            void DisposedInAnUnfinishedTry()
            {
                var timeout = new CancellationTokenSource(5000);
                try
                {
                    timeout.Token.ThrowIfCancellationRequested({|CS1026:|}{|CS1002:|}
                }
                finally
                {
                    timeout.Dispose();
                }
            }
        }
        """);

    [Fact]
    public Task Reports_OnceWhenOnlyTheCloseParenIsMissing_TheSourceBindsAndIsNeverDisposed()
    {
        // The creation binds, so the leak is real and reported once; the span runs to the next line, where the
        // parser puts the missing ')'.
        var test = new AnalyzerTest<CancellationSourceAnalyzer>
        {
            TestCode = """
                using System;
                using System.Threading;

                class C
                {
                    void M()
                    {
                        var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5){|CS1026:|}{|CS1002:|}
                    }
                }
                """,
        };
        test.ExpectedDiagnostics.Add(new DiagnosticResult(DiagnosticIds.TimerSourceNeverDisposed, Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).WithSpan(8, 23, 9, 1));
        return test.RunAsync();
    }
}
