using Governance.Analyzers.Http;
using Governance.Analyzers.Tests.Verifiers;

namespace Governance.Analyzers.Tests.Http;

public sealed class HttpClientPerOperationCodeFixTests
{
    private static Task VerifyStaticAsync(string source, string fixedSource)
        => Verify<HttpClientPerOperationAnalyzer>.CodeFixAsync<HttpClientPerOperationCodeFix>(source, fixedSource, equivalenceKey: HttpClientPerOperationCodeFix.StaticFieldKey);

    private static Task VerifyFactoryAsync(string source, string fixedSource)
        => Verify<HttpClientPerOperationAnalyzer>.CodeFixAsync<HttpClientPerOperationCodeFix>(source, fixedSource, equivalenceKey: HttpClientPerOperationCodeFix.FactoryKey);

    private const string Factory = """

        namespace System.Net.Http
        {
            public interface IHttpClientFactory
            {
                HttpClient CreateClient(string name);
            }

            public static class HttpClientFactoryExtensions
            {
                public static HttpClient CreateClient(this IHttpClientFactory factory) => factory.CreateClient(string.Empty);
            }
        }

        namespace Microsoft.Extensions.Logging
        {
            public interface ILogger<T> { }
        }
        """;

    [Fact]
    public Task Static_UsingVarBecomesASharedFieldThatRenewsConnections() => VerifyStaticAsync("""
        using System.Net.Http;
        using System.Threading.Tasks;

        class PaymentGateway
        {
            private readonly string _baseUrl = "https://payments.invalid/";

            public async Task<string> GetStatusAsync(string id)
            {
                // One client per call.
                using var client = [|new HttpClient()|];

                var status = await client.GetStringAsync(_baseUrl + "status/" + id);
                return status;
            }
        }
        """, """
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;

        class PaymentGateway
        {
            private readonly string _baseUrl = "https://payments.invalid/";
            private static readonly HttpClient s_httpClient = new HttpClient(new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            });

            public async Task<string> GetStatusAsync(string id)
            {
                // One client per call.
                var status = await s_httpClient.GetStringAsync(_baseUrl + "status/" + id);
                return status;
            }
        }
        """);

    [Fact]
    public Task Static_UsingStatementIsUnwrapped_AndTheConstantInitializerKept() => VerifyStaticAsync("""
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;

        class Rates
        {
            public async Task<decimal> GetAsync(string currency)
            {
                decimal rate;
                // Rates change hourly.
                using (var client = [|new HttpClient { BaseAddress = new Uri("https://rates.invalid/"), Timeout = TimeSpan.FromSeconds(5) }|])
                {
                    var text = await client.GetStringAsync(currency);
                    rate = decimal.Parse(text);
                }

                return rate;
            }
        }
        """, """
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;

        class Rates
        {
            private static readonly HttpClient s_httpClient = new HttpClient(new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            })
            {
                BaseAddress = new Uri("https://rates.invalid/"),
                Timeout = TimeSpan.FromSeconds(5),
            };

            public async Task<decimal> GetAsync(string currency)
            {
                decimal rate;
                // Rates change hourly.
                var text = await s_httpClient.GetStringAsync(currency);
                rate = decimal.Parse(text);

                return rate;
            }
        }
        """);

    [Fact]
    public Task Static_InlineClient_AndAShareableHandlerKept() => VerifyStaticAsync("""
        using System.Net;
        using System.Net.Http;
        using System.Threading.Tasks;

        static class Downloads
        {
            private static readonly object s_gate = new object();

            public static Task<string> GetAsync(string url) => [|new HttpClient()|].GetStringAsync(url);

            public static async Task<byte[]> GetCompressedAsync(string url)
            {
                var client = [|new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.GZip })|];
                var bytes = await client.GetByteArrayAsync(url);
                client.Dispose();
                return bytes;
            }
        }
        """, """
        using System;
        using System.Net;
        using System.Net.Http;
        using System.Threading.Tasks;

        static class Downloads
        {
            private static readonly object s_gate = new object();
            private static readonly HttpClient s_httpClient = new HttpClient(new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            });
            private static readonly HttpClient s_httpClient2 = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.GZip });

            public static Task<string> GetAsync(string url) => s_httpClient.GetStringAsync(url);

            public static async Task<byte[]> GetCompressedAsync(string url)
            {
                var bytes = await s_httpClient2.GetByteArrayAsync(url);
                return bytes;
            }
        }
        """);

