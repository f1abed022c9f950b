using Governance.Analyzers.Cancellation;
using Governance.Analyzers.Tests.Verifiers;

namespace Governance.Analyzers.Tests.Cancellation;

/// <summary>GOV5001 and GOV5002 on the shapes services write: per-call timeouts, worker loops, handlers, contexts.</summary>
public sealed class CancellationSourceRealShapesTests
{
    private static Task VerifyAsync(params string[] sources) => Verify<CancellationSourceAnalyzer>.AnalyzerAsync(sources);

    [Fact]
    public Task Reports_PerRequestTimeoutInADelegatingHandler() => VerifyAsync("""
        using System;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        sealed class TimeoutHandler : DelegatingHandler
        {
            private readonly TimeSpan _timeout = TimeSpan.FromSeconds(10);

            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                var cts = {|GOV5001:CancellationTokenSource.CreateLinkedTokenSource(cancellationToken)|};
                cts.CancelAfter(_timeout);
                return await base.SendAsync(request, cts.Token).ConfigureAwait(false);
            }
        }
        """);

    [Fact]
    public Task Reports_LinkedSourcePerIterationOfAWorkerLoop() => VerifyAsync("""
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        abstract class Worker
        {
            protected abstract Task ProcessNextAsync(CancellationToken ct);

            public async Task RunAsync(CancellationToken stoppingToken)
            {
                while (!stoppingToken.IsCancellationRequested)
                {
                    var perItem = {|GOV5001:CancellationTokenSource.CreateLinkedTokenSource(stoppingToken)|};
                    perItem.CancelAfter(TimeSpan.FromMinutes(1));
                    try
                    {
                        await ProcessNextAsync(perItem.Token);
                    }
                    catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                    {
                    }
                }
            }
        }
        """);

    [Fact]
    public Task Reports_LinkedTokenOfAnAsyncIterator() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Runtime.CompilerServices;
        using System.Threading;
        using System.Threading.Channels;

        sealed class Feed
        {
            private readonly Channel<string> _channel = Channel.CreateBounded<string>(100);
            private readonly CancellationTokenSource _closed = new();

            public async IAsyncEnumerable<string> ReadAllAsync([EnumeratorCancellation] CancellationToken ct = default)
            {
                var linked = {|GOV5001:CancellationTokenSource.CreateLinkedTokenSource(ct, _closed.Token)|};
                await foreach (var item in _channel.Reader.ReadAllAsync(linked.Token))
                {
                    yield return item;
                }
            }
        }
        """);

    [Fact]
    public Task Reports_ConnectTimeoutInAReconnectLoop() => VerifyAsync("""
        using System;
        using System.Net.Sockets;
        using System.Threading;
        using System.Threading.Tasks;

        sealed class Reconnector
        {
            public async Task<Socket> ConnectAsync(string host, int port)
            {
                while (true)
                {
                    var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                    var timeout = {|GOV5002:new CancellationTokenSource(TimeSpan.FromSeconds(5))|};
                    try
                    {
                        await socket.ConnectAsync(host, port, timeout.Token);
                        return socket;
                    }
                    catch (OperationCanceledException)
                    {
                        socket.Dispose();
                    }
                }
            }
        }
        """);

    [Fact]
    public Task Reports_ConnectionContextWhoseDisposeForgetsItsLink() => VerifyAsync("""
        using System;
        using System.Net.Sockets;
        using System.Threading;

        sealed class ConnectionContext : IDisposable
        {
            private readonly Socket _socket;
            private readonly CancellationTokenSource _closed;

            public ConnectionContext(Socket socket, CancellationToken serverStopping)
            {
                _socket = socket;
                _closed = {|GOV5001:CancellationTokenSource.CreateLinkedTokenSource(serverStopping)|};
            }

            public CancellationToken Closed => _closed.Token;

            public void Dispose()
            {
                _closed.Cancel();
                _socket.Dispose();
            }
        }
        """);

    [Fact]
    public Task Reports_MinimalApiHandlerTimeout() => VerifyAsync("""
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        static class Endpoints
        {
            public static Func<string, Task<string>> Hash(Func<string, CancellationToken, Task<string>> hasher) => async input =>
            {
                var cts = {|GOV5002:new CancellationTokenSource(TimeSpan.FromSeconds(3))|};
                return await hasher(input, cts.Token);
            };
        }
        """);

    [Fact]
    public Task NoReport_WellOwnedSources() => VerifyAsync("""
        using System;
        using System.Collections.Concurrent;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        sealed class Client : IDisposable
        {
            private readonly HttpClient _http = new();
            private readonly CancellationTokenSource _disposed = new();
            private readonly ConcurrentDictionary<Guid, CancellationTokenSource> _running = new();

            public async Task<string> GetAsync(string url, TimeSpan timeout, CancellationToken ct)
            {
                using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct, _disposed.Token);
                cts.CancelAfter(timeout);
                return await _http.GetStringAsync(url, cts.Token).ConfigureAwait(false);
            }

            public Guid Start(Func<CancellationToken, Task> job, CancellationToken ct)
            {
                var id = Guid.NewGuid();
                var cts = CancellationTokenSource.CreateLinkedTokenSource(ct, _disposed.Token);
                _running[id] = cts;
                _ = job(cts.Token).ContinueWith(_ =>
                {
                    if (_running.TryRemove(id, out var done))
                    {
                        done.Dispose();
                    }
                }, TaskScheduler.Default);
                return id;
            }

            public void Cancel(Guid id)
            {
                if (_running.TryGetValue(id, out var cts))
                {
                    cts.Cancel();
                }
            }

            public async Task<bool> PingAsync(Func<CancellationToken, Task> ping)
            {
                var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                try
                {
                    await ping(timeout.Token).ConfigureAwait(false);
                    return true;
                }
                catch (OperationCanceledException)
                {
                    return false;
                }
                finally
                {
                    timeout.Dispose();
                }
            }

            public void Dispose()
            {
                _disposed.Cancel();
                _disposed.Dispose();
                _http.Dispose();
            }
        }
        """);
}
