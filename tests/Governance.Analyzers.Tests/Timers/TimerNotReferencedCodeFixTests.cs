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

        class Heartbeat
        {
            public Heartbeat()
            {
                // Beat every second.
                [|new Timer(_ => Beat(), null, 0, 1000)|];
            }

            private static void Beat() { }
        }
        """, """
        using System;
        using System.Threading;

        class Heartbeat : IDisposable
        {
            private readonly Timer _timer;

            public Heartbeat()
            {
                // Beat every second.
                _timer = new Timer(_ => Beat(), null, 0, 1000);
            }

            private static void Beat() { }

            public void Dispose()
            {
                _timer?.Dispose();
            }
        }
        """);

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
    public Task Fix_FixAllGivesEachTimerItsOwnField() => VerifyAsync("""
        using System.Threading;

        class Heartbeat
        {
            public Heartbeat()
            {
                [|new Timer(_ => { }, null, 0, 1000)|];
                [|new Timer(_ => { }, null, 0, 5000)|];
            }
        }
        """, """
        using System;
        using System.Threading;

        class Heartbeat : IDisposable
        {
            private readonly Timer _timer;
            private readonly Timer _timer2;

            public Heartbeat()
            {
                _timer = new Timer(_ => { }, null, 0, 1000);
                _timer2 = new Timer(_ => { }, null, 0, 5000);
            }

            public void Dispose()
            {
                _timer?.Dispose();
                _timer2?.Dispose();
            }
        }
        """);
}
