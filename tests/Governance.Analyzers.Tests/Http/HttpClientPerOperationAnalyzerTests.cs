using Governance.Analyzers.Http;
using Governance.Analyzers.Tests.Verifiers;
using Microsoft.CodeAnalysis.Testing;

namespace Governance.Analyzers.Tests.Http;

public sealed class HttpClientPerOperationAnalyzerTests
{
    private static Task VerifyAsync(params string[] sources) => Verify<HttpClientPerOperationAnalyzer>.AnalyzerAsync(sources);

    /// <summary>Top-level statements compile only in an executable.</summary>
    private static Task VerifyProgramAsync(string source)
    {
        var test = new Verifiers.AnalyzerTest<HttpClientPerOperationAnalyzer> { TestCode = source };
        test.TestState.OutputKind = Microsoft.CodeAnalysis.OutputKind.ConsoleApplication;
        return test.RunAsync();
    }

    [Fact]
    public Task Reports_UsingVarLocal() => VerifyAsync("""
        using System.Net.Http;
        using System.Threading.Tasks;

        class PaymentGateway
        {
            public async Task<string> GetStatusAsync(string id)
            {
                using var client = [|new HttpClient()|];
                return await client.GetStringAsync("https://payments.invalid/status/" + id);
            }
        }
        """);

    [Fact]
    public Task Reports_UsingStatement() => VerifyAsync("""
        using System.Net.Http;
        using System.Threading.Tasks;

        class PaymentGateway
        {
            public async Task<bool> PingAsync()
            {
                using (var client = [|new HttpClient()|])
                {
                    var response = await client.GetAsync("https://payments.invalid/ping");
                    return response.IsSuccessStatusCode;
                }
            }
        }
        """);

    [Fact]
    public Task Reports_ClientCreatedInlineForOneCall() => VerifyAsync("""
        using System.Net.Http;
        using System.Threading.Tasks;

        class PaymentGateway
        {
            public Task<string> GetStatusAsync(string id) => [|new HttpClient()|].GetStringAsync("https://payments.invalid/status/" + id);
        }
        """);

    [Fact]
    public Task Reports_LocalNeverDisposed_TargetTypedNew_AndAssignedLater() => VerifyAsync("""
        using System.Net.Http;
        using System.Threading.Tasks;

        class Notifier
        {
            public async Task NotifyAsync(string url)
            {
                HttpClient client = [|new()|];
                client.DefaultRequestHeaders.Add("X-Source", "orders");
                await client.PostAsync(url, new StringContent("done"));
            }

            public async Task NotifyLaterAsync(string url)
            {
                HttpClient client;
                client = [|new HttpClient { BaseAddress = new System.Uri(url) }|];
                await client.PostAsync("notify", null);
            }
        }
        """);

    [Fact]
    public Task Reports_JsonExtensionSends() => VerifyAsync("""
        using System.Net.Http;
        using System.Net.Http.Json;
        using System.Threading.Tasks;

        record Rate(decimal Value);

        class Rates
        {
            public async Task<Rate?> GetAsync()
            {
                using var client = [|new HttpClient()|];
                return await client.GetFromJsonAsync<Rate>("https://rates.invalid/eur");
            }

            public Task<Rate?> GetInlineAsync() => [|new HttpClient()|].GetFromJsonAsync<Rate>("https://rates.invalid/usd");
        }
        """);

    [Fact]
    public Task Reports_HandlerCreatedPerCall() => VerifyAsync("""
        using System;
        using System.Net;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        sealed class RetryHandler : DelegatingHandler
        {
            public RetryHandler() { }
            public RetryHandler(HttpMessageHandler inner) : base(inner) { }
        }

        class Crawler
        {
            public async Task<string> FetchAsync(string url)
            {
                using var client = [|new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.GZip })|];
                return await client.GetStringAsync(url);
            }

            public async Task<string> FetchWithSocketsAsync(string url)
            {
                var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) };
                using var client = [|new HttpClient(handler, disposeHandler: true)|];
                return await client.GetStringAsync(url);
            }

            public async Task<string> FetchWithRetriesAsync(string url)
            {
                using var inner = new HttpClientHandler();
                using var retry = new RetryHandler();
                retry.InnerHandler = inner;
                using var client = [|new HttpClient(retry)|];
                return await client.GetStringAsync(url);
            }

            public async Task<string> FetchThroughDelegatingAsync(string url)
            {
                using var client = [|new HttpClient(new RetryHandler(new SocketsHttpHandler()))|];
                return await client.GetStringAsync(url, CancellationToken.None);
            }
        }
        """);