    [Fact]
    public Task Static_FixAllSharesOneFieldForTheSameClient_AndFollowsTheFieldNaming() => VerifyStaticAsync("""
        using System.Net.Http;
        using System.Threading.Tasks;

        class Catalog
        {
            private static readonly string _root = "https://catalog.invalid/";

            public async Task<string> GetProductAsync(string id)
            {
                using var client = [|new HttpClient()|];
                return await client.GetStringAsync(_root + id);
            }

            public async Task<string> GetPriceAsync(string id)
            {
                using var http = [|new HttpClient()|];
                return await http.GetStringAsync(_root + "prices/" + id);
            }
        }
        """, """
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;

        class Catalog
        {
            private static readonly string _root = "https://catalog.invalid/";
            private static readonly HttpClient _httpClient = new HttpClient(new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            });

            public async Task<string> GetProductAsync(string id)
            {
                return await _httpClient.GetStringAsync(_root + id);
            }

            public async Task<string> GetPriceAsync(string id)
            {
                return await _httpClient.GetStringAsync(_root + "prices/" + id);
            }
        }
        """);

    [Fact]
    public Task Static_NotOffered_WhenTheClientIsConfiguredPerCallOrItsHandlerIsLocal() => VerifyStaticAsync("""
        using System;
        using System.Net.Http;
        using System.Net.Http.Headers;
        using System.Threading.Tasks;

        class Gateway
        {
            public async Task<string> WithTokenAsync(string url, string token)
            {
                using var client = [|new HttpClient()|];
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
                return await client.GetStringAsync(url);
            }

            public async Task<string> WithBaseAsync(string baseAddress)
            {
                using var client = [|new HttpClient { BaseAddress = new Uri(baseAddress) }|];
                return await client.GetStringAsync("status");
            }

            public async Task<string> WithLocalHandlerAsync(string url)
            {
                var handler = new HttpClientHandler();
                handler.UseCookies = false;
                using var client = [|new HttpClient(handler)|];
                return await client.GetStringAsync(url);
            }

            public async Task<string> WithTimeoutAsync(string url, int seconds)
            {
                using var client = [|new HttpClient()|];
                client.Timeout = TimeSpan.FromSeconds(seconds);
                return await client.GetStringAsync(url);
            }
        }
        """, """
        using System;
        using System.Net.Http;
        using System.Net.Http.Headers;
        using System.Threading.Tasks;

        class Gateway
        {
            public async Task<string> WithTokenAsync(string url, string token)
            {
                using var client = [|new HttpClient()|];
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
                return await client.GetStringAsync(url);
            }

            public async Task<string> WithBaseAsync(string baseAddress)
            {
                using var client = [|new HttpClient { BaseAddress = new Uri(baseAddress) }|];
                return await client.GetStringAsync("status");
            }

            public async Task<string> WithLocalHandlerAsync(string url)
            {
                var handler = new HttpClientHandler();
                handler.UseCookies = false;
                using var client = [|new HttpClient(handler)|];
                return await client.GetStringAsync(url);
            }

            public async Task<string> WithTimeoutAsync(string url, int seconds)
            {
                using var client = [|new HttpClient()|];
                client.Timeout = TimeSpan.FromSeconds(seconds);
                return await client.GetStringAsync(url);
            }
        }
        """);

    [Fact]
    public Task Factory_ConstructorGetsTheFactory_AndAFieldNamedLikeTheOthers() => VerifyFactoryAsync("""
        using System.Net.Http;
        using System.Threading.Tasks;
        using Microsoft.Extensions.Logging;

        class PaymentGateway
        {
            private readonly ILogger<PaymentGateway> _logger;

            public PaymentGateway(ILogger<PaymentGateway> logger)
            {
                _logger = logger;
            }

            public async Task<string> GetStatusAsync(string id)
            {
                using var client = [|new HttpClient()|];
                client.DefaultRequestHeaders.Add("X-Request", id);
                return await client.GetStringAsync("https://payments.invalid/status/" + id);
            }
        }
        """ + Factory, """
        using System.Net.Http;
        using System.Threading.Tasks;
        using Microsoft.Extensions.Logging;

        class PaymentGateway
        {
            private readonly ILogger<PaymentGateway> _logger;
            private readonly IHttpClientFactory _httpClientFactory;

            public PaymentGateway(ILogger<PaymentGateway> logger, IHttpClientFactory httpClientFactory)
            {
                _logger = logger;
                _httpClientFactory = httpClientFactory;
            }

            public async Task<string> GetStatusAsync(string id)
            {
                using var client = _httpClientFactory.CreateClient();
                client.DefaultRequestHeaders.Add("X-Request", id);
                return await client.GetStringAsync("https://payments.invalid/status/" + id);
            }
        }
        """ + Factory);

