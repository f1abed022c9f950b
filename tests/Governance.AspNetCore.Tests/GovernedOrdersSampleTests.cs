using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Governance;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Governance.AspNetCore.Tests;

/// <summary>
/// samples/GovernedOrders, started in process: its governed work shows at <c>/debug/tasks</c> (loopback only) and its
/// instruments reach Prometheus at <c>/metrics</c> under the names an autoscaler's rule would use.
/// </summary>
public sealed class GovernedOrdersSampleTests
{
    [Fact]
    public async Task Metrics_ExposeTheCensusAndTheDispatchDelay_ToPrometheus()
    {
        await using var sample = new WebApplicationFactory<Program>();
        using var client = sample.CreateClient();
        for (var i = 0; i < 5; i++)
        {
            using var accepted = await client.PostAsync(new Uri($"/orders/o-{i}/confirm", UriKind.Relative), content: null).Bounded();
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        await sample.Services.GetRequiredService<ThreadPoolDispatchProbe>().ProbeOnceAsync().Bounded();

        var metrics = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative)).Bounded();

        Assert.Matches(Sample("governance_units_live", "governance_owner_kind=\"governed\""), metrics);
        var started = Sample("governance_units_started_total", "governance_owner_kind=\"governed\"").Match(metrics);
        Assert.True(started.Success, "no governance_units_started_total for governed work in:\n" + metrics);
        Assert.True(double.Parse(started.Groups["value"].Value, CultureInfo.InvariantCulture) >= 5);
        Assert.Contains("# TYPE governance_threadpool_dispatch_delay_seconds histogram", metrics, StringComparison.Ordinal);
        Assert.Matches(Sample("governance_threadpool_dispatch_delay_seconds_bucket", "le=\"0.0015\""), metrics);
        var count = Sample("governance_threadpool_dispatch_delay_seconds_count", "").Match(metrics);
        Assert.True(count.Success && double.Parse(count.Groups["value"].Value, CultureInfo.InvariantCulture) >= 1, metrics);
    }

    [Fact]
    public async Task DebugTasks_AnswersLoopbackOnly_AndNeverShowsTheOrderId()
    {
        await using var sample = new WebApplicationFactory<Program>();
        var server = sample.Server;
        using var client = sample.CreateClient();
        using (var accepted = await client.PostAsync(new Uri("/orders/o-secret-42/confirm", UriKind.Relative), content: null).Bounded())
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        var local = await server.SendAsync(c => Get(c, IPAddress.Loopback)).Bounded();
        var remote = await server.SendAsync(c => Get(c, IPAddress.Parse("198.51.100.20"))).Bounded();

        Assert.Equal(404, remote.Response.StatusCode);
        Assert.Equal(200, local.Response.StatusCode);
        using var reader = new StreamReader(local.Response.Body);
        var text = await reader.ReadToEndAsync();
        Assert.StartsWith("governance census: ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("o-secret-42", text, StringComparison.Ordinal);
    }

    private static void Get(HttpContext context, IPAddress remote)
    {
        context.Request.Method = "GET";
        context.Request.Path = "/debug/tasks";
        context.Request.QueryString = new QueryString("?debug=2");
        context.Connection.RemoteIpAddress = remote;
    }

    /// <summary>A sample line of the Prometheus text format: the metric, its labels (including <paramref name="label"/> when given), and the value.</summary>
    private static Regex Sample(string metric, string label)
    {
        var labels = label.Length == 0 ? @"(\{[^}\n]*\})?" : @"\{[^}\n]*" + Regex.Escape(label) + @"[^}\n]*\}";
        return new Regex("^" + Regex.Escape(metric) + labels + @" (?<value>[0-9.eE+-]+)", RegexOptions.Multiline);
    }
}
