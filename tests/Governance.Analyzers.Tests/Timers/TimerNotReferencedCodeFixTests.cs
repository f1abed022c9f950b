using Governance.Analyzers.Tests.Verifiers;
using Governance.Analyzers.Timers;

namespace Governance.Analyzers.Tests.Timers;

public sealed class TimerNotReferencedCodeFixTests
{
    private static Task VerifyAsync(string source, string fixedSource)
        => Verify<TimerNotReferencedAnalyzer>.CodeFixAsync<TimerNotReferencedCodeFix>(source, fixedSource);

    [Fact]
    public Task Fix_StatementInConstructorBecomesReadonlyFieldDisposedWithType() => VerifyAsync("""
        using System.Threading;
        using System.Threading.Tasks;
        using Microsoft.Extensions.Hosting;

        class Heartbeat : IHostedService
        {
            public Heartbeat()
            {
                // Beat every second.
                [|new Timer(_ => Beat(), null, 0, 1000)|];
            }

            private static void Beat() { }

            public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

            public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        }
        """ + TimerNeverDisposedCodeFixTests.ContainerStubs, """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using Microsoft.Extensions.Hosting;

        class Heartbeat : IHostedService, IDisposable
        {
            private readonly Timer _timer;

            public Heartbeat()
            {
                // Beat every second.
                _timer = new Timer(_ => Beat(), null, 0, 1000);
            }

            private static void Beat() { }

            public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

            public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

            public void Dispose()
            {
                _timer?.Dispose();
            }
        }
        """ + TimerNeverDisposedCodeFixTests.ContainerStubs);

    [Fact]
    public Task Fix_DiscardInMethodReplacesAndDisposesPreviousTimer() => VerifyAsync("""
        #nullable enable
        using System;
        using System.Threading;

        sealed class Heartbeat : IDisposable
        {
            private int _beats;

            public void Start()
            {
                _ = [|new Timer(_ => _beats++, null, 0, 1000)|];
            }

            public void Dispose()
            {
            }
        }
        """, """
        #nullable enable
        using System;
        using System.Threading;

        sealed class Heartbeat : IDisposable
        {
            private int _beats;
            private Timer? _timer;

            public void Start()
            {
                _timer?.Dispose();
                _timer = new Timer(_ => _beats++, null, 0, 1000);
            }

            public void Dispose()
            {
                _timer?.Dispose();
            }
        }
        """);

    [Fact]
    public Task Fix_FixAllGivesEachTimerItsOwnFieldNamedAsTheTypeNamesItsFields() => VerifyAsync("""
        using System;
        using System.Threading;

        class Heartbeat : IDisposable
        {
            private int m_beats;

            public Heartbeat()
            {
                [|new Timer(_ => m_beats++, null, 0, 1000)|];
                [|new Timer(_ => { }, null, 0, 5000)|];
            }

            public void Dispose()
            {
            }
        }
        """, """
        using System;
        using System.Threading;

        class Heartbeat : IDisposable
        {
            private int m_beats;
            private readonly Timer m_timer;
            private readonly Timer m_timer2;

            public Heartbeat()
            {
                m_timer = new Timer(_ => m_beats++, null, 0, 1000);
                m_timer2 = new Timer(_ => { }, null, 0, 5000);
            }

            public void Dispose()
            {
                m_timer?.Dispose();
                m_timer2?.Dispose();
            }
        }
        """);

    [Fact]
    public Task NoFix_TimerPerCallWithItsOwnStateOrOneShotOrInTypeNobodyDisposes()
    {
        // One field would keep only the last of the timers the method makes per call (per path, per retry), and
        // cancel the pending callbacks of the others; a Dispose() added to Cache would be called by nobody.
        var source = """
            using System;
            using System.Threading;

            sealed class Watcher : IDisposable
            {
                public void Watch(string path)
                {
                    _ = [|new Timer(_ => Check(path), null, 0, 1000)|];
                }

                public void RetryLater()
                {
                    [|new Timer(_ => Retry(), null, 5000, Timeout.Infinite)|];
                }

                private static void Check(string path) { }

                private static void Retry() { }

                public void Dispose()
                {
                }
            }

            sealed class Cache
            {
                public Cache()
                {
                    [|new Timer(_ => { }, null, 0, 60000)|];
                }
            }
            """;
        return VerifyAsync(source, source);
    }
}