    [Fact]
    public Task Factory_PrimaryConstructorGetsTheFactory_AndTheInitializerBecomesStatements() => VerifyFactoryAsync("""
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;
        using Microsoft.Extensions.Logging;

        sealed class Rates(ILogger<Rates> logger)
        {
            public async Task<string> GetAsync(string baseAddress, string currency)
            {
                using var client = [|new HttpClient { BaseAddress = new Uri(baseAddress), Timeout = TimeSpan.FromSeconds(5) }|];
                return await client.GetStringAsync(currency);
            }

            public async Task<string> GetOtherAsync(string url)
            {
                return await [|new HttpClient()|].GetStringAsync(url);
            }
        }
        """ + Factory, """
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;
        using Microsoft.Extensions.Logging;

        sealed class Rates(ILogger<Rates> logger, IHttpClientFactory httpClientFactory)
        {
            public async Task<string> GetAsync(string baseAddress, string currency)
            {
                using var client = httpClientFactory.CreateClient();
                client.BaseAddress = new Uri(baseAddress);
                client.Timeout = TimeSpan.FromSeconds(5);
                return await client.GetStringAsync(currency);
            }

            public async Task<string> GetOtherAsync(string url)
            {
                return await httpClientFactory.CreateClient().GetStringAsync(url);
            }
        }
        """ + Factory);

    [Fact]
    public Task Factory_UsesTheFactoryTheTypeAlreadyHas() => VerifyFactoryAsync("""
        using System.Net.Http;
        using System.Threading.Tasks;

        class Mirror
        {
            private readonly IHttpClientFactory _clients;

            public Mirror(IHttpClientFactory clients, string name)
            {
                _clients = clients;
            }

            public async Task<string> FetchAsync(string url)
            {
                using (var client = [|new HttpClient()|])
                {
                    return await client.GetStringAsync(url);
                }
            }
        }
        """ + Factory, """
        using System.Net.Http;
        using System.Threading.Tasks;

        class Mirror
        {
            private readonly IHttpClientFactory _clients;

            public Mirror(IHttpClientFactory clients, string name)
            {
                _clients = clients;
            }

            public async Task<string> FetchAsync(string url)
            {
                using (var client = _clients.CreateClient())
                {
                    return await client.GetStringAsync(url);
                }
            }
        }
        """ + Factory);

    [Fact]
    public Task Factory_ExpressionBodiedConstructor_ParametersOnePerLine_FixAllAddsOneParameter() => VerifyFactoryAsync("""
        using System.Net.Http;
        using System.Threading.Tasks;
        using Microsoft.Extensions.Logging;

        public interface IClock { }

        class Orders
        {
            private readonly ILogger<Orders> m_logger;

            public Orders(
                ILogger<Orders> logger,
                IClock clock) => m_logger = logger;

            public async Task<string> GetAsync(string id)
            {
                using var client = [|new HttpClient()|];
                return await client.GetStringAsync("https://orders.invalid/" + id);
            }

            public async Task<string> GetLinesAsync(string id)
            {
                using var client = [|new HttpClient()|];
                return await client.GetStringAsync("https://orders.invalid/" + id + "/lines");
            }
        }
        """ + Factory, """
        using System.Net.Http;
        using System.Threading.Tasks;
        using Microsoft.Extensions.Logging;

        public interface IClock { }

        class Orders
        {
            private readonly ILogger<Orders> m_logger;
            private readonly IHttpClientFactory m_httpClientFactory;

            public Orders(
                ILogger<Orders> logger,
                IClock clock,
                IHttpClientFactory httpClientFactory)
            {
                m_logger = logger;
                m_httpClientFactory = httpClientFactory;
            }

            public async Task<string> GetAsync(string id)
            {
                using var client = m_httpClientFactory.CreateClient();
                return await client.GetStringAsync("https://orders.invalid/" + id);
            }

            public async Task<string> GetLinesAsync(string id)
            {
                using var client = m_httpClientFactory.CreateClient();
                return await client.GetStringAsync("https://orders.invalid/" + id + "/lines");
            }
        }
        """ + Factory);

