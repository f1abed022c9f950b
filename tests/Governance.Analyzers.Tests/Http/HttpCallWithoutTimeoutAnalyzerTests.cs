using Governance.Analyzers.Http;
using Governance.Analyzers.Tests.Verifiers;
using Microsoft.CodeAnalysis.Testing;

namespace Governance.Analyzers.Tests.Http;

public sealed class HttpCallWithoutTimeoutAnalyzerTests
{
    private static Task VerifyAsync(params string[] sources) => Verify<HttpCallWithoutTimeoutAnalyzer>.AnalyzerAsync(sources);

    private static Task VerifyAsync(string source, DiagnosticResult expected)
    {
        var test = new Verifiers.AnalyzerTest<HttpCallWithoutTimeoutAnalyzer> { TestCode = source };
        test.ExpectedDiagnostics.Add(expected);
        return test.RunAsync();
    }

    [Fact]
    public Task Reports_LocalWithInfiniteTimeout_SendWithoutToken() => VerifyAsync("""
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        class Feed
        {
            public async Task<string> ReadAsync(string url)
            {
                var client = new HttpClient();
                [|client.Timeout = Timeout.InfiniteTimeSpan|];
                return await client.GetStringAsync(url);
            }
        }
        """);

    [Fact]
    public Task Reports_ObjectInitializerOnALocal_SendWithNoneOrDefault() => VerifyAsync("""
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        class Feed
        {
            public async Task ReadAsync(string url)
            {
                using var client = new HttpClient { [|Timeout = Timeout.InfiniteTimeSpan|] };
                await client.GetAsync(url, CancellationToken.None);
            }

            public async Task ReadDefaultAsync(string url)
            {
                using var client = new HttpClient { [|Timeout = Timeout.InfiniteTimeSpan|] };
                await client.GetAsync(url, default(CancellationToken));
            }

            public async Task ReadNewTokenAsync(string url)
            {
                using var client = new HttpClient { [|Timeout = Timeout.InfiniteTimeSpan|] };
                await client.GetAsync(url, new CancellationToken());
                await client.GetAsync(url, new CancellationToken(false));
            }
        }
        """);

    [Fact]
    public Task Reports_StaticFieldInitializer_OneSendWithoutToken() => VerifyAsync("""
        using System;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        public sealed class PaymentReconciler
        {
            private static readonly HttpClient s_provider = new()
            {
                BaseAddress = new Uri("http://payments.invalid/"),
                {|#0:Timeout = Timeout.InfiniteTimeSpan|},
            };

            public async Task<string> ReconcileAsync() => await {|#1:s_provider.GetStringAsync("settlements")|};

            public async Task<bool> SettleAsync(string id, CancellationToken cancellationToken)
            {
                using var response = await s_provider.PostAsync($"settle/{id}", content: null, cancellationToken);
                return response.IsSuccessStatusCode;
            }
        }
        """, Expect(0, 1, "s_provider", "Timeout.InfiniteTimeSpan", "GetStringAsync", 14));

    [Fact]
    public Task Reports_FieldSetInConstructor_MaxValueOrMinusOneMillisecond() => VerifyAsync("""
        using System;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        class Downloader
        {
            private readonly HttpClient _client;
            private readonly HttpClient _other = new HttpClient();
            private HttpClient Third { get; } = new HttpClient();

            public Downloader()
            {
                _client = new HttpClient { [|Timeout = TimeSpan.MaxValue|] };
                [|_other.Timeout = TimeSpan.FromMilliseconds(-1)|];
                [|this.Third.Timeout = TimeSpan.FromMilliseconds(Timeout.Infinite)|];
            }

            public Task<byte[]> GetAsync(string url) => _client.GetByteArrayAsync(url, CancellationToken.None);

            public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) => _other.SendAsync(request);

            public HttpResponseMessage Send(HttpRequestMessage request) => Third.Send(request);
        }
        """);

