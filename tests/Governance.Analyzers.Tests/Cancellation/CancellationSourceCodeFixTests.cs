using Governance.Analyzers.Cancellation;
using Governance.Analyzers.Tests.Verifiers;

namespace Governance.Analyzers.Tests.Cancellation;

public sealed class CancellationSourceCodeFixTests
{
    private static Task VerifyAsync(string source, string fixedSource)
        => Verify<CancellationSourceAnalyzer>.CodeFixAsync<CancellationSourceCodeFix>(source, fixedSource);

    [Fact]
    public Task Fix_LinkedLocalBecomesUsingVarKeepingCommentsAndConfigureAwait() => VerifyAsync("""
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        class Client
        {
            private readonly HttpClient _http = new();

            public async Task<string> GetAsync(string url, CancellationToken requestAborted, CancellationToken stopping)
            {
                // Either the caller or shutdown ends the call.
                var linked = {|GOV5001:CancellationTokenSource.CreateLinkedTokenSource(requestAborted, stopping)|}; // per call
                return await _http.GetStringAsync(url, linked.Token).ConfigureAwait(false);
            }
        }
        """, """
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        class Client
        {
            private readonly HttpClient _http = new();

            public async Task<string> GetAsync(string url, CancellationToken requestAborted, CancellationToken stopping)
            {
                // Either the caller or shutdown ends the call.
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, stopping); // per call
                return await _http.GetStringAsync(url, linked.Token).ConfigureAwait(false);
            }
        }
        """);

    [Fact]
    public Task Fix_TimerLocalWithExplicitTypeAndTokenCopyBecomesUsing() => VerifyAsync("""
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        class C
        {
            async Task<bool> WaitAsync(Task work)
            {
                CancellationTokenSource timeout = {|GOV5002:new CancellationTokenSource(TimeSpan.FromSeconds(5))|};
                var token = timeout.Token;
                var delay = Task.Delay(Timeout.Infinite, token);
                return await Task.WhenAny(work, delay) == work && !token.IsCancellationRequested;
            }
        }
        """, """
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        class C
        {
            async Task<bool> WaitAsync(Task work)
            {
                using CancellationTokenSource timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                var token = timeout.Token;
                var delay = Task.Delay(Timeout.Infinite, token);
                return await Task.WhenAny(work, delay) == work && !token.IsCancellationRequested;
            }
        }
        """);

    [Fact]
    public Task Fix_LocalDisposedOnSomePathsAndInsideAwaitedDelegate() => VerifyAsync("""
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        static class Retry
        {
            public static Task ExecuteAsync(Func<Task> action) => action();
        }

        class C
        {
            async Task<bool> M(bool skip, Func<CancellationToken, Task> send, CancellationToken ct)
            {
                var linked = {|GOV5001:CancellationTokenSource.CreateLinkedTokenSource(ct)|};
                if (skip)
                {
                    return false;
                }

                await Retry.ExecuteAsync(() => send(linked.Token));
                linked.Dispose();
                return true;
            }
        }
        """, """
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        static class Retry
        {
            public static Task ExecuteAsync(Func<Task> action) => action();
        }

        class C
        {
            async Task<bool> M(bool skip, Func<CancellationToken, Task> send, CancellationToken ct)
            {
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct);
                if (skip)
                {
                    return false;
                }

                await Retry.ExecuteAsync(() => send(linked.Token));
                linked.Dispose();
                return true;
            }
        }
        """);

    [Fact]
    public Task Fix_FixAllTurnsEveryLocalIntoUsingVar() => VerifyAsync("""
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        class C
        {
            async Task M(Func<CancellationToken, Task> send, CancellationToken ct)
            {
                var linked = {|GOV5001:CancellationTokenSource.CreateLinkedTokenSource(ct)|};
                await send(linked.Token);
            }

            async Task N(Func<CancellationToken, Task> send)
            {
                var timeout = {|GOV5002:new CancellationTokenSource()|};
                timeout.CancelAfter(1000);
                await send(timeout.Token);
            }
        }
        """, """
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        class C
        {
            async Task M(Func<CancellationToken, Task> send, CancellationToken ct)
            {
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct);
                await send(linked.Token);
            }

            async Task N(Func<CancellationToken, Task> send)
            {
                using var timeout = new CancellationTokenSource();
                timeout.CancelAfter(1000);
                await send(timeout.Token);
            }
        }
        """);

    [Fact]
    public Task Fix_NotOfferedWhenTheTokenOutlivesTheMethod()
    {
        const string source = """
            using System;
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Tasks;

            class C
            {
                private Task? _running;

                // The returned task still uses the token: disposing the source at the end of the method would detach it.
                Task Returned(Func<CancellationToken, Task> send, CancellationToken ct)
                {
                    var linked = {|GOV5001:CancellationTokenSource.CreateLinkedTokenSource(ct)|};
                    return send(linked.Token);
                }

                void Stored(Func<CancellationToken, Task> send)
                {
                    var timeout = {|GOV5002:new CancellationTokenSource(5000)|};
                    _running = send(timeout.Token);
                }

                IEnumerable<int> Lazy(CancellationToken ct)
                {
                    var linked = {|GOV5001:CancellationTokenSource.CreateLinkedTokenSource(ct)|};
                    return Numbers(linked.Token);
                }

                void Registered(Action onTimeout)
                {
                    var timeout = {|GOV5002:new CancellationTokenSource(5000)|};
                    timeout.Token.Register(onTimeout);
                }

                static IEnumerable<int> Numbers(CancellationToken ct)
                {
                    yield return 1;
                }
            }
            """;
        return VerifyAsync(source, source);
    }

