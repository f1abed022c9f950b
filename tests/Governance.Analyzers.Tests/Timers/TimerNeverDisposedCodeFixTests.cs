using Governance.Analyzers.Tests.Verifiers;
using Governance.Analyzers.Timers;

namespace Governance.Analyzers.Tests.Timers;

public sealed class TimerNeverDisposedCodeFixTests
{
    private static Task VerifyAsync(string source, string fixedSource)
        => Verify<TimerNeverDisposedAnalyzer>.CodeFixAsync<TimerNeverDisposedCodeFix>(source, fixedSource);

    [Fact]
    public Task Fix_LocalBecomesUsingVarKeepingComments() => VerifyAsync("""
        using System.Threading;

        class C
        {
            void M()
            {
                // Ticks while the batch runs.
                var timer = [|new Timer(_ => { }, null, 0, 1000)|]; // every second
                Work();
            }

            static void Work() { }
        }
        """, """
        using System.Threading;

        class C
        {
            void M()
            {
                // Ticks while the batch runs.
                using var timer = new Timer(_ => { }, null, 0, 1000); // every second
                Work();
            }

            static void Work() { }
        }
        """);

    [Fact]
    public Task Fix_PeriodicTimerLocalInAsyncLoopBecomesUsingVar() => VerifyAsync("""
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        class C
        {
            async Task RunAsync(CancellationToken ct)
            {
                PeriodicTimer timer = [|new PeriodicTimer(TimeSpan.FromSeconds(1))|];
                while (await timer.WaitForNextTickAsync(ct))
                {
                }
            }
        }
        """, """
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        class C
        {
            async Task RunAsync(CancellationToken ct)
            {
                using PeriodicTimer timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
                while (await timer.WaitForNextTickAsync(ct))
                {
                }
            }
        }
        """);

    /// <summary>Stand-ins for Microsoft.Extensions.DependencyInjection and Hosting, which the test references lack.</summary>
    internal const string ContainerStubs = """

        namespace Microsoft.Extensions.DependencyInjection
        {
            public interface IServiceCollection { }

            public static class ServiceCollectionServiceExtensions
            {
                public static IServiceCollection AddSingleton<TService>(this IServiceCollection services) where TService : class => services;

                public static IServiceCollection AddSingleton<TService>(this IServiceCollection services, System.Func<System.IServiceProvider, TService> factory) where TService : class => services;

                public static IServiceCollection AddSingleton<TService>(this IServiceCollection services, TService instance) where TService : class => services;
            }
        }

        namespace Microsoft.Extensions.Hosting
        {
            public interface IHostedService
            {
                System.Threading.Tasks.Task StartAsync(System.Threading.CancellationToken cancellationToken);

                System.Threading.Tasks.Task StopAsync(System.Threading.CancellationToken cancellationToken);
            }
        }
        """;

    [Fact]
    public Task Fix_HostedServiceWithoutDisposeAddsIDisposable() => VerifyAsync("""
        using System.Threading;
        using System.Threading.Tasks;
        using Microsoft.Extensions.Hosting;

        class Poller : IHostedService
        {
            private readonly Timer _timer;

            public Poller()
            {
                _timer = [|new Timer(_ => { }, null, 0, 1000)|];
            }

            public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

            public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        }
        """ + ContainerStubs, """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using Microsoft.Extensions.Hosting;

        class Poller : IHostedService, IDisposable
        {
            private readonly Timer _timer;

            public Poller()
            {
                _timer = new Timer(_ => { }, null, 0, 1000);
            }

            public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

            public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

            public void Dispose()
            {
                _timer?.Dispose();
            }
        }
        """ + ContainerStubs);

    [Fact]
    public Task NoFix_TypeThatNobodyWouldDispose()
    {
        // No Dispose, no disposable base, not created by a container: a Dispose() added here would be called by
        // nobody (the process-lifetime service the host news up once, a type its owners never dispose).
        var source = """
            using Microsoft.Extensions.DependencyInjection;
            using System.Threading;

            class Poller
            {
                private readonly Timer _timer;

                public Poller()
                {
                    _timer = [|new Timer(_ => { }, null, 0, 1000)|];
                }
            }

            static class Startup
            {
                // An instance the container did not create is not the container's to dispose.
                public static void Configure(IServiceCollection services) => services.AddSingleton(new Poller());
            }
            """ + ContainerStubs;
        return VerifyAsync(source, source);
    }