    [Fact]
    public Task Reports_TimeSpanConstructedAsMinusOneMillisecond_NotOtherNegativeValues() => VerifyAsync("""
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;

        class Feed
        {
            public async Task ReadAsync(string url)
            {
                using var client = new HttpClient { [|Timeout = new TimeSpan(0, 0, 0, 0, -1)|] };
                await client.GetAsync(url);
                using var ticks = new HttpClient { [|Timeout = new TimeSpan(-10_000)|] };
                await ticks.GetAsync(url);
                using var notInfinite = new HttpClient { Timeout = new TimeSpan(-1) };
                await notInfinite.GetAsync(url);
                using var finite = new HttpClient { Timeout = new TimeSpan(0, 5, 0) };
                await finite.GetAsync(url);
            }
        }
        """);

    [Fact]
    public Task Reports_AcrossPartialDeclarations_NamingTheFileOfTheSend()
    {
        var test = new Verifiers.AnalyzerTest<HttpCallWithoutTimeoutAnalyzer>();
        test.TestState.Sources.Add(("/0/Stream.cs", """
            using System.Net.Http;
            using System.Threading;

            partial class Stream
            {
                private readonly HttpClient _client = new HttpClient { {|#0:Timeout = Timeout.InfiniteTimeSpan|} };
            }
            """));
        test.TestState.Sources.Add(("/0/Stream.Reading.cs", """
            using System.Threading.Tasks;

            partial class Stream
            {
                public Task<System.IO.Stream> OpenAsync(string url) => {|#1:_client.GetStreamAsync(url)|};
            }
            """));
        test.ExpectedDiagnostics.Add(new DiagnosticResult(Descriptors.HttpCallWithoutTimeout).WithLocation(0).WithLocation(1)
            .WithArguments("_client", "Timeout = Timeout.InfiniteTimeSpan", "GetStreamAsync", "line 5 of Stream.Reading.cs"));
        return test.RunAsync();
    }

    [Fact]
    public Task NoReport_AcrossPartialDeclarations_EverySendInTheOtherPartPassesARealToken() => VerifyAsync("""
        using System.Net.Http;
        using System.Threading;

        partial class Stream
        {
            private readonly HttpClient _client = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        }
        """, """
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        partial class Stream
        {
            public Task<string> GetAsync(string url, CancellationToken ct) => _client.GetStringAsync(url, ct);

            public async Task<System.IO.Stream> OpenAsync(string url, CancellationToken ct)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(30));
                return await _client.GetStreamAsync(url, timeout.Token);
            }
        }
        """);

    [Fact]
    public Task Reports_JsonExtensionWithoutToken_AndInlineClient() => VerifyAsync("""
        using System.Net.Http;
        using System.Net.Http.Json;
        using System.Threading;
        using System.Threading.Tasks;

        record Quote(decimal Price);

        class Quotes
        {
            private static readonly HttpClient s_client = new HttpClient { [|Timeout = Timeout.InfiniteTimeSpan|] };

            public Task<Quote?> GetAsync(string symbol) => s_client.GetFromJsonAsync<Quote>("quotes/" + symbol);

            public Task<string> GetOnceAsync(string url) => new HttpClient { [|Timeout = Timeout.InfiniteTimeSpan|] }.GetStringAsync(url);
        }
        """);

    [Fact]
    public Task NoReport_EverySendPassesARealToken() => VerifyAsync("""
        using System;
        using System.Net.Http;
        using System.Net.Http.Json;
        using System.Threading;
        using System.Threading.Tasks;

        class Stream
        {
            private static readonly HttpClient s_client = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };

            public async Task<string> ReadAsync(string url, CancellationToken cancellationToken)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
                await s_client.GetFromJsonAsync<int>(url, linked.Token);
                return await s_client.GetStringAsync(url, linked.Token);
            }

            public async Task ReadLocalAsync(string url, CancellationToken cancellationToken)
            {
                using var client = new HttpClient();
                client.Timeout = Timeout.InfiniteTimeSpan;
                await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            }
        }
        """);

    [Fact]
    public Task NoReport_FiniteOrConditionalTimeout() => VerifyAsync("""
        using System;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        class Feed
        {
            public async Task ReadAsync(string url, TimeSpan? timeout)
            {
                using var client = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
                await client.GetAsync(url);
                using var other = new HttpClient { Timeout = timeout ?? Timeout.InfiniteTimeSpan };
                await other.GetAsync(url);
            }
        }
        """);

