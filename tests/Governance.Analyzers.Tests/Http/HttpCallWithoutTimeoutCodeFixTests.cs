using Governance.Analyzers.Http;
using Governance.Analyzers.Tests.Verifiers;

namespace Governance.Analyzers.Tests.Http;

public sealed class HttpCallWithoutTimeoutCodeFixTests
{
    private static Task VerifyAsync(string source, string fixedSource)
        => Verify<HttpCallWithoutTimeoutAnalyzer>.CodeFixAsync<HttpCallWithoutTimeoutCodeFix>(source, fixedSource);

    [Fact]
    public Task Fix_StaticClientInitializer_GetsANamedTimeoutDeclaredBeforeIt() => VerifyAsync("""
        using System;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        public sealed class PaymentReconciler
        {
            private static readonly HttpClient s_provider = new()
            {
                BaseAddress = new Uri("http://payments.invalid/"),

                // No bound: the provider is slow.
                [|Timeout = Timeout.InfiniteTimeSpan|],
            };

            public Task<string> ReconcileAsync() => s_provider.GetStringAsync("settlements");
        }
        """, """
        using System;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        public sealed class PaymentReconciler
        {
            private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(100); // HttpClient's default: choose the longest a request may take
            private static readonly HttpClient s_provider = new()
            {
                BaseAddress = new Uri("http://payments.invalid/"),

                // No bound: the provider is slow.
                Timeout = RequestTimeout,
            };

            public Task<string> ReconcileAsync() => s_provider.GetStringAsync("settlements");
        }
        """);

    [Fact]
    public Task Fix_LocalsInATypeWithoutFields_FixAllAddsOneField() => VerifyAsync("""
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        namespace Feeds;

        class Feed
        {
            public async Task<string> ReadAsync(string url)
            {
                using var client = new HttpClient();
                [|client.Timeout = Timeout.InfiniteTimeSpan|]; // streams can be long
                return await client.GetStringAsync(url);
            }

            public async Task<string> ReadOtherAsync(string url)
            {
                using var client = new HttpClient { [|Timeout = System.TimeSpan.MaxValue|] };
                return await client.GetStringAsync(url, CancellationToken.None);
            }
        }
        """, """
        using System;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        namespace Feeds;

        class Feed
        {
            private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(100); // HttpClient's default: choose the longest a request may take

            public async Task<string> ReadAsync(string url)
            {
                using var client = new HttpClient();
                client.Timeout = RequestTimeout; // streams can be long
                return await client.GetStringAsync(url);
            }

            public async Task<string> ReadOtherAsync(string url)
            {
                using var client = new HttpClient { Timeout = RequestTimeout };
                return await client.GetStringAsync(url, CancellationToken.None);
            }
        }
        """);

    [Fact]
    public Task Fix_FieldSetInTheConstructor_NameTakenByAnotherMember() => VerifyAsync("""
        using System;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        class Downloader
        {
            private const int RequestTimeout = 30;
            private readonly HttpClient _client = new HttpClient();

            public Downloader()
            {
                [|_client.Timeout = TimeSpan.FromMilliseconds(-1)|];
            }

            public Task<byte[]> GetAsync(string url) => _client.GetByteArrayAsync(url);
        }
        """, """
        using System;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        class Downloader
        {
            private static readonly TimeSpan RequestTimeout2 = TimeSpan.FromSeconds(100); // HttpClient's default: choose the longest a request may take
            private const int RequestTimeout = 30;
            private readonly HttpClient _client = new HttpClient();

            public Downloader()
            {
                _client.Timeout = RequestTimeout2;
            }

            public Task<byte[]> GetAsync(string url) => _client.GetByteArrayAsync(url);
        }
        """);

    // Most projects get System and System.Net.Http from the SDK's global usings: the fix adds no using and no blank line.
    [Fact]
    public Task Fix_WithImplicitUsings_AddsNoUsing()
    {
        const string globalUsings = """
            global using global::System;
            global using global::System.Net.Http;
            global using global::System.Threading;
            global using global::System.Threading.Tasks;

            """;
        var test = new CodeFixTest<HttpCallWithoutTimeoutAnalyzer, HttpCallWithoutTimeoutCodeFix>();
        test.TestState.Sources.Add(("/0/Test0.cs", """
            namespace Feeds;

            class Feed
            {
                private readonly HttpClient _client = new() { [|Timeout = Timeout.InfiniteTimeSpan|] };

                public Task<string> ReadAsync(string url) => _client.GetStringAsync(url);
            }
            """));
        test.TestState.Sources.Add(("/0/obj/GlobalUsings.g.cs", globalUsings));
        test.FixedState.Sources.Add(("/0/Test0.cs", """
            namespace Feeds;

            class Feed
            {
                private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(100); // HttpClient's default: choose the longest a request may take
                private readonly HttpClient _client = new() { Timeout = RequestTimeout };

                public Task<string> ReadAsync(string url) => _client.GetStringAsync(url);
            }
            """));
        test.FixedState.Sources.Add(("/0/obj/GlobalUsings.g.cs", globalUsings));
        return test.RunAsync();
    }
}
