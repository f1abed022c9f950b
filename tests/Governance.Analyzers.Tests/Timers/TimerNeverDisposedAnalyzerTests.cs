using Governance.Analyzers.Tests.Verifiers;
using Governance.Analyzers.Timers;

namespace Governance.Analyzers.Tests.Timers;

public sealed class TimerNeverDisposedAnalyzerTests
{
    private static Task VerifyAsync(params string[] sources) => Verify<TimerNeverDisposedAnalyzer>.AnalyzerAsync(sources);

    [Fact]
    public Task Reports_LocalThreadingTimerNeverDisposed() => VerifyAsync("""
        using System.Threading;

        class C
        {
            void M()
            {
                var timer = [|new Timer(_ => { }, null, 0, 1000)|];
                timer.Change(0, 500);
            }
        }
        """);

    [Fact]
    public Task Reports_LocalPeriodicTimerNeverDisposed() => VerifyAsync("""
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        class C
        {
            async Task RunAsync(CancellationToken ct)
            {
                var timer = [|new PeriodicTimer(TimeSpan.FromSeconds(1))|];
                while (await timer.WaitForNextTickAsync(ct))
                {
                }
            }
        }
        """);

    [Fact]
    public Task Reports_LocalTimeProviderTimerNeverDisposed() => VerifyAsync("""
        using System;
        using System.Threading;

        class C
        {
            void M(TimeProvider time)
            {
                ITimer timer = [|time.CreateTimer(_ => { }, null, TimeSpan.Zero, TimeSpan.FromSeconds(1))|];
                timer.Change(TimeSpan.Zero, TimeSpan.FromSeconds(2));
            }
        }
        """);

    [Fact]
    public Task Reports_LocalSystemTimersTimerWithHandlerOnly() => VerifyAsync("""
        class C
        {
            void M()
            {
                var timer = [|new System.Timers.Timer(1000)|];
                timer.Elapsed += (_, _) => { };
                timer.Start();
            }
        }
        """);

    [Fact]
    public Task Reports_FieldNeverDisposedInAnyMethod() => VerifyAsync("""
        using System.Threading;

        class Poller
        {
            private readonly Timer _timer;

            public Poller() => _timer = [|new Timer(_ => Poll(), null, 0, 1000)|];

            private static void Poll() { }
        }
        """);

    [Fact]
    public Task Reports_FieldInitializerNeverDisposed() => VerifyAsync("""
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        class Poller
        {
            private readonly PeriodicTimer _timer = [|new PeriodicTimer(TimeSpan.FromSeconds(1))|];

            public ValueTask<bool> WaitAsync() => _timer.WaitForNextTickAsync();
        }
        """);

    [Fact]
    public Task Reports_PrivateAutoPropertyNeverDisposed() => VerifyAsync("""
        using System.Threading;

        class Poller
        {
            private Timer Ticker { get; } = [|new Timer(_ => { }, null, 0, 1000)|];
        }
        """);

    [Fact]
    public Task Reports_FieldReassignedWithoutDisposingPrevious() => VerifyAsync("""
        using System;
        using System.Threading;

        sealed class Poller : IDisposable
        {
            private Timer _timer = new Timer(_ => { }, null, 0, 1000);

            public void Reschedule(int period)
            {
                _timer = [|new Timer(_ => { }, null, 0, period)|];
            }

            public void Dispose() => _timer.Dispose();
        }
        """);

    [Fact]
    public Task Reports_SelfReschedulingCallbackThatDropsPrevious() => VerifyAsync("""
        using System;
        using System.Threading;

        sealed class Poller : IDisposable
        {
            private Timer? _timer;

            private void Tick(object? state)
            {
                _timer = [|new Timer(Tick, null, 1000, 1000)|];
            }

            public void Dispose() => _timer?.Dispose();
        }
        """);