    [Fact]
    public Task Fix_NotOfferedWhenTheLocalIsReassigned()
    {
        const string source = """
            using System.Threading;
            using System.Threading.Tasks;

            class C
            {
                async Task M(CancellationToken ct)
                {
                    var linked = {|GOV5001:CancellationTokenSource.CreateLinkedTokenSource(ct)|};
                    await Task.Delay(10, linked.Token);
                    linked = new CancellationTokenSource();
                    await Task.Delay(10, linked.Token);
                }
            }
            """;
        return VerifyAsync(source, source);
    }

    [Fact]
    public Task Fix_FieldAppendedToTheDisposeThatForgotIt() => VerifyAsync("""
        using System;
        using System.IO;
        using System.Threading;

        sealed class Session : IDisposable
        {
            private readonly Stream _stream = new MemoryStream();
            private readonly CancellationTokenSource _lifetime;

            public Session(CancellationToken appStopping)
                => _lifetime = {|GOV5001:CancellationTokenSource.CreateLinkedTokenSource(appStopping)|};

            public void Dispose()
            {
                _lifetime.Cancel();
                _stream.Dispose();
            }
        }
        """, """
        using System;
        using System.IO;
        using System.Threading;

        sealed class Session : IDisposable
        {
            private readonly Stream _stream = new MemoryStream();
            private readonly CancellationTokenSource _lifetime;

            public Session(CancellationToken appStopping)
                => _lifetime = CancellationTokenSource.CreateLinkedTokenSource(appStopping);

            public void Dispose()
            {
                _lifetime.Cancel();
                _stream.Dispose();
                _lifetime?.Dispose();
            }
        }
        """);

    [Fact]
    public Task Fix_TimerFieldAppendedToAnEmptyDispose() => VerifyAsync("""
        using System;
        using System.Threading;

        sealed class JobContext : IDisposable
        {
            private readonly CancellationTokenSource _deadline;

            public JobContext(TimeSpan limit) => _deadline = {|GOV5002:new CancellationTokenSource(limit)|};

            public CancellationToken Token => _deadline.Token;

            public void Dispose()
            {
            }
        }
        """, """
        using System;
        using System.Threading;

        sealed class JobContext : IDisposable
        {
            private readonly CancellationTokenSource _deadline;

            public JobContext(TimeSpan limit) => _deadline = new CancellationTokenSource(limit);

            public CancellationToken Token => _deadline.Token;

            public void Dispose()
            {
                _deadline?.Dispose();
            }
        }
        """);

    [Fact]
    public Task Fix_FixAllDisposesBothFieldsInTheDisposePattern() => VerifyAsync("""
        using System;
        using System.Threading;

        class JobContext : IDisposable
        {
            private readonly CancellationTokenSource _deadline;
            private readonly CancellationTokenSource _linked;

            public JobContext(TimeSpan limit, CancellationToken stopping)
            {
                _deadline = {|GOV5002:new CancellationTokenSource(limit)|};
                _linked = {|GOV5001:CancellationTokenSource.CreateLinkedTokenSource(_deadline.Token, stopping)|};
            }

            protected virtual void Dispose(bool disposing)
            {
                if (disposing)
                {
                }
            }

            public void Dispose()
            {
                Dispose(true);
                GC.SuppressFinalize(this);
            }
        }
        """, """
        using System;
        using System.Threading;

        class JobContext : IDisposable
        {
            private readonly CancellationTokenSource _deadline;
            private readonly CancellationTokenSource _linked;

            public JobContext(TimeSpan limit, CancellationToken stopping)
            {
                _deadline = new CancellationTokenSource(limit);
                _linked = CancellationTokenSource.CreateLinkedTokenSource(_deadline.Token, stopping);
            }

            protected virtual void Dispose(bool disposing)
            {
                if (disposing)
                {
                    _deadline?.Dispose();
                    _linked?.Dispose();
                }
            }

            public void Dispose()
            {
                Dispose(true);
                GC.SuppressFinalize(this);
            }
        }
        """);

    [Fact]
    public Task Fix_NotOfferedForATypeNobodyDisposes()
    {
        // The type can be stopped but nobody disposes it: adding IDisposable and a Dispose method would add a method
        // nothing calls.
        const string source = """
            using System;
            using System.Threading;

            sealed class Poller
            {
                private readonly CancellationTokenSource _deadline = {|GOV5002:new CancellationTokenSource(TimeSpan.FromMinutes(5))|};

                public CancellationToken Deadline => _deadline.Token;

                public void Stop() { }
            }
            """;
        return VerifyAsync(source, source);
    }