    [Fact]
    public Task Reports_SubclassWithDefaultHandler() => VerifyAsync("""
        using System.Net.Http;
        using System.Threading.Tasks;

        class ApiClient : HttpClient
        {
        }

        class ApiClientWithConstructor : HttpClient
        {
            public ApiClientWithConstructor() { DefaultRequestHeaders.Add("X-Api", "1"); }
        }

        class Orders
        {
            public async Task LoadAsync()
            {
                using var api = [|new ApiClient()|];
                await api.GetAsync("https://orders.invalid/");
                using var other = [|new ApiClientWithConstructor()|];
                await other.GetAsync("https://orders.invalid/");
            }
        }
        """);

    [Fact]
    public Task NoReport_SubclassWithSharedHandler() => VerifyAsync("""
        using System.Net.Http;
        using System.Threading.Tasks;

        class ApiClient : HttpClient
        {
            private static readonly HttpMessageHandler s_handler = new SocketsHttpHandler();

            public ApiClient() : base(s_handler, disposeHandler: false) { }
        }

        class Orders
        {
            public async Task LoadAsync()
            {
                using var api = new ApiClient();
                await api.GetAsync("https://orders.invalid/");
            }
        }
        """);

    [Fact]
    public Task Reports_PrivateHelperCalledFromAPublicMethod_InAnotherPartialDeclaration() => VerifyAsync("""
        using System.Net.Http;
        using System.Threading.Tasks;

        partial class Catalog
        {
            private static async Task<string> DownloadAsync(string url)
            {
                using var client = [|new HttpClient()|];
                return await client.GetStringAsync(url);
            }
        }
        """, """
        using System.Threading.Tasks;

        partial class Catalog
        {
            public Task<string> GetProductAsync(string id) => DownloadAsync("https://catalog.invalid/" + id);
        }
        """);

    [Fact]
    public Task Reports_InAConstructorLocal() => VerifyAsync("""
        using System.Net.Http;

        class Settings
        {
            private readonly string _value;

            public Settings()
            {
                using var client = [|new HttpClient()|];
                _value = client.GetStringAsync("https://config.invalid/").Result;
            }
        }
        """);

    [Fact]
    public Task Reports_CapturedByALambda_WhenTheMethodDisposesTheClient() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Linq;
        using System.Net.Http;
        using System.Threading.Tasks;

        class Mirror
        {
            public async Task<string[]> FetchAllAsync(IEnumerable<string> urls)
            {
                using var client = [|new HttpClient()|];
                return await Task.WhenAll(urls.Select(u => client.GetStringAsync(u)));
            }
        }
        """);

    [Fact]
    public Task Reports_InALoopOrARouteHandler_EvenInTopLevelStatements() => VerifyProgramAsync("""
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;

        foreach (var url in args)
        {
            using var client = [|new HttpClient()|];
            Console.WriteLine(await client.GetStringAsync(url));
        }

        Func<string, Task<string>> handler = async id =>
        {
            using var client = [|new HttpClient()|];
            return await client.GetStringAsync("https://payments.invalid/" + id);
        };
        Console.WriteLine(await handler("1"));
        """);

    [Fact]
    public Task NoReport_InMainOrTopLevelStatements() => VerifyProgramAsync("""
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;

        using var client = new HttpClient();
        Console.WriteLine(await client.GetStringAsync("https://example.invalid/"));
        await Task.Run(async () =>
        {
            using var background = new HttpClient();
            await background.GetStringAsync("https://example.invalid/once");
        });
        """);

    [Fact]
    public Task NoReport_InMainAndTheProgramsOwnHelpers() => VerifyAsync("""
        using System.Net.Http;
        using System.Threading.Tasks;

        static class Program
        {
            public static async Task Main(string[] args)
            {
                using var client = new HttpClient();
                await client.GetStringAsync(args[0]);
                await PublishAsync(args[1]);
            }

            static async Task PublishAsync(string url)
            {
                using var client = new HttpClient();
                await client.PostAsync(url, null);
            }
        }
        """);

    [Fact]
    public Task NoReport_StoredInAStaticFieldOrProperty() => VerifyAsync("""
        using System.Net.Http;

        class Registry
        {
            private static HttpClient? s_client;
            public static HttpClient? Shared { get; private set; }

