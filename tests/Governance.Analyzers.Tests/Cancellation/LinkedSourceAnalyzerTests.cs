using Governance.Analyzers.Cancellation;
using Governance.Analyzers.Tests.Verifiers;
using DiagnosticResult = Microsoft.CodeAnalysis.Testing.DiagnosticResult;

namespace Governance.Analyzers.Tests.Cancellation;

/// <summary>GOV5001: a linked CancellationTokenSource that nobody disposes.</summary>
public sealed class LinkedSourceAnalyzerTests
{
    private static Task VerifyAsync(params string[] sources) => Verify<CancellationSourceAnalyzer>.AnalyzerAsync(sources);

    private static Task VerifyWithConfigAsync(string config, string source) => Verify<CancellationSourceAnalyzer>.AnalyzerWithConfigAsync(config, source);

    [Fact]
    public Task Reports_LocalNeverDisposedWithMessage()
    {
        var test = new AnalyzerTest<CancellationSourceAnalyzer>
        {
            TestCode = """
                using System.Net.Http;
                using System.Threading;
                using System.Threading.Tasks;

                class Client
                {
                    private readonly HttpClient _http = new();

                    public async Task<string> GetAsync(string url, CancellationToken requestAborted)
                    {
                        var linked = {|#0:CancellationTokenSource.CreateLinkedTokenSource(requestAborted)|};
                        return await _http.GetStringAsync(url, linked.Token);
                    }
                }
                """,
        };
        test.ExpectedDiagnostics.Add(new DiagnosticResult(Descriptors.LinkedSourceNeverDisposed)
            .WithLocation(0)
            .WithMessage("Linked source 'linked' is never disposed: its registration on 'requestAborted' stays until that token is cancelled, one more on every call"));
        return test.RunAsync();
    }

    [Fact]
    public Task Reports_TwoParentsAndMessageNamesBoth()
    {
        var test = new AnalyzerTest<CancellationSourceAnalyzer>
        {
            TestCode = """
                using System.Threading;
                using System.Threading.Tasks;

                class Worker
                {
                    private readonly CancellationTokenSource _stopping = new();

                    public async Task RunOnceAsync(CancellationToken ct)
                    {
                        var both = {|#0:CancellationTokenSource.CreateLinkedTokenSource(ct, _stopping.Token)|};
                        await Task.Delay(100, both.Token);
                    }
                }
                """,
        };
        test.ExpectedDiagnostics.Add(new DiagnosticResult(Descriptors.LinkedSourceNeverDisposed)
            .WithLocation(0)
            .WithMessage("Linked source 'both' is never disposed: its registrations on 'ct' and '_stopping.Token' stay until those tokens are cancelled, one more on every call"));
        return test.RunAsync();
    }

    [Fact]
    public Task Reports_ParamsArrayOfParentsAndAssignmentToDeclaredLocal() => VerifyAsync("""
        using System.Threading;

        class C
        {
            void M(CancellationToken a, CancellationToken b, CancellationToken c)
            {
                CancellationTokenSource linked;
                linked = {|GOV5001:CancellationTokenSource.CreateLinkedTokenSource(a, b, c)|};
                linked.Token.ThrowIfCancellationRequested();
            }
        }
        """);

    [Fact]
    public Task Reports_CancelDoesNotRemoveTheLinks() => VerifyAsync("""
        using System.Threading;
        using System.Threading.Tasks;

        class C
        {
            async Task M(CancellationToken ct)
            {
                var linked = {|GOV5001:CancellationTokenSource.CreateLinkedTokenSource(ct)|};
                try
                {
                    await Task.Delay(1000, linked.Token);
                }
                finally
                {
                    linked.Cancel();
                }
            }
        }
        """);

    [Fact]
    public Task Reports_LinkedSourceWithCancelAfterOnceAsGov5001() => VerifyAsync("""
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        class C
        {
            async Task M(Func<CancellationToken, Task> send, CancellationToken ct)
            {
                var timeout = {|GOV5001:CancellationTokenSource.CreateLinkedTokenSource(ct)|};
                timeout.CancelAfter(TimeSpan.FromSeconds(30));
                await send(timeout.Token);
            }
        }
        """);

