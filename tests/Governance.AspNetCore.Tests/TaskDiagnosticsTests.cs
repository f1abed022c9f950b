using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;
using Governance;
using Governance.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Governance.AspNetCore.Tests;

/// <summary>
/// <c>/debug/tasks</c> on a test server. Each test parks work of its own in a task group with a name no other test
/// uses (the census is process-wide), started by a request that carries secrets in a header and in the query, and
/// sets the caller's address on each request as the transport would.
/// </summary>
public sealed class TaskDiagnosticsTests
{
    private const string SecretHeader = "hdr-5ec2e7-7a1b";
    private const string SecretQuery = "qry-5ec2e7-9c4d";
    private static readonly IPAddress Remote = IPAddress.Parse("203.0.113.7");

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    public async Task Loopback_SeesTheParkedUnitsSiteOwnerAndLabel(string address)
    {
        await using var app = await DiagnosticsApp.StartAsync();
        await app.ParkAsync(units: 2);

        var response = await app.GetAsync("/debug/tasks", IPAddress.Parse(address));

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("text/plain; charset=utf-8", response.ContentType);
        Assert.Equal("no-store", response.CacheControl);
        var text = response.Body;
        Assert.StartsWith("governance census: ", text, StringComparison.Ordinal);
        Assert.Contains("runtime: threadpool threads=", text, StringComparison.Ordinal);
        var group = Line(text, $"@ {nameof(DiagnosticsApp.StartParkedWork)} (");
        Assert.StartsWith("2 @ ", group, StringComparison.Ordinal);
        Assert.Contains(nameof(TaskDiagnosticsTests) + ".cs:", group, StringComparison.Ordinal);
        Assert.Contains($"taskgroup \"{app.GroupName}\"", text, StringComparison.Ordinal);
        Assert.Contains("running=2 waiting=0 queued=0", text, StringComparison.Ordinal);

        // debug=1 is the default.
        var explicitly = (await app.GetAsync("/debug/tasks?debug=1", IPAddress.Loopback)).Body;
        Assert.Equal(group, Line(explicitly, $"@ {nameof(DiagnosticsApp.StartParkedWork)} ("));
    }

    [Fact]
    public async Task Debug2_ListsEveryUnitWithItsLabels()
    {
        await using var app = await DiagnosticsApp.StartAsync();
        await app.ParkAsync(units: 3);

        var response = await app.GetAsync("/debug/tasks?debug=2", IPAddress.Loopback);

        Assert.Equal(200, response.StatusCode);
        var owner = $"taskgroup \"{app.GroupName}\" [running, ";
        Assert.Equal(3, Occurrences(response.Body, owner));
        Assert.Equal(3, Occurrences(response.Body, "labels: endpoint=start"));
    }

