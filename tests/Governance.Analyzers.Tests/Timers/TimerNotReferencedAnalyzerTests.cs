using Governance.Analyzers.Tests.Verifiers;
using Governance.Analyzers.Timers;

namespace Governance.Analyzers.Tests.Timers;

public sealed class TimerNotReferencedAnalyzerTests
{
    private static Task VerifyAsync(params string[] sources) => Verify<TimerNotReferencedAnalyzer>.AnalyzerAsync(sources);

    [Fact]
    public Task Reports_TimerCreatedAsStatement() => VerifyAsync("""
        using System.Threading;

        class C
        {
            void M()
            {
                [|new Timer(_ => { }, null, 0, 1000)|];
            }
        }
        """);

    [Fact]
    public Task Reports_TimerAssignedToDiscard() => VerifyAsync("""
        using System;
        using System.Threading;

        class C
        {
            void M(TimeProvider time)
            {
                _ = [|new Timer(_ => { }, null, 5000, Timeout.Infinite)|];
                _ = [|time.CreateTimer(_ => { }, null, TimeSpan.Zero, TimeSpan.FromSeconds(1))|];
            }
        }
        """);

    [Fact]
    public Task NoReport_TimerStoredOrReturned() => VerifyAsync("""
        using System.Threading;

        class C
        {
            private Timer? _timer;

            void M()
            {
                _timer = new Timer(_ => { }, null, 0, 1000);
                using var local = new Timer(_ => { }, null, 0, 1000);
            }

            Timer Create() => new Timer(_ => { }, null, 0, 1000);
        }
        """);

    [Fact]
    public Task NoReport_TimersThatDoNotStartOnCreation() => VerifyAsync("""
        using System;
        using System.Threading;

        class C
        {
            void M()
            {
                new System.Timers.Timer(1000);
                _ = new PeriodicTimer(TimeSpan.FromSeconds(1));
                new Timer(_ => { });
                new Timer(_ => { }, null, Timeout.Infinite, 1000);
            }
        }
        """);

    [Fact]
    public Task NoReport_UserTypeNamedTimer() => VerifyAsync("""
        class Timer
        {
            public Timer(System.Action callback) { }
        }

        class C
        {
            void M()
            {
                new Timer(() => { });
            }
        }
        """);
}