    [Fact]
    public Task Factory_NotOffered_WhenCodeCallsTheConstructorOrTakesValues() => VerifyFactoryAsync("""
        using System.Net.Http;
        using System.Threading.Tasks;
        using Microsoft.Extensions.Logging;

        class Created
        {
            public Created(ILogger<Created> logger) { }

            public async Task<string> GetAsync(string url)
            {
                using var client = [|new HttpClient()|];
                return await client.GetStringAsync(url);
            }

            public static Created Make(ILogger<Created> logger) => new Created(logger);
        }

        class Configured
        {
            public Configured(ILogger<Configured> logger, string baseAddress) { }

            public async Task<string> GetAsync(string url)
            {
                using var client = [|new HttpClient()|];
                return await client.GetStringAsync(url);
            }
        }

        class NoConstructor
        {
            public async Task<string> GetAsync(string url)
            {
                using var client = [|new HttpClient()|];
                return await client.GetStringAsync(url);
            }
        }
        """ + Factory, """
        using System.Net.Http;
        using System.Threading.Tasks;
        using Microsoft.Extensions.Logging;

        class Created
        {
            public Created(ILogger<Created> logger) { }

            public async Task<string> GetAsync(string url)
            {
                using var client = [|new HttpClient()|];
                return await client.GetStringAsync(url);
            }

            public static Created Make(ILogger<Created> logger) => new Created(logger);
        }

        class Configured
        {
            public Configured(ILogger<Configured> logger, string baseAddress) { }

            public async Task<string> GetAsync(string url)
            {
                using var client = [|new HttpClient()|];
                return await client.GetStringAsync(url);
            }
        }

        class NoConstructor
        {
            public async Task<string> GetAsync(string url)
            {
                using var client = [|new HttpClient()|];
                return await client.GetStringAsync(url);
            }
        }
        """ + Factory);

    [Fact]
    public Task Static_UsingStatementKeepsTheCommentsInItsBody_AndNoBlankLineAtTheTopOfTheBlock() => VerifyStaticAsync("""
        using System.Net.Http;
        using System.Threading.Tasks;

        class Feed
        {
            public async Task<int> CountAsync(string url)
            {
                using (var client = [|new HttpClient()|])
                {
                    // The feed is small.
                    var text = await client.GetStringAsync(url); // one request

                    return text.Length;
                }
            }

            public async Task<int> LengthAsync(string url)
            {
                var client = [|new HttpClient()|]; // per call

                var text = await client.GetStringAsync(url);
                client?.Dispose();
                return text.Length;
            }
        }
        """, """
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;

        class Feed
        {
            private static readonly HttpClient s_httpClient = new HttpClient(new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            });

            public async Task<int> CountAsync(string url)
            {
                // The feed is small.
                var text = await s_httpClient.GetStringAsync(url); // one request

                return text.Length;
            }

            public async Task<int> LengthAsync(string url)
            {
                // per call
                var text = await s_httpClient.GetStringAsync(url);
                return text.Length;
            }
        }
        """);

    [Fact]
    public Task Static_MultiLineInitializerInATryBlock() => VerifyStaticAsync("""
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;

        sealed class SsoStep
        {
            private static readonly string _entityId = "https://idp.invalid/metadata";

            public Task<string> RunAsync() => FetchAsync(_entityId);

            private static async Task<string> FetchAsync(string metadataUrl)
            {
                string metadata;
                try
                {
                    using var client = [|new HttpClient
                    {
                        Timeout = TimeSpan.FromSeconds(10),
                    }|];
                    metadata = await client.GetStringAsync(metadataUrl);
                }
                catch (Exception ex)
                {
                    throw new InvalidOperationException("IdP unreachable", ex);
                }

                return metadata;
            }
        }
        """, """
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;

        sealed class SsoStep
        {
            private static readonly string _entityId = "https://idp.invalid/metadata";
            private static readonly HttpClient _httpClient = new HttpClient(new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            })
            {
                Timeout = TimeSpan.FromSeconds(10),
            };

            public Task<string> RunAsync() => FetchAsync(_entityId);

            private static async Task<string> FetchAsync(string metadataUrl)
            {
                string metadata;
                try
                {
                    metadata = await _httpClient.GetStringAsync(metadataUrl);
                }
                catch (Exception ex)
                {
                    throw new InvalidOperationException("IdP unreachable", ex);
                }

                return metadata;
            }
        }
        """);