    [Fact]
    public Task Reports_DisposedOnSomePathsButNotBeforeAnEarlyReturn()
    {
        var test = new AnalyzerTest<CancellationSourceAnalyzer>
        {
            TestCode = """
                using System.Threading;
                using System.Threading.Tasks;

                class C
                {
                    async Task<bool> TryAsync(bool skip, CancellationToken ct)
                    {
                        var linked = {|#0:CancellationTokenSource.CreateLinkedTokenSource(ct)|};
                        if (skip)
                        {
                            return false;
                        }

                        await Task.Delay(10, linked.Token);
                        linked.Dispose();
                        return true;
                    }
                }
                """,
        };
        test.ExpectedDiagnostics.Add(new DiagnosticResult(Descriptors.LinkedSourceNeverDisposed)
            .WithLocation(0)
            .WithMessage("Linked source 'linked' is disposed on some paths but not on the one through the 'return' at line 11: on that path its registration on 'ct' stays after the call"));
        return test.RunAsync();
    }

    [Fact]
    public Task Reports_ConditionalCreationNeverDisposed() => VerifyAsync("""
        using System.Threading;
        using System.Threading.Tasks;

        class C
        {
            async Task M(CancellationToken ct, CancellationToken shutdown)
            {
                var linked = ct.CanBeCanceled ? {|GOV5001:CancellationTokenSource.CreateLinkedTokenSource(ct, shutdown)|} : null;
                await Task.Delay(10, linked?.Token ?? shutdown);
            }
        }
        """);

    [Fact]
    public Task Reports_TokenUsedInsideAwaitedRetryDelegate() => VerifyAsync("""
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        static class Retry
        {
            public static Task ExecuteAsync(Func<Task> action) => action();
        }

        class C
        {
            async Task M(Func<CancellationToken, Task> send, CancellationToken ct)
            {
                var linked = {|GOV5001:CancellationTokenSource.CreateLinkedTokenSource(ct)|};
                await Retry.ExecuteAsync(() => send(linked.Token));
            }
        }
        """);

    [Fact]
    public Task Reports_TokenHandedToAReturnedTask() => VerifyAsync("""
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        class C
        {
            Task SendAsync(Func<CancellationToken, Task> send, CancellationToken ct, CancellationToken stopping)
            {
                var linked = {|GOV5001:CancellationTokenSource.CreateLinkedTokenSource(ct, stopping)|};
                return send(linked.Token);
            }
        }
        """);

