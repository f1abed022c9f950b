using System.Net;
using Governance;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Governance.AspNetCore.Tests;

public sealed class TaskLimiterHandlerTests
{
    [Fact]
    public async Task AddTaskLimiter_BoundsConcurrentCallsAndQueuesOrRejectsTheRest()
    {
        var downstream = new GatedHandler();
        await using var provider = Build(downstream, o => { o.MaxConcurrency = 2; o.QueueLimit = 1; }, TimeSpan.FromSeconds(30), time: null);
        var factory = provider.GetRequiredService<IHttpClientFactory>();
        var uri = new Uri("http://payments.test/charge");

        var calls = Enumerable.Range(0, 3).Select(_ => factory.CreateClient("payments").GetAsync(uri)).ToArray();
        await TaskTestExtensions.WaitUntil(() => downstream.Entered == 2);
        var limiter = provider.GetRequiredKeyedService<TaskLimiter>("http:payments");
        await TaskTestExtensions.WaitUntil(() => limiter.GetStatistics().Queued == 1);

        var ex = await Assert.ThrowsAsync<LimiterRejectedException>(() => factory.CreateClient("payments").GetAsync(uri).Bounded());
        Assert.Equal(LimiterRejectionReason.QueueFull, ex.Reason);

        downstream.Open();
        foreach (var call in calls)
        {
            Assert.Equal(HttpStatusCode.OK, (await call.Bounded()).StatusCode);
        }

        Assert.Equal(3, downstream.Entered);
        Assert.Equal(0, limiter.GetStatistics().InFlight);
    }

    [Fact]
    public async Task PerCallTimeout_Elapses_ThrowsTaskCanceledWithTimeoutAndFreesTheSlot()
    {
        var time = new FakeTimeProvider();
        var downstream = new GatedHandler();
        await using var provider = Build(downstream, o => o.MaxConcurrency = 1, TimeSpan.FromSeconds(5), time);
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("payments");
        var call = client.GetAsync(new Uri("http://payments.test/slow"));
        await TaskTestExtensions.WaitUntil(() => downstream.Entered == 1);

        time.Advance(TimeSpan.FromSeconds(5));
        var ex = await Assert.ThrowsAsync<TaskCanceledException>(() => call.Bounded());
        Assert.IsType<TimeoutException>(ex.InnerException);
        Assert.Contains("per-call timeout", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, provider.GetRequiredKeyedService<TaskLimiter>("http:payments").GetStatistics().InFlight);
    }

    [Fact]
    public async Task CallerCancels_IsACancellationNotATimeout()
    {
        var downstream = new GatedHandler();
        await using var provider = Build(downstream, o => o.MaxConcurrency = 1, TimeSpan.FromSeconds(5), new FakeTimeProvider());
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("payments");
        using var cts = new CancellationTokenSource();
        var call = client.GetAsync(new Uri("http://payments.test/slow"), cts.Token);
        await TaskTestExtensions.WaitUntil(() => downstream.Entered == 1);
        await cts.CancelAsync();
        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.Bounded());
        Assert.IsNotType<TimeoutException>(ex.InnerException);
    }

    [Fact]
    public void AddTaskLimiter_InvalidPerCallTimeout_Throws()
    {
        var services = new ServiceCollection();
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => services.AddHttpClient("payments").AddTaskLimiter(o => o.MaxConcurrency = 1, TimeSpan.Zero));
        Assert.Equal("perCallTimeout", ex.ParamName);
    }

    private static ServiceProvider Build(GatedHandler downstream, Action<TaskLimiterOptions> limiter, TimeSpan perCallTimeout, TimeProvider? time)
    {
        var services = new ServiceCollection();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddHttpClient("payments")
            .ConfigurePrimaryHttpMessageHandler(() => downstream)
            .AddTaskLimiter(limiter, perCallTimeout);
        return services.BuildServiceProvider();
    }

    /// <summary>A downstream that holds every call until opened.</summary>
    private sealed class GatedHandler : HttpMessageHandler
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _entered;

        internal int Entered => Volatile.Read(ref _entered);

        internal void Open() => _open.TrySetResult();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _entered);
            await _open.Task.WaitAsync(cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK);
        }
    }
}