    [Fact]
    public Task NoReport_ClientThatEscapes() => VerifyAsync("""
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        class Api
        {
            public Api(HttpClient client) { }
        }

        class Clients
        {
            private readonly HttpClient _passed = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
            public HttpClient Shared { get; } = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
            internal readonly HttpClient Internal = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };

            public HttpClient Create()
            {
                var client = new HttpClient();
                client.Timeout = Timeout.InfiniteTimeSpan;
                client.GetAsync("https://example.invalid/warm-up");
                return client;
            }

            public Api Wrap()
            {
                _passed.GetAsync("https://example.invalid/");
                return new Api(_passed);
            }

            public Task Use() => Shared.GetAsync("https://example.invalid/");
        }
        """);

    [Fact]
    public Task NoReport_NoSendInSight() => VerifyAsync("""
        using System.Net.Http;
        using System.Threading;

        class Holder
        {
            private readonly HttpClient _client = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };

            public void Configure(HttpClient client) => client.Timeout = Timeout.InfiniteTimeSpan;

            public string Describe() => _client.Timeout.ToString();
        }
        """);

    [Fact]
    public Task NoReport_ConfiguredThroughAddHttpClient() => VerifyAsync("""
        using System;
        using System.Net.Http;
        using System.Threading;

        namespace Microsoft.Extensions.DependencyInjection
        {
            public interface IServiceCollection { }
            public interface IHttpClientBuilder { }

            public static class HttpClientFactoryServiceCollectionExtensions
            {
                public static IHttpClientBuilder AddHttpClient(this IServiceCollection services, string name) => null!;
                public static IHttpClientBuilder ConfigureHttpClient(this IHttpClientBuilder builder, Action<HttpClient> configure) => builder;
            }
        }

        namespace App
        {
            using Microsoft.Extensions.DependencyInjection;

            static class Startup
            {
                public static void Register(IServiceCollection services)
                    => services.AddHttpClient("stream").ConfigureHttpClient(c => c.Timeout = Timeout.InfiniteTimeSpan);
            }
        }
        """);

    [Fact]
    public Task NoReport_AnotherObjectsClient_OrAMemberNamedInANestedType() => VerifyAsync("""
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        class Options
        {
            public HttpClient Client { get; } = new HttpClient();
        }

        class Reader
        {
            private readonly Options _options = new Options();
            private readonly HttpClient _client = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };

            public Task ReadAsync()
            {
                _options.Client.Timeout = Timeout.InfiniteTimeSpan;
                return _options.Client.GetAsync("https://example.invalid/");
            }

            public Task ReadOwnAsync() => _client.GetAsync("https://example.invalid/");

            private sealed class Nested
            {
                public void Use(Reader reader) => reader._client.CancelPendingRequests();
            }
        }
        """);

    [Fact]
    public Task NoReport_UserTypeNamedHttpClient() => VerifyAsync("""
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        class HttpClient
        {
            public TimeSpan Timeout { get; set; }
            public Task<string> GetStringAsync(string url) => Task.FromResult(url);
        }

        class Feed
        {
            public Task<string> ReadAsync(string url)
            {
                var client = new HttpClient { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
                return client.GetStringAsync(url);
            }
        }
        """);

    [Fact]
    public Task NoReport_IncompleteCode() => VerifyAsync("""
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        class Typing
        {
            private readonly HttpClient _client = new HttpClient { Timeout = {|CS0103:Infinit|} };

            public async Task ReadAsync(string url)
            {
                var client = new HttpClient();
                client.Timeout = Timeout.{|CS0117:Infinite2|};
                await client.GetAsync(url{|CS1026:|}{|CS1002:|}
            }
        }
        """);

    private static DiagnosticResult Expect(int assignment, int send, string client, string value, string method, int line)
        => new DiagnosticResult(Descriptors.HttpCallWithoutTimeout).WithLocation(assignment).WithLocation(send)
            .WithArguments(client, "Timeout = " + value, method, "line " + line);
}