    [Fact]
    public Task Fix_TypeTheContainerCreatesFromAFactory() => VerifyAsync("""
        using System.Threading;
        using Microsoft.Extensions.DependencyInjection;

        sealed class Sweeper
        {
            private readonly Timer _sweep = [|new Timer(_ => { }, null, 0, 60000)|];

            public Sweeper(int period) { }
        }

        static class Startup
        {
            public static void Configure(IServiceCollection services)
                => services.AddSingleton(sp => new Sweeper(60000));
        }
        """ + ContainerStubs, """
        using System;
        using System.Threading;
        using Microsoft.Extensions.DependencyInjection;

        sealed class Sweeper : IDisposable
        {
            private readonly Timer _sweep = new Timer(_ => { }, null, 0, 60000);

            public Sweeper(int period) { }

            public void Dispose()
            {
                _sweep?.Dispose();
            }
        }

        static class Startup
        {
            public static void Configure(IServiceCollection services)
                => services.AddSingleton(sp => new Sweeper(60000));
        }
        """ + ContainerStubs);

    [Fact]
    public Task Fix_FieldAppendedToExistingDispose() => VerifyAsync("""
        using System;
        using System.IO;
        using System.Threading;

        sealed class Poller : IDisposable
        {
            private readonly Stream _stream = new MemoryStream();
            private readonly Timer _timer = [|new Timer(_ => { }, null, 0, 1000)|];

            public void Dispose()
            {
                _stream.Dispose();
            }
        }
        """, """
        using System;
        using System.IO;
        using System.Threading;

        sealed class Poller : IDisposable
        {
            private readonly Stream _stream = new MemoryStream();
            private readonly Timer _timer = new Timer(_ => { }, null, 0, 1000);

            public void Dispose()
            {
                _stream.Dispose();
                _timer?.Dispose();
            }
        }
        """);

    [Fact]
    public Task Fix_OneShotFieldAppendedToDisposeThatForgotIt() => VerifyAsync("""
        using System;
        using System.Threading;

        sealed class Session : IDisposable
        {
            private Timer? _expiry;

            public void Touch() => _expiry = [|new Timer(_ => { }, null, 30000, Timeout.Infinite)|];

            public void Dispose()
            {
            }
        }
        """, """
        using System;
        using System.Threading;

        sealed class Session : IDisposable
        {
            private Timer? _expiry;

            public void Touch() => _expiry = new Timer(_ => { }, null, 30000, Timeout.Infinite);

            public void Dispose()
            {
                _expiry?.Dispose();
            }
        }
        """);

    [Fact]
    public Task Fix_LocalDisposedOnSomePathsBecomesUsingVar() => VerifyAsync("""
        using System;
        using System.Threading;

        class Probe
        {
            bool Ping(Func<bool> send)
            {
                var watchdog = [|new Timer(_ => { }, null, 5000, Timeout.Infinite)|];
                if (!send())
                {
                    return false;
                }

                watchdog.Dispose();
                return true;
            }
        }
        """, """
        using System;
        using System.Threading;

        class Probe
        {
            bool Ping(Func<bool> send)
            {
                using var watchdog = new Timer(_ => { }, null, 5000, Timeout.Infinite);
                if (!send())
                {
                    return false;
                }

                watchdog.Dispose();
                return true;
            }
        }
        """);