    [Fact]
    public Task NoReport_UsingDeclarationAndStatement() => VerifyAsync("""
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        class C
        {
            async Task RunAsync(CancellationToken ct)
            {
                using var periodic = new PeriodicTimer(TimeSpan.FromSeconds(1));
                while (await periodic.WaitForNextTickAsync(ct)) { }
                using (var timer = new Timer(_ => { }, null, 0, 1000))
                {
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_LocalDisposedExplicitlyOrConditionally() => VerifyAsync("""
        using System.Threading;

        class C
        {
            void M()
            {
                var a = new Timer(_ => { }, null, 0, 1000);
                a.Dispose();
                Timer? b = new Timer(_ => { }, null, 0, 1000);
                b?.Dispose();
                var c = new System.Timers.Timer(100);
                c.Stop();
            }
        }
        """);

    [Fact]
    public Task NoReport_FieldDisposedWithNullConditional() => VerifyAsync("""
        using System;
        using System.Threading;

        sealed class Poller : IDisposable
        {
            private Timer? _timer;

            public void Start() => _timer = new Timer(_ => { }, null, 0, 1000);

            public void Dispose() => _timer?.Dispose();
        }
        """);

    [Fact]
    public Task NoReport_FieldDisposedThroughInterlockedExchange() => VerifyAsync("""
        using System.Threading;

        sealed class Poller
        {
            private Timer? _timer;

            public void Start() => _timer = new Timer(_ => { }, null, 0, 1000);

            public void Stop() => Interlocked.Exchange(ref _timer, null)?.Dispose();
        }
        """);

    [Fact]
    public Task NoReport_FieldDisposedThroughLocalCopy() => VerifyAsync("""
        using System.Threading;

        sealed class Poller
        {
            private Timer? _timer;

            public Poller() => _timer = new Timer(_ => { }, null, 0, 1000);

            public void Stop()
            {
                var timer = _timer;
                _timer = null;
                timer?.Dispose();
            }
        }
        """);

    [Fact]
    public Task NoReport_FieldDisposedInCompletionMethodOrStoppedOrChangedToInfinite() => VerifyAsync("""
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        sealed class Service
        {
            private readonly Timer _a = new Timer(_ => { }, null, 0, 1000);
            private readonly System.Timers.Timer _b = new System.Timers.Timer(1000);
            private readonly Timer _c = new Timer(_ => { }, null, 0, 1000);
            private readonly System.Timers.Timer _d = new System.Timers.Timer(1000);

            public Task StopAsync(CancellationToken ct)
            {
                _a.Dispose();
                _b.Stop();
                _c.Change(Timeout.Infinite, Timeout.Infinite);
                _d.Enabled = false;
                return Task.CompletedTask;
            }
        }
        """);

    [Fact]
    public Task NoReport_FieldDisposedByNestedType() => VerifyAsync("""
        using System;
        using System.Threading;

        sealed class Outer
        {
            private readonly Timer _timer = new Timer(_ => { }, null, 0, 1000);

            public IDisposable CreateHandle() => new Handle(this);

            private sealed class Handle : IDisposable
            {
                private readonly Outer _owner;

                public Handle(Outer owner) => _owner = owner;

                public void Dispose() => _owner._timer.Dispose();
            }
        }
        """);

    [Fact]
    public Task NoReport_FieldDisposedInFinalizer() => VerifyAsync("""
        using System.Threading;

        sealed class Poller
        {
            private readonly Timer _timer = new Timer(_ => { }, null, 0, 1000);

            ~Poller() => _timer.Dispose();
        }
        """);

    [Fact]
    public Task NoReport_FieldDisposedInAnotherPartialDeclaration() => VerifyAsync("""
        using System.Threading;

        partial class Poller
        {
            private readonly Timer _timer = new Timer(_ => { }, null, 0, 1000);
        }
        """, """
        using System;

        partial class Poller : IDisposable
        {
            public void Dispose() => _timer.Dispose();
        }
        """);

    [Fact]
    public Task NoReport_TimerEscapes() => VerifyAsync("""
        using System.Collections.Concurrent;
        using System.Collections.Generic;
        using System.Threading;

        class Registry
        {
            private readonly ConcurrentDictionary<string, Timer> _perKey = new();
            private readonly List<Timer> _all = new();

            Timer Create() => new Timer(_ => { }, null, 0, 1000);

            Timer CreateLocal()
            {
                var timer = new Timer(_ => { }, null, 0, 1000);
                return timer;
            }

            void Track(string key)
            {
                var timer = new Timer(_ => { }, null, 0, 1000);
                _perKey[key] = timer;
                var other = new Timer(_ => { }, null, 0, 1000);
                _all.Add(other);
                Keep(new Timer(_ => { }, null, 0, 1000));
            }

            static void Keep(Timer timer) { }
        }
        """);

    [Fact]
    public Task NoReport_TimerAssignedToMemberOfAnotherObjectOrNonPrivateMember() => VerifyAsync("""
        using System.Threading;

        class Job
        {
            public Timer? Timer { get; set; }
        }

        class Scheduler
        {
            public Timer? Shared;
            protected Timer? Inherited;

            void Schedule(Job job)
            {
                job.Timer = new Timer(_ => { }, null, 0, 1000);
                Shared = new Timer(_ => { }, null, 0, 1000);
                Inherited = new Timer(_ => { }, null, 0, 1000);
            }
        }
        """);

    [Fact]
    public Task NoReport_CapturedByItsOwnCallback() => VerifyAsync("""
        using System.Threading;

        class C
        {
            void OneShot()
            {
                Timer? timer = null;
                timer = new Timer(_ => { timer!.Dispose(); }, null, 1000, Timeout.Infinite);
            }
        }
        """);

    [Fact]
    public Task NoReport_StaticFieldAssignedOnceOrUnderNullGuard() => VerifyAsync("""
        using System.Threading;

        static class Heartbeat
        {
            private static readonly Timer s_initialized = new Timer(_ => { }, null, 0, 1000);
            private static Timer? s_fromStaticConstructor;
            private static Timer? s_lazy;

            static Heartbeat() => s_fromStaticConstructor = new Timer(_ => { }, null, 0, 1000);

            public static void EnsureStarted()
            {
                s_lazy ??= new Timer(_ => { }, null, 0, 1000);
            }
        }
        """);

    [Fact]
    public Task Reports_StaticTimerReplacedByEveryInstance() => VerifyAsync("""
        using System.Threading;

        sealed class Client
        {
            private static Timer? s_heartbeat;

            public Client()
            {
                s_heartbeat = [|new Timer(_ => { }, null, 0, 1000)|];
            }
        }
        """);

    [Fact]
    public Task Reports_StaticTimerAssignedByOrdinaryMethodAndNeverDisposed() => VerifyAsync("""
        using System.Threading;

        static class Metrics
        {
            private static Timer? s_flush;

            public static void Start() => s_flush = [|new Timer(_ => { }, null, 0, 1000)|];
        }
        """);

    [Fact]
    public Task NoReport_StaticTimerCreatedOnceUnderNullCheck() => VerifyAsync("""
        using System.Threading;

        sealed class Client
        {
            private static Timer? s_heartbeat;

            public Client()
            {
                if (s_heartbeat is null)
                {
                    s_heartbeat = new Timer(_ => { }, null, 0, 1000);
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_RecreationDisposesPreviousFirst() => VerifyAsync("""
        using System;
        using System.Threading;

        sealed class Poller : IDisposable
        {
            private Timer _timer = new Timer(_ => { }, null, 0, 1000);

            public void Reschedule(int period)
            {
                _timer.Dispose();
                _timer = new Timer(_ => { }, null, 0, period);
            }

            public void Dispose() => _timer.Dispose();
        }
        """);

    [Fact]
    public Task NoReport_StartStopPairAssignedOnlyInStart() => VerifyAsync("""
        using System.Threading;

        sealed class Poller
        {
            private Timer? _timer;

            public void Start() => _timer = new Timer(_ => { }, null, 0, 1000);

            public void Stop() => _timer?.Dispose();
        }
        """);

    [Fact]
    public Task Reports_LocalInMainEvenThoughTheProcessOwnsIt() => VerifyAsync("""
        using System;
        using System.Threading;

        static class Program
        {
            static void Main()
            {
                // Nothing references the timer after this line: in a Release build it can be collected while
                // Main waits, and stop ticking. `using var` keeps it alive until Main returns.
                var timer = [|new Timer(_ => Console.WriteLine("tick"), null, 0, 1000)|];
                Console.ReadLine();
            }
        }
        """);

    [Fact]
    public Task NoReport_OneShotTimers() => VerifyAsync("""
        using System;
        using System.Threading;

        sealed class Debouncer
        {
            private Timer? _pending;
            private readonly System.Timers.Timer _once = new System.Timers.Timer(500) { AutoReset = false };
            private readonly System.Timers.Timer _later = new System.Timers.Timer(500);

            public Debouncer() => _later.AutoReset = false;

            public void Touch(TimeProvider time)
            {
                _pending = new Timer(_ => { }, null, 500, Timeout.Infinite);
                var local = new Timer(_ => { }, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
                var provided = time.CreateTimer(_ => { }, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
                var zeroPeriod = new Timer(_ => { }, null, 500, 0);
                var named = new Timer(_ => { }, null, period: Timeout.Infinite, dueTime: 500);
                var ownState = new Timer(state => ((Timer)state!).Dispose());
                ownState.Change(500, 0);
                var changed = new Timer(_ => { }, null, Timeout.Infinite, Timeout.Infinite);
                changed.Change(TimeSpan.FromSeconds(1), TimeSpan.Zero);
            }
        }
        """);

    [Fact]
    public Task Reports_OneShotLocalDisposedOnHappyPathButNotBeforeEarlyReturn() => VerifyAsync("""
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        class Probe
        {
            async Task<bool> PingAsync(Func<Task<bool>> send)
            {
                var watchdog = [|new Timer(_ => Console.WriteLine("slow"), null, 5000, Timeout.Infinite)|];
                if (!await send())
                {
                    return false;
                }

                watchdog.Dispose();
                return true;
            }

            bool Check(Func<bool> ok)
            {
                var ticker = [|new Timer(_ => { }, null, 0, 1000)|];
                if (ok())
                {
                    ticker.Dispose();
                }

                return true;
            }
        }
        """);

    [Fact]
    public Task NoReport_LocalDisposedBeforeEveryReturn() => VerifyAsync("""
        using System;
        using System.Threading;

        class Probe
        {
            bool Guarded(Func<bool> ok)
            {
                var watchdog = new Timer(_ => { }, null, 5000, Timeout.Infinite);
                if (!ok())
                {
                    watchdog.Dispose();
                    return false;
                }

                watchdog.Dispose();
                return true;
            }

            bool InFinally(Func<bool> ok)
            {
                var ticker = new Timer(_ => { }, null, 0, 1000);
                try
                {
                    if (!ok())
                    {
                        return false;
                    }

                    return true;
                }
                finally
                {
                    ticker?.Dispose();
                }
            }

            bool InUsingStatement(Func<bool> ok)
            {
                var ticker = new Timer(_ => { }, null, 0, 1000);
                using (ticker)
                {
                    if (!ok())
                    {
                        return false;
                    }
                }

                return true;
            }

            int DisposedFirst(Func<bool> ok)
            {
                var ticker = new Timer(_ => { }, null, 0, 1000);
                ok();
                ticker.Dispose();
                if (ok())
                {
                    return 1;
                }

                Func<int> later = () => { return 2; };
                return later();
            }

            int ReturnBeforeCreation(Func<bool> ok)
            {
                if (ok())
                {
                    return 0;
                }

                var ticker = new Timer(_ => { }, null, 0, 1000);
                ok();
                ticker.Dispose();
                return 1;
            }
        }
        """);

    [Fact]
    public Task Reports_InactiveTimerStartedLaterWithPeriod() => VerifyAsync("""
        using System;
        using System.Threading;

        sealed class Sampler : IDisposable
        {
            private readonly Timer _sample = [|new Timer(_ => { }, null, Timeout.Infinite, Timeout.Infinite)|];
            private readonly ITimer _flush;

            public Sampler(TimeProvider time, TimeSpan interval)
            {
                _flush = [|time.CreateTimer(_ => { }, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan)|];
                _flush.Change(interval, interval);
            }

            public void Start(int periodMs)
            {
                _sample.Change(0, periodMs);
                var local = [|new Timer(_ => { })|];
                local.Change(TimeSpan.Zero, TimeSpan.FromSeconds(1));
            }

            public void Dispose()
            {
            }
        }
        """);

    [Fact]
    public Task Reports_OneShotFieldForgottenByDisposeOrStop() => VerifyAsync("""
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        sealed class Session : IAsyncDisposable
        {
            private readonly Timer _expiry = [|new Timer(_ => { }, null, 30000, Timeout.Infinite)|];
            private Timer? _retry;

            public void ScheduleRetry() => _retry = [|new Timer(_ => { }, null, 1000, Timeout.Infinite)|];

            public ValueTask DisposeAsync() => default;
        }

        sealed class Worker
        {
            private System.Timers.Timer? _grace;

            public void Begin() => _grace = [|new System.Timers.Timer(500) { AutoReset = false }|];

            public void Stop()
            {
            }
        }
        """);

    [Fact]
    public Task NoReport_OneShotFieldStoppedSomewhereOrTypeWithoutDisposal() => VerifyAsync("""
        using System;
        using System.Threading;

        sealed class Session : IDisposable
        {
            private Timer? _expiry;

            public void Touch() => _expiry = new Timer(_ => Expire(), null, 30000, Timeout.Infinite);

            private void Expire() => _expiry?.Dispose();

            public void Dispose()
            {
            }
        }

        sealed class Debounce
        {
            private Timer? _pending;

            public void Touch() => _pending = new Timer(_ => { }, null, 300, Timeout.Infinite);
        }
        """);

    [Fact]
    public Task NoReport_TimerOfProcessLifetimeSingleton() => VerifyAsync("""
        using System;
        using System.Threading;

        sealed class Wheel
        {
            private static readonly Lazy<Wheel> s_instance = new Lazy<Wheel>(() => new Wheel());
            private readonly Timer _tick;

            private Wheel() => _tick = new Timer(_ => { }, null, 0, 250);

            public static Wheel Instance => s_instance.Value;
        }

        sealed class Clock
        {
            public static readonly Clock Shared = new Clock();
            private readonly Timer _tick = new Timer(_ => { }, null, 0, 1000);

            private Clock() { }
        }

        sealed class Registry
        {
            private static Registry? s_current;
            private readonly Timer _sweep = new Timer(_ => { }, null, 0, 60000);

            private Registry() { }

            public static Registry Current => s_current ??= new Registry();
        }
        """);

    [Fact]
    public Task NoReport_TimerOfSingletonMadeUnderNullCheckOrByAFactoryOfTheStaticInstance() => VerifyAsync("""
        using System;
        using System.Threading;

        sealed class Cache
        {
            private static readonly object s_gate = new object();
            private static Cache? s_instance;
            private readonly Timer _sweep;

            private Cache() => _sweep = new Timer(_ => { }, null, 0, 60000);

            public static Cache Instance
            {
                get
                {
                    if (s_instance == null)
                    {
                        lock (s_gate)
                        {
                            if (s_instance == null)
                            {
                                s_instance = new Cache();
                            }
                        }
                    }

                    return s_instance;
                }
            }
        }

        sealed class Wheel
        {
            private static readonly Lazy<Wheel> s_instance = new Lazy<Wheel>(Create);
            private readonly Timer _tick;

            private Wheel() => _tick = new Timer(_ => { }, null, 0, 250);

            public static Wheel Instance => s_instance.Value;

            private static Wheel Create() => new Wheel();
        }

        sealed class Clock
        {
            private static Clock? s_shared;
            private readonly Timer _tick = new Timer(_ => { }, null, 0, 1000);

            private Clock() { }

            public static Clock Shared => s_shared ?? (s_shared = new Clock());
        }

        sealed class Registry
        {
            public static Registry Current { get; } = new();
            private readonly Timer _sweep;

            static Registry() { }

            private Registry() => _sweep = new Timer(_ => { }, null, 0, 60000);
        }
        """);

    [Fact]
    public Task Reports_TimerOfSingletonThatCanBeMadeAgain() => VerifyAsync("""
        using System.Threading;

        sealed class Cache
        {
            private static Cache? s_instance;
            private readonly Timer _sweep;

            private Cache() => _sweep = [|new Timer(_ => { }, null, 0, 60000)|];

            public static Cache Instance
            {
                get
                {
                    if (s_instance == null)
                    {
                        s_instance = new Cache();
                    }

                    return s_instance;
                }
            }

            // Every reset makes the next call create another cache, with another timer that nobody stops.
            public static void Reset() => s_instance = null;
        }

        sealed class Session
        {
            private readonly Timer _keepAlive;

            private Session() => _keepAlive = [|new Timer(_ => { }, null, 0, 1000)|];

            public static Session Open() => Create();

            private static Session Create() => new Session();
        }
        """);

    [Fact]
    public Task Reports_TimerOfTypeWithPrivateConstructorMadePerCall() => VerifyAsync("""
        using System.Threading;

        sealed class Lease
        {
            private readonly Timer _renew = [|new Timer(_ => { }, null, 0, 1000)|];

            private Lease() { }

            public static Lease Acquire() => new Lease();
        }

        sealed class Monitor
        {
            public static readonly Monitor Default = new Monitor();
            private readonly Timer _poll = [|new Timer(_ => { }, null, 0, 1000)|];

            public Monitor() { }
        }
        """);

    [Fact]
    public Task NoReport_UserTypeNamedTimer() => VerifyAsync("""
        namespace MyApp
        {
            class Timer
            {
                public Timer(int period) { }
            }

            class C
            {
                private readonly Timer _timer = new Timer(1000);

                void M()
                {
                    var local = new Timer(5);
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_ReturnFromCatchLeavesThroughTheFinallyThatDisposes() => VerifyAsync("""
        using System;
        using System.Threading;

        class C
        {
            bool M(Action work)
            {
                var timer = new Timer(_ => { }, null, 0, 1000);
                try
                {
                    work();
                    return true;
                }
                catch (InvalidOperationException)
                {
                    return false;
                }
                finally
                {
                    timer.Dispose();
                }
            }
        }
        """);
}