    [Theory]
    [InlineData("/debug/tasks?format=json", false)]
    [InlineData("/debug/tasks?format=json&debug=2", true)]
    [InlineData("/debug/tasks?debug=2&FORMAT=json", true)]
    public async Task Json_Parses_AndListsUnitsOnlyWithDebug2(string path, bool units)
    {
        await using var app = await DiagnosticsApp.StartAsync();
        await app.ParkAsync(units: 2);

        var response = await app.GetAsync(path, IPAddress.Loopback);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.ContentType);
        Assert.Equal("no-store", response.CacheControl);
        using var json = JsonDocument.Parse(response.Body);
        var root = json.RootElement;
        Assert.True(root.GetProperty("totalUnits").GetInt32() >= 2);
        Assert.True(root.GetProperty("runtime").GetProperty("threadPoolThreads").GetInt32() > 0);
        var group = Assert.Single(root.GetProperty("groups").EnumerateArray(),
            g => g.GetProperty("owners").EnumerateArray().Any(o => o.GetString() == $"taskgroup \"{app.GroupName}\""));
        Assert.Equal(2, group.GetProperty("count").GetInt32());
        Assert.Equal(2, group.GetProperty("running").GetInt32());
        Assert.Equal(nameof(DiagnosticsApp.StartParkedWork), group.GetProperty("site").GetProperty("member").GetString());
        Assert.Equal(units, root.TryGetProperty("units", out var list));
        if (units)
        {
            var mine = list.EnumerateArray().Where(u => u.GetProperty("ownerName").GetString() == app.GroupName).ToList();
            Assert.Equal(2, mine.Count);
            Assert.All(mine, u =>
            {
                Assert.Equal("TaskGroup", u.GetProperty("ownerKind").GetString());
                Assert.Equal("Running", u.GetProperty("state").GetString());
                Assert.Equal("start", u.GetProperty("labels").GetProperty("endpoint").GetString());
            });
        }
    }

    [Theory]
    [InlineData("/debug/tasks")]
    [InlineData("/debug/tasks?debug=2")]
    [InlineData("/debug/tasks?format=json")]
    [InlineData("/debug/tasks?format=json&debug=2")]
    public async Task Output_NeverHoldsTheDataOfTheRequestThatStartedTheWork(string path)
    {
        await using var app = await DiagnosticsApp.StartAsync();
        await app.ParkAsync(units: 1);

        var response = await app.GetAsync(path, IPAddress.Loopback);

        Assert.Equal(200, response.StatusCode);
        Assert.Contains(app.GroupName, response.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretHeader, response.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretQuery, response.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("X-Api-Key", response.Body, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("GET", "/debug/tasks")]
    [InlineData("GET", "/debug/tasks?debug=2&format=json")]
    [InlineData("GET", "/debug/tasks?debug=9")]
    [InlineData("POST", "/debug/tasks")]
    [InlineData("DELETE", "/debug/tasks")]
    public async Task RemoteCaller_WithoutAPolicy_GetsAnEmpty404WhateverItAsks(string method, string path)
    {
        await using var app = await DiagnosticsApp.StartAsync();
        await app.ParkAsync(units: 1);

        var response = await app.SendAsync(method, path, Remote);

        Assert.Equal(404, response.StatusCode);
        Assert.Empty(response.Body);
        Assert.Null(response.CacheControl);
    }

    [Fact]
    public async Task NoPeerAddress_IsNotLoopback_SoTheEndpointFailsClosed()
    {
        await using var app = await DiagnosticsApp.StartAsync();

        var response = await app.SendAsync("GET", "/debug/tasks", remote: null);

        Assert.Equal(404, response.StatusCode);
    }

    [Theory]
    [InlineData("/debug/tasks?debug=3", "Bad parameter debug")]
    [InlineData("/debug/tasks?debug=", "Bad parameter debug")]
    [InlineData("/debug/tasks?debug=1&debug=2", "Bad parameter debug")]
    [InlineData("/debug/tasks?format=xml", "Bad parameter format")]
    [InlineData("/debug/tasks?seconds=30", "Unknown parameter")]
    public async Task BadParameter_Is400WithAOneLineReason(string path, string reason)
    {
        await using var app = await DiagnosticsApp.StartAsync();

        var response = await app.GetAsync(path, IPAddress.Loopback);

        Assert.Equal(400, response.StatusCode);
        Assert.Equal("text/plain; charset=utf-8", response.ContentType);
        Assert.StartsWith(reason, response.Body, StringComparison.Ordinal);
        Assert.Equal(response.Body.TrimEnd('\n'), response.Body.Split('\n')[0]);
        Assert.DoesNotContain("xml", response.Body, StringComparison.Ordinal); // the caller's input is not echoed
    }

    [Fact]
    public async Task OtherMethods_FromLoopback_Get405WithAllow()
    {
        await using var app = await DiagnosticsApp.StartAsync();

        var response = await app.SendAsync("POST", "/debug/tasks", IPAddress.Loopback);

        Assert.Equal(405, response.StatusCode);
        Assert.Equal("GET, HEAD", response.Allow);
    }

    [Fact]
    public async Task WithAPolicy_ARemoteCallerWithoutCredentials_Is401_AndOneWithoutTheClaimIs403()
    {
        await using var app = await DiagnosticsApp.StartAsync(policy: "diagnostics");
        await app.ParkAsync(units: 1);

        Assert.Equal(401, (await app.GetAsync("/debug/tasks", Remote)).StatusCode);
        Assert.Equal(401, (await app.GetAsync("/debug/tasks", IPAddress.Loopback)).StatusCode); // the policy applies to loopback too
        Assert.Equal(403, (await app.GetAsync("/debug/tasks", Remote, user: "dev")).StatusCode);
    }

    [Fact]
    public async Task WithAPolicy_AnAuthorizedRemoteCaller_ReadsTheCensus()
    {
        await using var app = await DiagnosticsApp.StartAsync(policy: "diagnostics");
        await app.ParkAsync(units: 1);

        var response = await app.GetAsync("/debug/tasks?debug=2", Remote, user: "ops");

        Assert.Equal(200, response.StatusCode);
        Assert.Contains($"taskgroup \"{app.GroupName}\"", response.Body, StringComparison.Ordinal);
        Assert.Equal("no-store", response.CacheControl);
    }

    [Fact]
    public async Task NotMapped_NothingIsServed()
    {
        await using var app = await DiagnosticsApp.StartAsync(map: false);

        Assert.Equal(404, (await app.GetAsync("/debug/tasks", IPAddress.Loopback)).StatusCode);
    }

    [Fact]
    public void MapTaskDiagnostics_ABlankPolicy_Throws()
    {
        var builder = WebApplication.CreateSlimBuilder();
        var app = builder.Build();
        var ex = Assert.Throws<ArgumentException>(() => app.MapTaskDiagnostics("/debug/tasks", o => o.AuthorizationPolicy = " "));
        Assert.Contains("AuthorizationPolicy", ex.Message, StringComparison.Ordinal);
    }

    private static string Line(string text, string containing) =>
        text.Split('\n').FirstOrDefault(l => l.Contains(containing, StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException($"no line with '{containing}' in:\n{text}");

    private static int Occurrences(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    internal sealed record Answer(int StatusCode, string? ContentType, string? CacheControl, string? Allow, string Body);

    /// <summary>An app with <c>/debug/tasks</c> and an endpoint that parks work in a task group of its own until disposed.</summary>
    internal sealed class DiagnosticsApp : IAsyncDisposable
    {
        private readonly IHost _host;
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskGroup _group;
        private int _started;

        private DiagnosticsApp(IHost host, string groupName)
        {
            _host = host;
            GroupName = groupName;
            _group = new TaskGroup(new TaskGroupOptions { MaxConcurrency = 16, Name = groupName });
        }

        internal string GroupName { get; }

        internal static async Task<DiagnosticsApp> StartAsync(string? policy = null, bool map = true)
        {
            DiagnosticsApp? app = null;
            var host = await new HostBuilder()
                .ConfigureWebHost(web => web
                    .UseTestServer()
                    .ConfigureLogging(logging => logging.ClearProviders())
                    .ConfigureServices(s =>
                    {
                        s.AddRouting();
                        s.AddAuthentication(TestUserHandler.SchemeName).AddScheme<AuthenticationSchemeOptions, TestUserHandler>(TestUserHandler.SchemeName, null);
                        s.AddAuthorization(o => o.AddPolicy("diagnostics", p => p.RequireClaim(ClaimTypes.Role, "ops")));
                    })
                    .Configure(web =>
                    {
                        web.UseRouting();
                        web.UseAuthentication();
                        web.UseAuthorization();
                        web.UseEndpoints(endpoints =>
                        {
                            if (map)
                            {
                                endpoints.MapTaskDiagnostics("/debug/tasks", o => o.AuthorizationPolicy = policy);
                            }

                            endpoints.MapGet("/start", (HttpContext context) => StartParkedWork(app!, context));
                        });
                    }))
                .StartAsync();
            app = new DiagnosticsApp(host, "diag-" + Guid.NewGuid().ToString("N"));
            return app;
        }

        /// <summary>The endpoint's handler: starts one parked unit, as an app would start work from a request.</summary>
        internal static async Task StartParkedWork(DiagnosticsApp app, HttpContext context)
        {
            // The request carries secrets; the work sees them, the census must not.
            var secrets = context.Request.Headers["X-Api-Key"].ToString() + context.Request.Query["token"];
            using (TaskCensus.WithLabels("endpoint", "start"))
            {
                await app._group.GoAsync(async _ =>
                {
                    Interlocked.Increment(ref app._started);
                    await app._gate.Task;
                    GC.KeepAlive(secrets);
                });
            }
        }

        internal async Task ParkAsync(int units)
        {
            var client = _host.GetTestServer();
            for (var i = 0; i < units; i++)
            {
                var context = await client.SendAsync(c =>
                {
                    c.Request.Method = "GET";
                    c.Request.Path = "/start";
                    c.Request.QueryString = new QueryString("?token=" + SecretQuery);
                    c.Request.Headers["X-Api-Key"] = SecretHeader;
                    c.Connection.RemoteIpAddress = IPAddress.Loopback;
                }).Bounded();
                Assert.Equal(200, context.Response.StatusCode);
            }

            await TaskTestExtensions.WaitUntil(() => Volatile.Read(ref _started) >= units);
        }

        internal Task<Answer> GetAsync(string pathAndQuery, IPAddress? remote, string? user = null) => SendAsync("GET", pathAndQuery, remote, user);

        internal async Task<Answer> SendAsync(string method, string pathAndQuery, IPAddress? remote, string? user = null)
        {
            var query = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
            var context = await _host.GetTestServer().SendAsync(c =>
            {
                c.Request.Method = method;
                c.Request.Path = query < 0 ? pathAndQuery : pathAndQuery[..query];
                c.Request.QueryString = query < 0 ? QueryString.Empty : new QueryString(pathAndQuery[query..]);
                c.Connection.RemoteIpAddress = remote;
                if (user is not null)
                {
                    c.Request.Headers[TestUserHandler.Header] = user;
                }
            }).Bounded();
            using var reader = new StreamReader(context.Response.Body);
            var body = await reader.ReadToEndAsync();
            var headers = context.Response.Headers;
            return new Answer(
                context.Response.StatusCode,
                context.Response.ContentType,
                headers.CacheControl.Count == 0 ? null : headers.CacheControl.ToString(),
                headers.Allow.Count == 0 ? null : headers.Allow.ToString(),
                body);
        }

        public async ValueTask DisposeAsync()
        {
            _gate.TrySetResult();
            await _group.WaitAsync().Bounded();
            await _group.DisposeAsync();
            await _host.StopAsync();
            _host.Dispose();
        }
    }

    /// <summary>Authenticates a request whose <c>X-Test-User</c> header names a user; <c>ops</c> has the role the policy asks for.</summary>
    internal sealed class TestUserHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        internal const string SchemeName = "Test";
        internal const string Header = "X-Test-User";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (Request.Headers[Header] is not [{ Length: > 0 } user])
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var claims = new List<Claim> { new(ClaimTypes.Name, user) };
            if (user == "ops")
            {
                claims.Add(new Claim(ClaimTypes.Role, "ops"));
            }

            var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
        }
    }
}