    [Fact]
    public Task Reports_InsideLambdaAndLocalFunction() => VerifyAsync("""
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        class C
        {
            Func<CancellationToken, Task> Handler() => async ct =>
            {
                var linked = {|GOV5001:CancellationTokenSource.CreateLinkedTokenSource(ct)|};
                await Task.Delay(10, linked.Token);
            };

            async Task M(CancellationToken ct)
            {
                await Local();

                async Task Local()
                {
                    var linked = {|GOV5001:CancellationTokenSource.CreateLinkedTokenSource(ct)|};
                    await Task.Delay(10, linked.Token);
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_UsingDeclarationAndUsingStatement() => VerifyAsync("""
        using System.Threading;
        using System.Threading.Tasks;

        class C
        {
            async Task M(CancellationToken ct)
            {
                using var a = CancellationTokenSource.CreateLinkedTokenSource(ct);
                await Task.Delay(10, a.Token);
                using (var b = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    await Task.Delay(10, b.Token);
                }

                using CancellationTokenSource? c = ct.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(ct) : null;
            }
        }
        """);

    [Fact]
    public Task NoReport_DisposedInFinallyOrInEveryBranch() => VerifyAsync("""
        using System.Threading;
        using System.Threading.Tasks;

        class C
        {
            async Task M(CancellationToken ct)
            {
                var a = CancellationTokenSource.CreateLinkedTokenSource(ct);
                try
                {
                    await Task.Delay(10, a.Token);
                    return;
                }
                finally
                {
                    a.Dispose();
                }
            }

            async Task N(CancellationToken ct)
            {
                var b = CancellationTokenSource.CreateLinkedTokenSource(ct);
                if (ct.CanBeCanceled)
                {
                    b.Dispose();
                    return;
                }

                await Task.Delay(10, b.Token);
                b.Dispose();
            }

            void O(CancellationToken ct)
            {
                CancellationTokenSource? c = null;
                try
                {
                    c = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    c.Token.ThrowIfCancellationRequested();
                }
                finally
                {
                    c?.Dispose();
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_DisposedAfterTheAwaitOnTheFallThroughPath() => VerifyAsync("""
        using System.Threading;
        using System.Threading.Tasks;

        class C
        {
            // Only exceptions skip this Dispose: like GOV2001, the rule follows explicit returns, not exceptions.
            async Task M(CancellationToken ct)
            {
                var linked = CancellationTokenSource.CreateLinkedTokenSource(ct);
                await Task.Delay(10, linked.Token);
                linked.Dispose();
            }
        }
        """);

    [Fact]
    public Task NoReport_DisposedThroughAnAlias() => VerifyAsync("""
        using System.Threading;
        using System.Threading.Tasks;

        class C
        {
            async Task M(CancellationToken ct)
            {
                var linked = CancellationTokenSource.CreateLinkedTokenSource(ct);
                using var owner = linked;
                await Task.Delay(10, linked.Token);
            }

            async Task N(CancellationToken ct)
            {
                var linked = CancellationTokenSource.CreateLinkedTokenSource(ct);
                using (linked)
                {
                    await Task.Delay(10, linked.Token);
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_DisposedByAContinuationOrCallback() => VerifyAsync("""
        using System.Threading;
        using System.Threading.Tasks;

        class C
        {
            Task M(CancellationToken ct)
            {
                var linked = CancellationTokenSource.CreateLinkedTokenSource(ct);
                return Task.Delay(1000, linked.Token).ContinueWith(_ => linked.Dispose(), TaskScheduler.Default);
            }

            Task N(Task work, CancellationToken ct)
            {
                var linked = CancellationTokenSource.CreateLinkedTokenSource(ct);
                work.GetAwaiter().OnCompleted(() => linked.Dispose());
                return Task.Delay(1000, linked.Token);
            }
        }
        """);

    [Fact]
    public Task NoReport_Escapes() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;

        sealed class Operation
        {
            public Operation(CancellationTokenSource source) => Source = source;

            public CancellationTokenSource Source { get; }
        }

        class C
        {
            private readonly Dictionary<string, CancellationTokenSource> _byKey = new();
            private readonly List<CancellationTokenSource> _all = new();

            CancellationTokenSource Returned(CancellationToken ct)
            {
                var linked = CancellationTokenSource.CreateLinkedTokenSource(ct);
                return linked;
            }

            void Passed(CancellationToken ct)
            {
                var linked = CancellationTokenSource.CreateLinkedTokenSource(ct);
                Track(linked);
            }

            Operation Constructed(CancellationToken ct)
            {
                var linked = CancellationTokenSource.CreateLinkedTokenSource(ct);
                return new Operation(linked);
            }

            void Stored(string key, CancellationToken ct)
            {
                var linked = CancellationTokenSource.CreateLinkedTokenSource(ct);
                _byKey[key] = linked;
                var other = CancellationTokenSource.CreateLinkedTokenSource(ct);
                _all.Add(other);
            }

            void Assigned(Holder holder, CancellationToken ct)
            {
                var linked = CancellationTokenSource.CreateLinkedTokenSource(ct);
                holder.Source = linked;
            }

            void CapturedByBackgroundWork(CancellationToken ct)
            {
                var linked = CancellationTokenSource.CreateLinkedTokenSource(ct);
                _ = Task.Run(() => Loop(linked.Token));
            }

            static void Track(CancellationTokenSource source) { }

            static Task Loop(CancellationToken ct) => Task.CompletedTask;
        }

        class Holder
        {
            public CancellationTokenSource? Source { get; set; }
        }
        """);

    [Fact]
    public Task NoReport_LinkedOnlyToSourcesTheMethodDisposes() => VerifyAsync("""
        using System;
        using System.Threading;

        sealed class Producer : IDisposable
        {
            private readonly CancellationTokenSource _stopping = new();

            public void Flush(Action<CancellationToken> flush)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                var cts = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
                flush(cts.Token);
            }

            public void Dispose()
            {
                var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                var cts = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _stopping.Token);
                try
                {
                    cts.Token.ThrowIfCancellationRequested();
                }
                finally
                {
                    timeout.Dispose();
                    _stopping.Dispose();
                }
            }
        }
        """);

    [Fact]
    public Task Reports_LinkedToADisposedSourceAndToTheCallersToken() => VerifyAsync("""
        using System;
        using System.Threading;

        class C
        {
            void M(Action<CancellationToken> work, CancellationToken ct)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                var cts = {|GOV5001:CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, ct)|};
                work(cts.Token);
            }
        }
        """);

    [Fact]
    public Task NoReport_PlainSourcesAndLinksToNone() => VerifyAsync("""
        using System.Threading;

        class C
        {
            void M()
            {
                var plain = new CancellationTokenSource();
                plain.Cancel();
                var unlinked = CancellationTokenSource.CreateLinkedTokenSource(CancellationToken.None);
                var unlinkedToo = CancellationTokenSource.CreateLinkedTokenSource(default(CancellationToken));
                unlinked.Cancel();
                unlinkedToo.Cancel();
            }
        }
        """);

    [Fact]
    public Task NoReport_UserTypeNamedCancellationTokenSource() => VerifyAsync("""
        namespace MyApp
        {
            class CancellationTokenSource
            {
                public static CancellationTokenSource CreateLinkedTokenSource(System.Threading.CancellationToken token) => new();

                public System.Threading.CancellationToken Token => default;
            }

            class C
            {
                void M(System.Threading.CancellationToken ct)
                {
                    var linked = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    _ = linked.Token;
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_InTestMethodUnlessConfigured() => VerifyAsync("""
        using System.Threading;
        using System.Threading.Tasks;

        namespace Xunit
        {
            class FactAttribute : System.Attribute { }
        }

        class Tests
        {
            [Xunit.Fact]
            public async Task Waits()
            {
                var linked = CancellationTokenSource.CreateLinkedTokenSource(CancellationToken.None, new CancellationTokenSource().Token);
                await Task.Delay(10, linked.Token);
            }
        }
        """);

    [Fact]
    public Task Reports_InTestMethodWhenConfigured() => VerifyWithConfigAsync("""
        root = true

        [*.cs]
        governance.GOV5001.include_test_projects = true
        """, """
        using System.Threading;
        using System.Threading.Tasks;

        namespace Xunit
        {
            class FactAttribute : System.Attribute { }
        }

        class Tests
        {
            [Xunit.Fact]
            public async Task Waits()
            {
                var linked = {|GOV5001:CancellationTokenSource.CreateLinkedTokenSource(new CancellationTokenSource().Token)|};
                await Task.Delay(10, linked.Token);
            }
        }
        """);

    [Fact]
    public Task NoReport_InTestProjectUnlessConfigured()
    {
        var test = new AnalyzerTest<CancellationSourceAnalyzer>
        {
            TestCode = """
                using System.Threading;
                using System.Threading.Tasks;

                class Helper
                {
                    public async Task WaitAsync(CancellationToken ct)
                    {
                        var linked = CancellationTokenSource.CreateLinkedTokenSource(ct);
                        await Task.Delay(10, linked.Token);
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
            void M(CancellationToken ct)
            {
                var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, {|CS1503:5|});
                var other = CancellationTokenSource.CreateLinkedTokenSource();
                var third = CancellationTokenSource.{|CS0117:CreateLinked|}(ct);
                {|CS0103:missing|}.Dispose();
            }
        }
        """);

    // --- members ---

    [Fact]
    public Task Reports_FieldForgottenByDispose() => VerifyAsync("""
        using System;
        using System.Threading;

        sealed class Session : IDisposable
        {
            private readonly CancellationTokenSource _lifetime;
            private readonly IDisposable _connection;

            public Session(IDisposable connection, CancellationToken appStopping)
            {
                _connection = connection;
                _lifetime = {|GOV5001:CancellationTokenSource.CreateLinkedTokenSource(appStopping)|};
            }

            public CancellationToken Lifetime => _lifetime.Token;

            public void Dispose()
            {
                _lifetime.Cancel();
                _connection.Dispose();
            }
        }
        """);

    [Fact]
    public Task NoReport_FieldNeverDisposedInATypeWithNoDisposal() => VerifyAsync("""
        using System.Threading;
        using System.Threading.Tasks;

        // Nothing shows whether the parent outlives the owner (an injected per-owner token) or not.
        sealed class RequestScope
        {
            private readonly CancellationTokenSource _aborted;

            public RequestScope(CancellationToken requestAborted)
                => _aborted = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);

            public CancellationToken Token => _aborted.Token;
        }

        sealed class LeaseManager
        {
            private readonly CancellationTokenSource _shutDown;

            public LeaseManager(CancellationToken errors) => _shutDown = CancellationTokenSource.CreateLinkedTokenSource(errors);

            public Task StopAsync()
            {
                _shutDown.Cancel();
                return Task.CompletedTask;
            }
        }
        """);

    [Fact]
    public Task Reports_FieldForgottenByADisposeAsyncOrAnInheritedDispose() => VerifyAsync("""
        using System;
        using System.IO;
        using System.Threading;
        using System.Threading.Tasks;

        sealed class Channel : IAsyncDisposable
        {
            private readonly CancellationTokenSource _reads;

            public Channel(CancellationToken connectionClosed) => _reads = {|GOV5001:CancellationTokenSource.CreateLinkedTokenSource(connectionClosed)|};

            public CancellationToken Token => _reads.Token;

            public ValueTask DisposeAsync() => default;
        }

        sealed class Reader : StringReader
        {
            private readonly CancellationTokenSource _reads;

            public Reader(CancellationToken connectionClosed) : base("") => _reads = {|GOV5001:CancellationTokenSource.CreateLinkedTokenSource(connectionClosed)|};

            public CancellationToken Token => _reads.Token;
        }
        """);

    [Fact]
    public Task Reports_FieldReassignedAfterCancelWithoutDispose() => VerifyAsync("""
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        sealed class Poller : IDisposable
        {
            private CancellationTokenSource? _cycle;

            public Task RestartAsync(CancellationToken appStopping)
            {
                _cycle?.Cancel();
                _cycle = {|GOV5001:CancellationTokenSource.CreateLinkedTokenSource(appStopping)|};
                return Task.Delay(1000, _cycle.Token);
            }

            public void Dispose() => _cycle?.Dispose();
        }
        """);

    [Fact]
    public Task Reports_FieldReassignedInLoopAndAfterConstructor() => VerifyAsync("""
        using System;
        using System.Threading;

        sealed class Pump : IDisposable
        {
            private CancellationTokenSource _round;
            private readonly CancellationToken _stopping;

            public Pump(CancellationToken stopping)
            {
                _stopping = stopping;
                _round = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            }

            public void Next() => _round = {|GOV5001:CancellationTokenSource.CreateLinkedTokenSource(_stopping)|};

            public void Run(int rounds)
            {
                for (var i = 0; i < rounds; i++)
                {
                    _round = {|GOV5001:CancellationTokenSource.CreateLinkedTokenSource(_stopping)|};
                }
            }

            public void Dispose() => _round.Dispose();
        }
        """);

    [Fact]
    public Task NoReport_FieldDisposedAnywhereAcrossPartials() => VerifyAsync("""
        using System.Threading;

        partial class Session
        {
            private readonly CancellationTokenSource _lifetime;

            public Session(CancellationToken appStopping) => _lifetime = CancellationTokenSource.CreateLinkedTokenSource(appStopping);
        }
        """, """
        partial class Session
        {
            public void Close() => _lifetime.Dispose();
        }
        """);

    [Fact]
    public Task NoReport_FieldDisposedByNullConditionalExchangeOrLocalCopy() => VerifyAsync("""
        using System;
        using System.Threading;

        sealed class A : IDisposable
        {
            private CancellationTokenSource? _cts;

            public void Start(CancellationToken ct) => _cts = CancellationTokenSource.CreateLinkedTokenSource(ct);

            public void Dispose() => _cts?.Dispose();
        }

        sealed class B : IDisposable
        {
            private CancellationTokenSource? _cts;

            public void Start(CancellationToken ct) => _cts = CancellationTokenSource.CreateLinkedTokenSource(ct);

            public void Dispose() => Interlocked.Exchange(ref _cts, null)?.Dispose();
        }

        sealed class D : IDisposable
        {
            private CancellationTokenSource? _cts;

            public void Start(CancellationToken ct) => _cts = CancellationTokenSource.CreateLinkedTokenSource(ct);

            public void Dispose()
            {
                var cts = _cts;
                _cts = null;
                cts?.Dispose();
            }
        }
        """);

    [Fact]
    public Task NoReport_ReassignmentThatDisposesThePreviousOrIsGuarded() => VerifyAsync("""
        using System;
        using System.Threading;

        sealed class A : IDisposable
        {
            private CancellationTokenSource? _cycle;

            public void Restart(CancellationToken ct)
            {
                _cycle?.Cancel();
                _cycle?.Dispose();
                _cycle = CancellationTokenSource.CreateLinkedTokenSource(ct);
            }

            public void Dispose() => _cycle?.Dispose();
        }

        sealed class B : IDisposable
        {
            private CancellationTokenSource? _cts;

            public CancellationToken Token(CancellationToken ct) => (_cts ??= CancellationTokenSource.CreateLinkedTokenSource(ct)).Token;

            public void Ensure(CancellationToken ct)
            {
                if (_cts == null)
                {
                    _cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
                }
            }

            public void Dispose() => _cts?.Dispose();
        }
        """);

    [Fact]
    public Task NoReport_PlainInitializerReplacedByALinkedSourceOnce() => VerifyAsync("""
        using System;
        using System.Threading;

        sealed class Node : IDisposable
        {
            private readonly CancellationTokenSource _internal = new();
            private CancellationTokenSource _cts = new();
            private int _initialized;

            public void Initialize(CancellationToken clusterStopping)
            {
                if (Interlocked.CompareExchange(ref _initialized, 1, 0) != 0)
                {
                    return;
                }

                _cts = CancellationTokenSource.CreateLinkedTokenSource(clusterStopping, _internal.Token);
            }

            public void Dispose()
            {
                _cts.Dispose();
                _internal.Dispose();
            }
        }
        """);

    [Fact]
    public Task NoReport_FieldLinkedOnlyToTheObjectsOwnTokens() => VerifyAsync("""
        using System;
        using System.Threading;

        abstract class Agent
        {
            private readonly CancellationTokenSource _stopping = new();

            protected CancellationToken Stopping => _stopping.Token;
        }

        sealed class Consumer : Agent, IDisposable
        {
            private readonly CancellationTokenSource _shutdown = new();
            private readonly CancellationTokenSource _consume;
            private readonly CancellationTokenSource _both;

            public Consumer()
            {
                _consume = CancellationTokenSource.CreateLinkedTokenSource(Stopping);
                _both = CancellationTokenSource.CreateLinkedTokenSource(Stopping, _shutdown.Token);
            }

            public CancellationToken Token => _both.Token;

            public void Dispose() => _consume.Cancel();
        }
        """);

    [Fact]
    public Task NoReport_HostedServiceAndSingletonCreatedOnce() => VerifyAsync("""
        using System.Threading;
        using System.Threading.Tasks;
        using Microsoft.Extensions.Hosting;

        namespace Microsoft.Extensions.Hosting
        {
            public interface IHostedService
            {
                Task StartAsync(CancellationToken cancellationToken);

                Task StopAsync(CancellationToken cancellationToken);
            }
        }

        sealed class Heartbeat : IHostedService
        {
            private CancellationTokenSource? _cts;
            private Task? _running;

            public Task StartAsync(CancellationToken cancellationToken)
            {
                _cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                _running = Task.Delay(Timeout.Infinite, _cts.Token);
                return Task.CompletedTask;
            }

            public Task StopAsync(CancellationToken cancellationToken)
            {
                _cts?.Cancel();
                return _running ?? Task.CompletedTask;
            }
        }

        sealed class Registry
        {
            public static readonly Registry Instance = new(CancellationToken.None);

            private readonly CancellationTokenSource _lifetime;

            private Registry(CancellationToken token) => _lifetime = CancellationTokenSource.CreateLinkedTokenSource(token);

            public CancellationToken Lifetime => _lifetime.Token;
        }
        """);

    [Fact]
    public Task NoReport_NonPrivateStaticOnceNestedOrOtherObjectsMember() => VerifyAsync("""
        using System.Threading;

        class Context
        {
            public CancellationTokenSource? Source;
        }

        class C
        {
            internal CancellationTokenSource? Shared;
            private static readonly CancellationTokenSource s_process = CancellationTokenSource.CreateLinkedTokenSource(new CancellationTokenSource().Token);
            private CancellationTokenSource? _viaNested;

            public void Attach(Context context, CancellationToken ct)
            {
                context.Source = CancellationTokenSource.CreateLinkedTokenSource(ct);
                Shared = CancellationTokenSource.CreateLinkedTokenSource(ct);
                _viaNested = CancellationTokenSource.CreateLinkedTokenSource(ct);
            }

            private sealed class Closer
            {
                public void Close(C owner) => owner._viaNested?.Dispose();
            }
        }
        """);

    [Fact]
    public Task Reports_FieldForgottenByADisposeInAnotherPartialDeclaration() => VerifyAsync("""
        using System;
        using System.Threading;

        partial class Session : IDisposable
        {
            private readonly CancellationTokenSource _lifetime;

            public Session(CancellationToken appStopping) => _lifetime = {|GOV5001:CancellationTokenSource.CreateLinkedTokenSource(appStopping)|};

            public CancellationToken Token => _lifetime.Token;
        }
        """, """
        partial class Session
        {
            public void Dispose() { }
        }
        """);

    [Fact]
    public Task NoReport_FieldDisposedByTheDisposeInAnotherPartialDeclaration() => VerifyAsync("""
        using System;
        using System.Threading;

        partial class Session : IDisposable
        {
            private readonly CancellationTokenSource _lifetime;

            public Session(CancellationToken appStopping) => _lifetime = CancellationTokenSource.CreateLinkedTokenSource(appStopping);

            public CancellationToken Token => _lifetime.Token;
        }
        """, """
        partial class Session
        {
            public void Dispose() => _lifetime.Dispose();
        }
        """);

    [Fact]
    public Task NoReport_IncompleteCode_SyntaxErrors() => VerifyAsync("""
        using System.Threading;
        using System.Threading.Tasks;

        class C
        {
            async Task UsingWithoutCloseParenAsync(CancellationToken ct)
            {
                await Task.Yield();
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct{|CS1026:|}{|CS1002:|}
            }

            void DisposedAfterAMissingArgument(CancellationToken ct)
            {
                var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, {|CS1525:)|};
                linked.Dispose();
            }

            void DisposedInAnUnfinishedTry(CancellationToken ct)
            {
                var linked = CancellationTokenSource.CreateLinkedTokenSource(ct);
                try
                {
                    linked.Token.ThrowIfCancellationRequested({|CS1026:|}{|CS1002:|}
                }
                finally
                {
                    linked.Dispose();
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
                using System.Threading;

                class C
                {
                    void M(CancellationToken ct)
                    {
                        var linked = CancellationTokenSource.CreateLinkedTokenSource(ct{|CS1026:|}{|CS1002:|}
                    }
                }
                """,
        };
        test.ExpectedDiagnostics.Add(new DiagnosticResult(DiagnosticIds.LinkedSourceNeverDisposed, Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).WithSpan(7, 22, 8, 1));
        return test.RunAsync();
    }
}