            public static void Initialize()
            {
                s_client = new HttpClient();
                Shared = new HttpClient();
                s_client.GetAsync("https://example.invalid/");
            }
        }
        """);

    [Fact]
    public Task NoReport_StoredInAnInstanceFieldByAConstructor_AFieldInitializer_OrAnInitMethod() => VerifyAsync("""
        using System.Net.Http;
        using System.Threading.Tasks;

        class Gateway
        {
            private readonly HttpClient _client;
            private readonly HttpClient _initialized = new HttpClient();
            private HttpClient? _configured;
            private HttpClient? _lazy;

            public Gateway() => _client = new HttpClient();

            public void Configure(string baseAddress)
            {
                _configured = new HttpClient { BaseAddress = new System.Uri(baseAddress) };
            }

            public Task<string> GetAsync(string url) => (_lazy ??= new HttpClient()).GetStringAsync(url);

            public Task<string> GetOtherAsync(string url) => _client.GetStringAsync(url);
        }
        """);

    [Fact]
    public Task NoReport_FactoryThatReturnsTheClient() => VerifyAsync("""
        using System.Net.Http;

        class Clients
        {
            public HttpClient Create() => new HttpClient();

            public HttpClient CreateConfigured(string token)
            {
                var client = new HttpClient();
                client.DefaultRequestHeaders.Add("Authorization", "Bearer " + token);
                return client;
            }
        }
        """);

    [Fact]
    public Task NoReport_ClientThatEscapes() => VerifyAsync("""
        using System;
        using System.Collections.Generic;
        using System.Net.Http;
        using System.Threading.Tasks;

        class Api
        {
            public Api(HttpClient client) { }
            public HttpClient? Client { get; set; }
        }

        class Holder
        {
            public HttpClient? Client;
        }

        class Wiring
        {
            private readonly List<HttpClient> _clients = new();
            public HttpClient? Current { get; set; }

            public void PassedToAConstructor() => _ = new Api(new HttpClient());

            public void PassedToAMethod()
            {
                var client = new HttpClient();
                Use(client);
            }

            public void AddedToACollection()
            {
                var client = new HttpClient();
                _clients.Add(client);
            }

            public void AssignedToANonPrivateMember() => Current = new HttpClient();

            public void AssignedToAMemberOfAnotherObject(Holder holder, Api api)
            {
                holder.Client = new HttpClient();
                var client = new HttpClient();
                api.Client = client;
            }

            public Func<Task<string>> CapturedByALambdaThatEscapes(string url)
            {
                var client = new HttpClient();
                return () => client.GetStringAsync(url);
            }

            private static void Use(HttpClient client) { }
        }
        """);

    [Fact]
    public Task NoReport_RegisteredInDependencyInjection() => VerifyAsync("""
        using System.Net.Http;

        namespace Microsoft.Extensions.DependencyInjection
        {
            public interface IServiceCollection { }

            public static class ServiceCollectionExtensions
            {
                public static IServiceCollection AddSingleton<T>(this IServiceCollection services, T instance) => services;
            }
        }

        namespace App
        {
            using Microsoft.Extensions.DependencyInjection;

            static class Startup
            {
                public static void Register(IServiceCollection services) => services.AddSingleton(new HttpClient());
            }
        }
        """);

    [Fact]
    public Task NoReport_ClientFromIHttpClientFactory_ButReports_ANewClientBesideIt() => VerifyAsync("""
        using System.Threading.Tasks;

        namespace System.Net.Http
        {
            public interface IHttpClientFactory
            {
                HttpClient CreateClient(string name);
            }
        }

        namespace App
        {
            using System.Net.Http;

            class Payments
            {
                private readonly IHttpClientFactory _factory;

                public Payments(IHttpClientFactory factory) => _factory = factory;

                public async Task<string> GetAsync(string id)
                {
                    using var client = _factory.CreateClient("payments");
                    return await client.GetStringAsync(id);
                }