    // Most projects get System and System.Net.Http from the SDK's global usings: the fix adds no using and no blank line.
    [Fact]
    public Task Static_WithImplicitUsings_AddsNoUsing()
    {
        const string globalUsings = """
            global using global::System;
            global using global::System.Net.Http;
            global using global::System.Threading.Tasks;

            """;
        var test = new CodeFixTest<HttpClientPerOperationAnalyzer, HttpClientPerOperationCodeFix> { CodeActionEquivalenceKey = HttpClientPerOperationCodeFix.StaticFieldKey };
        test.TestState.Sources.Add(("/0/Test0.cs", """
            namespace Shop;

            class Prices
            {
                public async Task<string> GetAsync(string sku)
                {
                    using var client = [|new HttpClient()|];
                    return await client.GetStringAsync("https://prices.invalid/" + sku);
                }
            }
            """));
        test.TestState.Sources.Add(("/0/obj/GlobalUsings.g.cs", globalUsings));
        test.FixedState.Sources.Add(("/0/Test0.cs", """
            namespace Shop;

            class Prices
            {
                private static readonly HttpClient s_httpClient = new HttpClient(new SocketsHttpHandler
                {
                    PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                });

                public async Task<string> GetAsync(string sku)
                {
                    return await s_httpClient.GetStringAsync("https://prices.invalid/" + sku);
                }
            }
            """));
        test.FixedState.Sources.Add(("/0/obj/GlobalUsings.g.cs", globalUsings));
        return test.RunAsync();
    }

    [Fact]
    public Task Factory_NotOffered_WhenTheConstructorIsInAnotherPartialPart()
    {
        // The fix edits one document: it does not add the parameter to a constructor in another file.
        var test = new CodeFixTest<HttpClientPerOperationAnalyzer, HttpClientPerOperationCodeFix>
        {
            CodeActionEquivalenceKey = HttpClientPerOperationCodeFix.FactoryKey,
        };
        test.TestState.Sources.Add(("/0/PaymentGateway.cs", PartialGatewayWithConstructor));
        test.TestState.Sources.Add(("/0/PaymentGateway.Status.cs", PartialGatewayStatus));
        test.FixedState.Sources.Add(("/0/PaymentGateway.cs", PartialGatewayWithConstructor));
        test.FixedState.Sources.Add(("/0/PaymentGateway.Status.cs", PartialGatewayStatus));
        return test.RunAsync();
    }

    [Fact]
    public Task Static_InAPartialPart_TheFieldGoesIntoThePartThatSends()
    {
        var test = new CodeFixTest<HttpClientPerOperationAnalyzer, HttpClientPerOperationCodeFix>
        {
            CodeActionEquivalenceKey = HttpClientPerOperationCodeFix.StaticFieldKey,
        };
        test.TestState.Sources.Add(("/0/PaymentGateway.cs", PartialGatewayWithConstructor));
        test.TestState.Sources.Add(("/0/PaymentGateway.Status.cs", PartialGatewayStatus));
        test.FixedState.Sources.Add(("/0/PaymentGateway.cs", PartialGatewayWithConstructor));
        test.FixedState.Sources.Add(("/0/PaymentGateway.Status.cs", """
            using System;
            using System.Net.Http;
            using System.Threading.Tasks;

            partial class PaymentGateway
            {
                private static readonly HttpClient s_httpClient = new HttpClient(new SocketsHttpHandler
                {
                    PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                });

                public async Task<string> GetStatusAsync(string id)
                {
                    return await s_httpClient.GetStringAsync("https://payments.invalid/status/" + id);
                }
            }
            """));
        return test.RunAsync();
    }

    private const string PartialGatewayWithConstructor = """
        using Microsoft.Extensions.Logging;

        partial class PaymentGateway
        {
            private readonly ILogger<PaymentGateway> _logger;

            public PaymentGateway(ILogger<PaymentGateway> logger)
            {
                _logger = logger;
            }
        }
        """ + Factory;

    private const string PartialGatewayStatus = """
        using System.Net.Http;
        using System.Threading.Tasks;

        partial class PaymentGateway
        {
            public async Task<string> GetStatusAsync(string id)
            {
                using var client = [|new HttpClient()|];
                return await client.GetStringAsync("https://payments.invalid/status/" + id);
            }
        }
        """;
}