    [Fact]
    public Task Fix_AppendedToADisposeMethodOfATypeWithoutTheInterface() => VerifyAsync("""
        using System.Threading;

        sealed class Lease
        {
            private readonly CancellationTokenSource _renewal;

            public Lease(CancellationToken stopping) => _renewal = {|GOV5001:CancellationTokenSource.CreateLinkedTokenSource(stopping)|};

            public CancellationToken Renewal => _renewal.Token;

            public void Dispose() => _renewal.Cancel();
        }
        """, """
        using System.Threading;

        sealed class Lease
        {
            private readonly CancellationTokenSource _renewal;

            public Lease(CancellationToken stopping) => _renewal = CancellationTokenSource.CreateLinkedTokenSource(stopping);

            public CancellationToken Renewal => _renewal.Token;

            public void Dispose()
            {
                _renewal.Cancel();
                _renewal?.Dispose();
            }
        }
        """);

    [Fact]
    public Task Fix_ReassignmentAfterCancelDisposesThePreviousSource() => VerifyAsync("""
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        sealed class Poller : IDisposable
        {
            private CancellationTokenSource? _cycle;
            private Task _running = Task.CompletedTask;

            public async Task RestartAsync(CancellationToken appStopping)
            {
                _cycle?.Cancel();
                await _running.ConfigureAwait(false);
                _cycle = {|GOV5001:CancellationTokenSource.CreateLinkedTokenSource(appStopping)|};
                _running = Task.Delay(1000, _cycle.Token);
            }

            public void Dispose() => _cycle?.Dispose();
        }
        """, """
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        sealed class Poller : IDisposable
        {
            private CancellationTokenSource? _cycle;
            private Task _running = Task.CompletedTask;

            public async Task RestartAsync(CancellationToken appStopping)
            {
                _cycle?.Cancel();
                await _running.ConfigureAwait(false);
                _cycle?.Dispose();
                _cycle = CancellationTokenSource.CreateLinkedTokenSource(appStopping);
                _running = Task.Delay(1000, _cycle.Token);
            }

            public void Dispose() => _cycle?.Dispose();
        }
        """);

    [Fact]
    public Task Fix_ReassignmentAfterAwaitedCancelAsyncInALoopKeepsTheQualifier() => VerifyAsync("""
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        sealed class Reconnector : IDisposable
        {
            private CancellationTokenSource _attempt = new();

            public async Task RunAsync(Func<CancellationToken, Task<bool>> connect, CancellationToken stopping)
            {
                while (!stopping.IsCancellationRequested)
                {
                    await this._attempt.CancelAsync();
                    this._attempt = {|GOV5001:CancellationTokenSource.CreateLinkedTokenSource(stopping)|};
                    if (await connect(this._attempt.Token))
                    {
                        return;
                    }
                }
            }

            public void Dispose() => _attempt.Dispose();
        }
        """, """
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        sealed class Reconnector : IDisposable
        {
            private CancellationTokenSource _attempt = new();

            public async Task RunAsync(Func<CancellationToken, Task<bool>> connect, CancellationToken stopping)
            {
                while (!stopping.IsCancellationRequested)
                {
                    await this._attempt.CancelAsync();
                    this._attempt?.Dispose();
                    this._attempt = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                    if (await connect(this._attempt.Token))
                    {
                        return;
                    }
                }
            }

            public void Dispose() => _attempt.Dispose();
        }
        """);

    [Fact]
    public Task Fix_ReassignmentWithoutCancelIsNotFixed()
    {
        // Disposing a source that may still be in use would detach its token from the parent: no fix.
        const string source = """
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

                public void Dispose() => _round.Dispose();
            }
            """;
        return VerifyAsync(source, source);
    }

    [Fact]
    public Task Fix_FieldDisposedInTheDisposeOfAnotherPartialPart()
    {
        var test = new CodeFixTest<CancellationSourceAnalyzer, CancellationSourceCodeFix>();
        test.TestState.Sources.Add(("/0/JobContext.cs", """
            using System;
            using System.Threading;

            partial class JobContext : IDisposable
            {
                private readonly CancellationTokenSource _timeout;

                public JobContext(TimeSpan limit) => _timeout = {|GOV5002:new CancellationTokenSource(limit)|};

                public CancellationToken Token => _timeout.Token;
            }
            """));
        test.TestState.Sources.Add(("/0/JobContext.Dispose.cs", """
            partial class JobContext
            {
                public void Dispose()
                {
                }
            }
            """));
        test.FixedState.Sources.Add(("/0/JobContext.cs", """
            using System;
            using System.Threading;

            partial class JobContext : IDisposable
            {
                private readonly CancellationTokenSource _timeout;

                public JobContext(TimeSpan limit) => _timeout = new CancellationTokenSource(limit);

                public CancellationToken Token => _timeout.Token;
            }
            """));
        test.FixedState.Sources.Add(("/0/JobContext.Dispose.cs", """
            partial class JobContext
            {
                public void Dispose()
                {
                    _timeout?.Dispose();
                }
            }
            """));
        return test.RunAsync();
    }
}
