using Governance.Analyzers.Tasks;
using Governance.Analyzers.Tests.Verifiers;
using Governance.Analyzers.Timers;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Governance.Analyzers.Tests;

/// <summary>
/// Most projects get their usings from the SDK (<c>global using</c> in a generated file) and files start with the
/// namespace. Fixes must neither add a using those already provide nor leave a blank line at the top of the file.
/// </summary>
public sealed class ImplicitUsingsCodeFixTests
{
    private const string GlobalUsings = """
        global using global::System;
        global using System.Collections.Generic;
        global using System.Linq;
        global using System.Threading;
        global using System.Threading.Tasks;

        """;

    private static Task VerifyAsync<TAnalyzer, TCodeFix>(string source, string fixedSource)
        where TAnalyzer : DiagnosticAnalyzer, new()
        where TCodeFix : CodeFixProvider, new()
    {
        var test = new CodeFixTest<TAnalyzer, TCodeFix>();
        test.TestState.Sources.Add(("/0/Test0.cs", source));
        test.TestState.Sources.Add(("/0/obj/GlobalUsings.g.cs", GlobalUsings));
        test.TestState.Sources.Add(("/0/Stubs.cs", Timers.TimerNeverDisposedCodeFixTests.ContainerStubs));
        test.FixedState.Sources.Add(("/0/Test0.cs", fixedSource));
        test.FixedState.Sources.Add(("/0/obj/GlobalUsings.g.cs", GlobalUsings));
        test.FixedState.Sources.Add(("/0/Stubs.cs", Timers.TimerNeverDisposedCodeFixTests.ContainerStubs));
        return test.RunAsync();
    }

    [Fact]
    public Task FanOutFix_AddsNoUsingAndNoBlankLine() => VerifyAsync<UnboundedFanOutAnalyzer, UnboundedFanOutCodeFix>("""
        namespace Shop;

        class Batch
        {
            async Task RunAsync(List<int> records)
            {
                await [|Task.WhenAll|](records.Select(r => ProcessAsync(r)));
            }

            static Task ProcessAsync(int record) => Task.CompletedTask;
        }
        """, """
        namespace Shop;

        class Batch
        {
            async Task RunAsync(List<int> records)
            {
                using (var gate = new SemaphoreSlim(Environment.ProcessorCount))
                {
                    await Task.WhenAll(records.Select(async r =>
                    {
                        await gate.WaitAsync();
                        try
                        {
                            await ProcessAsync(r);
                        }
                        finally
                        {
                            gate.Release();
                        }
                    }));
                }
            }

            static Task ProcessAsync(int record) => Task.CompletedTask;
        }
        """);

    // quartznet's QuartzScheduler.cs lists `using System.Globalization;` and gets System.Linq globally: the file already
    // calls Select, so the gate's Select needs no `using System.Linq;` (IDE0005 would call it unnecessary).
    [Fact]
    public Task FanOutFix_FileWithItsOwnSystemUsingsThatAlreadyCallsLinq_AddsNoUsing() => VerifyAsync<UnboundedFanOutAnalyzer, UnboundedFanOutCodeFix>("""
        using System.Globalization;

        namespace Shop;

        class Batch
        {
            async Task RunAsync(List<int> records)
            {
                await [|Task.WhenAll|](records.Select(r => ProcessAsync(r.ToString(CultureInfo.InvariantCulture))));
            }

            static Task ProcessAsync(string record) => Task.CompletedTask;
        }
        """, """
        using System.Globalization;

        namespace Shop;

        class Batch
        {
            async Task RunAsync(List<int> records)
            {
                using (var gate = new SemaphoreSlim(Environment.ProcessorCount))
                {
                    await Task.WhenAll(records.Select(async r =>
                    {
                        await gate.WaitAsync();
                        try
                        {
                            await ProcessAsync(r.ToString(CultureInfo.InvariantCulture));
                        }
                        finally
                        {
                            gate.Release();
                        }
                    }));
                }
            }

            static Task ProcessAsync(string record) => Task.CompletedTask;
        }
        """);

    [Fact]
    public Task TimerFieldFix_ImplementsIDisposableWithoutAddingUsingSystem() => VerifyAsync<TimerNeverDisposedAnalyzer, TimerNeverDisposedCodeFix>("""
        namespace Shop;

        public sealed class Refresher : Microsoft.Extensions.Hosting.IHostedService
        {
            private Timer _refresh;

            public Task StartAsync(CancellationToken cancellationToken)
            {
                _refresh = [|new Timer(_ => { }, null, 0, 1000)|];
                return Task.CompletedTask;
            }

            public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        }
        """, """
        namespace Shop;

        public sealed class Refresher : Microsoft.Extensions.Hosting.IHostedService, IDisposable
        {
            private Timer _refresh;

            public Task StartAsync(CancellationToken cancellationToken)
            {
                _refresh = new Timer(_ => { }, null, 0, 1000);
                return Task.CompletedTask;
            }

            public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

            public void Dispose()
            {
                _refresh?.Dispose();
            }
        }
        """);

    [Fact]
    public Task UnreferencedTimerFix_KeepsTheCommentOnceAboveTheNewStatements() => VerifyAsync<TimerNotReferencedAnalyzer, TimerNotReferencedCodeFix>("""
        namespace Shop;

        public sealed class Heartbeat : Microsoft.Extensions.Hosting.IHostedService
        {
            public Task StartAsync(CancellationToken cancellationToken)
            {
                Prepare();

                // Beats every 30 seconds.
                [|new Timer(_ => { }, null, 1000, 30000)|];
                return Task.CompletedTask;
            }

            public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

            private static void Prepare() { }
        }
        """, """
        namespace Shop;

        public sealed class Heartbeat : Microsoft.Extensions.Hosting.IHostedService, IDisposable
        {
            private Timer _timer;

            public Task StartAsync(CancellationToken cancellationToken)
            {
                Prepare();

                // Beats every 30 seconds.
                _timer?.Dispose();
                _timer = new Timer(_ => { }, null, 1000, 30000);
                return Task.CompletedTask;
            }

            public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

            private static void Prepare() { }

            public void Dispose()
            {
                _timer?.Dispose();
            }
        }
        """);

    [Fact]
    public Task FanOutFix_FileThatListsItsSystemUsingsGetsTheOnesItNeeds() => VerifyAsync<UnboundedFanOutAnalyzer, UnboundedFanOutCodeFix>("""
        namespace Shop
        {
            using System;
            using System.Linq;
            using System.Threading.Tasks;


            class Outbox
            {
                async Task DeliverAsync(Guid[] ids)
                {
                    await [|Task.WhenAll|](ids.Select(id => SendAsync(id))).ConfigureAwait(false);
                }

                static Task SendAsync(Guid id) => Task.CompletedTask;
            }
        }
        """, """
        namespace Shop
        {
            using System;
            using System.Linq;
            using System.Threading;
            using System.Threading.Tasks;


            class Outbox
            {
                async Task DeliverAsync(Guid[] ids)
                {
                    using (var gate = new SemaphoreSlim(Environment.ProcessorCount))
                    {
                        await Task.WhenAll(ids.Select(async id =>
                        {
                            await gate.WaitAsync().ConfigureAwait(false);
                            try
                            {
                                await SendAsync(id).ConfigureAwait(false);
                            }
                            finally
                            {
                                gate.Release();
                            }
                        })).ConfigureAwait(false);
                    }
                }

                static Task SendAsync(Guid id) => Task.CompletedTask;
            }
        }
        """);
}