                public async Task<string> GetFreshAsync(string id)
                {
                    // The same type, the same shape, but a client of its own: this one is reported.
                    using var client = [|new HttpClient()|];
                    return await client.GetStringAsync(id);
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_ClientOverAHandlerFromIHttpMessageHandlerFactory() => VerifyAsync("""
        using System.Threading.Tasks;

        namespace System.Net.Http
        {
            public interface IHttpMessageHandlerFactory
            {
                HttpMessageHandler CreateHandler(string name);
            }
        }

        namespace App
        {
            using System.Net.Http;

            class Payments
            {
                private readonly IHttpMessageHandlerFactory _handlers;

                public Payments(IHttpMessageHandlerFactory handlers) => _handlers = handlers;

                // The factory owns and pools the handler: a client per call over it is how the factory is meant to be used.
                public async Task<string> GetAsync(string id)
                {
                    using var client = new HttpClient(_handlers.CreateHandler("payments"), disposeHandler: false);
                    return await client.GetStringAsync(id);
                }

                public async Task<string> GetThroughALocalAsync(string id)
                {
                    var handler = _handlers.CreateHandler("payments");
                    using var client = new HttpClient(handler, false);
                    return await client.GetStringAsync(id);
                }

                public async Task<string> GetFreshAsync(string id)
                {
                    // A handler made here has its own connection pool: reported.
                    using var client = [|new HttpClient(new HttpClientHandler(), disposeHandler: true)|];
                    return await client.GetStringAsync(id);
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_SharedHandler_FakeHandler_OrHandlerFromTheCaller() => VerifyAsync("""
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        sealed class FakeHandler : HttpMessageHandler
        {
            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
                => Task.FromResult(new HttpResponseMessage());
        }

        class Gateway
        {
            private static readonly SocketsHttpHandler s_handler = new SocketsHttpHandler();
            private readonly HttpMessageHandler _handler = new HttpClientHandler();

            public async Task<string> SharedStaticAsync(string url)
            {
                using var client = new HttpClient(s_handler, disposeHandler: false);
                return await client.GetStringAsync(url);
            }

            public async Task<string> SharedStaticDisposedAsync(string url)
            {
                using var client = new HttpClient(s_handler);
                return await client.GetStringAsync(url);
            }

            public async Task<string> SharedInstanceAsync(string url)
            {
                using var client = new HttpClient(_handler, false);
                return await client.GetStringAsync(url);
            }

            public async Task<string> FromCallerAsync(HttpMessageHandler handler, string url)
            {
                using var client = new HttpClient(handler, false);
                return await client.GetStringAsync(url);
            }

            public async Task<string> FakeAsync(string url)
            {
                using var client = new HttpClient(new FakeHandler());
                return await client.GetStringAsync(url);
            }

            public async Task<string> DelegatingToSharedAsync(string url)
            {
                using var client = new HttpClient(new LoggingHandler { InnerHandler = s_handler }, false);
                return await client.GetStringAsync(url);
            }
        }

        sealed class LoggingHandler : DelegatingHandler { }
        """);

    [Fact]
    public Task NoReport_PrivateMethodThatRunsOnce() => VerifyAsync("""
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;

        class Telemetry
        {
            private static readonly string s_region = DetectRegion();
            private static readonly Lazy<string> s_zone = new Lazy<string>(() => DetectZone());
            private Task? _report;

            public void Start() => _report ??= Task.Run(() => ReportAsync());

            private async Task ReportAsync()
            {
                using var client = new HttpClient();
                await client.PostAsync("https://telemetry.invalid/usage", null);
                await DetectCloudAsync();
            }

            private static async Task DetectCloudAsync()
            {
                var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
                await client.GetStringAsync("http://metadata.invalid/zone");
            }

            private static string DetectRegion()
            {
                using var client = new HttpClient();
                return client.GetStringAsync("http://metadata.invalid/region").Result;
            }

            private static string DetectZone()
            {
                using var client = new HttpClient();
                return client.GetStringAsync("http://metadata.invalid/zone").Result;
            }
        }
        """);

    [Fact]
    public Task Reports_PrivateMethodThatAlsoRunsPerOperation() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Net.Http;
        using System.Threading.Tasks;

        class Telemetry
        {
            private Task? _report;

            public void Start() => _report ??= ReportAsync();

            public async Task FlushAllAsync(IEnumerable<string> batches)
            {
                foreach (var batch in batches)
                {
                    await ReportAsync();
                }
            }

            private async Task ReportAsync()
            {
                using var client = [|new HttpClient()|];
                await client.PostAsync("https://telemetry.invalid/usage", null);
            }
        }
        """);

    [Fact]
    public Task NoReport_ClientNeverUsedToSend() => VerifyAsync("""
        using System.Net.Http;

        class Probe
        {
            public string Describe()
            {
                using var client = new HttpClient();
                return client.Timeout.ToString();
            }
        }
        """);

    [Fact]
    public Task NoReport_UserTypeNamedHttpClient() => VerifyAsync("""
        using System.Threading.Tasks;

        class HttpClient
        {
            public Task<string> GetStringAsync(string url) => Task.FromResult(url);
        }

        class Orders
        {
            public async Task<string> GetAsync(string url)
            {
                var client = new HttpClient();
                return await client.GetStringAsync(url);
            }
        }
        """);

    [Fact]
    public Task NoReport_TestMethodsAndTestNamespaces() => VerifyAsync("""
        using System.Net.Http;
        using System.Threading.Tasks;

        namespace Xunit
        {
            public sealed class FactAttribute : System.Attribute { }
        }

        namespace Orders.Specs
        {
            public class Checks
            {
                [Xunit.Fact]
                public async Task Status_IsOk()
                {
                    using var client = new HttpClient();
                    await client.GetAsync("http://localhost/health");
                }
            }
        }

        namespace MassTransit.Testing
        {
            public class BrokerHarness
            {
                public async Task CleanAsync()
                {
                    using var client = new HttpClient();
                    await client.DeleteAsync("http://localhost:15672/api/queues");
                }
            }
        }

        namespace Billing.IntegrationTest
        {
            public class StripeFixture
            {
                public async Task AttachAsync()
                {
                    using var client = new HttpClient();
                    await client.PostAsync("https://api.stripe.invalid/v1/customers", null);
                }
            }
        }
        """);

    private const string InAProject = """
        using System.Net.Http;
        using System.Threading.Tasks;

        public class OrdersClientTests
        {
            public async Task GetAsync()
            {
                using var client = {|#0:new HttpClient()|};
                await client.GetAsync("http://localhost/orders");
            }
        }
        """;

    private static Task VerifyInProjectAsync(string assemblyName, string? config, bool expectReport)
    {
        var test = new Verifiers.AnalyzerTest<HttpClientPerOperationAnalyzer>
        {
            TestCode = expectReport ? InAProject : InAProject.Replace("{|#0:new HttpClient()|}", "new HttpClient()", StringComparison.Ordinal),
        };
        test.SolutionTransforms.Add((solution, projectId) => solution.WithProjectAssemblyName(projectId, assemblyName));
        Verify<HttpClientPerOperationAnalyzer>.AddConfig(test.TestState, config);
        if (expectReport)
        {
            test.ExpectedDiagnostics.Add(new DiagnosticResult(Descriptors.HttpClientPerOperation).WithLocation(0).WithArguments("'GetAsync'", "on every call"));
        }

        return test.RunAsync();
    }

    [Theory]
    [InlineData("Orders.Tests")]
    [InlineData("Orders.Benchmarks")]
    public Task NoReport_InATestProject(string assemblyName) => VerifyInProjectAsync(assemblyName, config: null, expectReport: false);

    [Fact]
    public Task Reports_InATestProject_WhenTheOptionAsksForIt()
        => VerifyInProjectAsync("Orders.Tests", "root = true\n[*.cs]\ngovernance.GOV4001.include_test_projects = true\n", expectReport: true);

    [Fact]
    public Task Reports_InAProductionProject() => VerifyInProjectAsync("Orders", config: null, expectReport: true);

    [Fact]
    public Task Reports_MessageNamesTheMethodAndTheLoop() => Verify<HttpClientPerOperationAnalyzer>.AnalyzerAsync("""
        using System.Collections.Generic;
        using System.Net.Http;
        using System.Threading.Tasks;

        class Mirror
        {
            public async Task CopyAsync(IEnumerable<string> urls)
            {
                foreach (var url in urls)
                {
                    using var client = {|GOV4001:new HttpClient()|};
                    await client.GetStringAsync(url);
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_GeneratedCode() => VerifyAsync("""
        // <auto-generated/>
        using System.Net.Http;
        using System.Threading.Tasks;

        class Generated
        {
            public async Task<string> GetAsync(string url)
            {
                using var client = new HttpClient();
                return await client.GetStringAsync(url);
            }
        }
        """);

    [Fact]
    public Task NoReport_IncompleteCode() => VerifyAsync("""
        using System.Net.Http;
        using System.Threading.Tasks;

        class Typing
        {
            public async Task<string> GetAsync(string url)
            {
                using var client = new HttpClient({|CS1026:|}{|CS1002:|}
                return await client.{|CS1061:GetStrin|}(url);
            }

            public void Other()
            {
                var client = new HttpClient(new {|CS0246:UnknownHandler|}());
                client.GetAsync({|CS1503:42|});
            }
        }
        """);

    [Fact]
    public Task Reports_InAPropertyGetter_ALocalFunction_AndATaskStartedInALoop() => VerifyAsync("""
        using System.Collections.Generic;
        using System.Net.Http;
        using System.Threading.Tasks;

        class Status
        {
            public string Current
            {
                get
                {
                    using var client = [|new HttpClient()|];
                    return client.GetStringAsync("https://status.invalid/").Result;
                }
            }

            public async Task<string> ReadAsync(string url)
            {
                return await ReadCoreAsync();

                async Task<string> ReadCoreAsync()
                {
                    using var client = [|new HttpClient()|];
                    return await client.GetStringAsync(url);
                }
            }

            public void WarmAll(IEnumerable<string> urls)
            {
                foreach (var url in urls)
                {
                    _ = Task.Run(async () =>
                    {
                        using var client = [|new HttpClient()|];
                        await client.GetAsync(url);
                    });
                }
            }
        }
        """);

    [Fact]
    public Task NoReport_MethodGroupStartedOnceUnderANullGuard() => VerifyAsync("""
        using System.Net.Http;
        using System.Threading.Tasks;

        class Telemetry
        {
            private Task? _report;

            public void Start() => _report ??= Task.Run(ReportAsync);

            private async Task ReportAsync()
            {
                using var client = new HttpClient();
                await client.PostAsync("https://telemetry.invalid/usage", null);
            }
        }
        """);

    [Fact]
    public Task Reports_PrivateMethodHandedOnAsACallback() => VerifyAsync("""
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;

        class Poller
        {
            public event Func<Task>? Tick;

            public void Start() => Tick += PollAsync;

            private async Task PollAsync()
            {
                using var client = [|new HttpClient()|];
                await client.GetAsync("https://status.invalid/");
            }
        }
        """);

    [Fact]
    public Task Reports_MessageSaysWhereTheClientIsMadeAgainAndAgain()
    {
        var test = new Verifiers.AnalyzerTest<HttpClientPerOperationAnalyzer>
        {
            TestCode = """
                using System.Net.Http;
                using System.Threading.Tasks;

                foreach (var url in args)
                {
                    using var client = {|#0:new HttpClient()|};
                    await client.GetStringAsync(url);
                }

                class Orders
                {
                    public Orders()
                    {
                        using var client = {|#1:new HttpClient()|};
                        client.GetAsync("https://orders.invalid/").Wait();
                    }

                    public Task<string> GetAsync(string id) => {|#2:new HttpClient()|}.GetStringAsync("https://orders.invalid/" + id);
                }
                """,
        };
        test.TestState.OutputKind = Microsoft.CodeAnalysis.OutputKind.ConsoleApplication;
        test.ExpectedDiagnostics.Add(new DiagnosticResult(Descriptors.HttpClientPerOperation).WithLocation(0).WithArguments("A loop in the top-level statements", "on every iteration"));
        test.ExpectedDiagnostics.Add(new DiagnosticResult(Descriptors.HttpClientPerOperation).WithLocation(1).WithArguments("the constructor of 'Orders'", "on every call"));
        test.ExpectedDiagnostics.Add(new DiagnosticResult(Descriptors.HttpClientPerOperation).WithLocation(2).WithArguments("'GetAsync'", "on every call"));
        return test.RunAsync();
    }

    // A folder scan does not resolve third-party handlers (FlareSolverrSharp's ClearanceHandler): one created here and
    // given a connection handler created here as its inner handler still makes a client with connections of its own.
    [Fact]
    public Task Reports_UnresolvedDelegatingHandlerAroundAHandlerMadeHere() => VerifyAsync("""
        using System.Net.Http;
        using System.Threading.Tasks;

        class WebClient
        {
            public async Task<string> RunAsync(string url)
            {
                using (var clearance = new {|CS0246:ClearanceHandler|}(url))
                {
                    using (var handler = new HttpClientHandler { UseCookies = true })
                    {
                        clearance.InnerHandler = handler;
                        using (var client = [|new HttpClient(clearance)|])
                        {
                            return await client.GetStringAsync(url);
                        }
                    }
                }
            }

            public async Task<string> MockedAsync(string url)
            {
                var mock = new {|CS0246:MockHttpMessageHandler|}();
                using var client = new HttpClient(mock);
                return await client.GetStringAsync(url);
            }
        }
        """);
}