    [Fact]
    public Task Fix_FieldAddedInsideDisposingBranchOfDisposePattern() => VerifyAsync("""
        using System;
        using System.Threading;

        class Poller : IDisposable
        {
            private readonly Timer _timer = [|new Timer(_ => { }, null, 0, 1000)|];

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

        class Poller : IDisposable
        {
            private readonly Timer _timer = new Timer(_ => { }, null, 0, 1000);

            protected virtual void Dispose(bool disposing)
            {
                if (disposing)
                {
                    _timer?.Dispose();
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
    public Task Fix_FieldOfDerivedTypeOverridesVirtualDispose() => VerifyAsync("""
        using System;
        using System.Threading;

        abstract class ServiceBase : IDisposable
        {
            public virtual void Dispose() { }
        }

        sealed class Poller : ServiceBase
        {
            private readonly Timer _timer = [|new Timer(_ => { }, null, 0, 1000)|];
        }
        """, """
        using System;
        using System.Threading;

        abstract class ServiceBase : IDisposable
        {
            public virtual void Dispose() { }
        }

        sealed class Poller : ServiceBase
        {
            private readonly Timer _timer = new Timer(_ => { }, null, 0, 1000);

            public override void Dispose()
            {
                _timer?.Dispose();
                base.Dispose();
            }
        }
        """);

    [Fact]
    public Task Fix_FieldAppendedToExpressionBodiedDisposeAsync() => VerifyAsync("""
        using System;
        using System.IO;
        using System.Threading;
        using System.Threading.Tasks;

        sealed class Poller : IAsyncDisposable
        {
            private readonly Stream _stream = new MemoryStream();
            private readonly PeriodicTimer _timer = [|new PeriodicTimer(TimeSpan.FromSeconds(1))|];

            public ValueTask DisposeAsync() => _stream.DisposeAsync();
        }
        """, """
        using System;
        using System.IO;
        using System.Threading;
        using System.Threading.Tasks;

        sealed class Poller : IAsyncDisposable
        {
            private readonly Stream _stream = new MemoryStream();
            private readonly PeriodicTimer _timer = new PeriodicTimer(TimeSpan.FromSeconds(1));

            public ValueTask DisposeAsync()
            {
                _timer?.Dispose();
                return _stream.DisposeAsync();
            }
        }
        """);

    [Fact]
    public Task Fix_FixAllDisposesEveryFieldInOneMethod() => VerifyAsync("""
        using Microsoft.Extensions.DependencyInjection;
        using System.Threading;

        class Poller
        {
            private readonly Timer _fast = [|new Timer(_ => { }, null, 0, 100)|];
            private readonly Timer _slow = [|new Timer(_ => { }, null, 0, 10000)|];
        }

        static class Startup
        {
            public static void Configure(IServiceCollection services) => services.AddSingleton<Poller>();
        }
        """ + ContainerStubs, """
        using Microsoft.Extensions.DependencyInjection;
        using System;
        using System.Threading;

        class Poller : IDisposable
        {
            private readonly Timer _fast = new Timer(_ => { }, null, 0, 100);
            private readonly Timer _slow = new Timer(_ => { }, null, 0, 10000);

            public void Dispose()
            {
                _fast?.Dispose();
                _slow?.Dispose();
            }
        }

        static class Startup
        {
            public static void Configure(IServiceCollection services) => services.AddSingleton<Poller>();
        }
        """ + ContainerStubs);

    [Fact]
    public Task Fix_ReassignmentDisposesPreviousTimerFirst() => VerifyAsync("""
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
        """, """
        using System;
        using System.Threading;

        sealed class Poller : IDisposable
        {
            private Timer _timer = new Timer(_ => { }, null, 0, 1000);

            public void Reschedule(int period)
            {
                _timer?.Dispose();
                _timer = new Timer(_ => { }, null, 0, period);
            }

            public void Dispose() => _timer.Dispose();
        }
        """);

    [Fact]
    public Task Fix_FieldDisposedInDisposeOfAnotherPartialFile()
    {
        var test = new CodeFixTest<TimerNeverDisposedAnalyzer, TimerNeverDisposedCodeFix>();
        test.TestState.Sources.Add(("/0/Poller.cs", """
            using System.Threading;

            partial class Poller
            {
                private readonly Timer _timer = [|new Timer(_ => { }, null, 0, 1000)|];
            }
            """));
        test.TestState.Sources.Add(("/0/Poller.Dispose.cs", """
            using System;

            partial class Poller : IDisposable
            {
                public void Dispose()
                {
                }
            }
            """));
        test.FixedState.Sources.Add(("/0/Poller.cs", """
            using System.Threading;

            partial class Poller
            {
                private readonly Timer _timer = new Timer(_ => { }, null, 0, 1000);
            }
            """));
        test.FixedState.Sources.Add(("/0/Poller.Dispose.cs", """
            using System;

            partial class Poller : IDisposable
            {
                public void Dispose()
                {
                    _timer?.Dispose();
                }
            }
            """));
        return test.RunAsync();
    }

    [Fact]
    public Task Fix_NotOfferedWhenBaseDisposeCannotBeOverridden()
    {
        const string source = """
            using System;
            using System.Threading;

            class ServiceBase : IDisposable
            {
                public void Dispose() { }
            }

            sealed class Poller : ServiceBase
            {
                private readonly Timer _timer = [|new Timer(_ => { }, null, 0, 1000)|];
            }
            """;
        return VerifyAsync(source, source);
    }

    [Fact]
    public Task NoFix_ReassignmentInALoop()
    {
        // Disposing the previous timer would leave only the last one running, where the loop started one per region.
        const string source = """
            using System;
            using System.Collections.Generic;
            using System.Threading;

            sealed class Watcher : IDisposable
            {
                private Timer? _timer;

                public void WatchAll(List<string> regions)
                {
                    foreach (var region in regions)
                    {
                        _timer = [|new Timer(_ => Poll(region), null, 0, 1000)|];
                    }
                }

                private static void Poll(string region) { }

                public void Dispose() => _timer?.Dispose();
            }
            """;
        return VerifyAsync("#nullable enable\n" + source, "#nullable enable\n" + source);
    }
}
