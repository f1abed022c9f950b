using System.Collections.Concurrent;
using Governance;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Governance.Tests.DependencyInjection;

public sealed class GovernanceServiceCollectionTests
{
    [Fact]
    public async Task AddTaskLimiter_RegistersNamedKeyedLimiters()
    {
        var time = new FakeTimeProvider();
        var services = new ServiceCollection().AddSingleton<TimeProvider>(time);
        services.AddTaskLimiter("orders", o => { o.MaxConcurrency = 8; o.QueueLimit = 100; o.QueueTimeout = TimeSpan.FromSeconds(2); });
        services.AddTaskLimiter("payments", o => o.MaxConcurrency = 2);
        await using var provider = services.BuildServiceProvider();

        var orders = provider.GetRequiredKeyedService<TaskLimiter>("orders");
        var payments = provider.GetRequiredKeyedService<TaskLimiter>("payments");
        Assert.Same(orders, provider.GetRequiredKeyedService<TaskLimiter>("orders"));
        Assert.Equal("orders", orders.Name);
        Assert.Equal(8, orders.MaxConcurrency);
        Assert.Equal(100, orders.QueueLimit);
        Assert.Equal("payments", payments.Name);
        Assert.Equal(2, payments.MaxConcurrency);

        // The application's TimeProvider drives the queue timeout.
        using var a = await payments.AcquireAsync();
        using var b = await payments.AcquireAsync();
        Assert.Equal(0, payments.QueueLimit);
        using var held = await orders.AcquireAsync();
        for (var i = 0; i < 7; i++)
        {
            _ = await orders.AcquireAsync();
        }

        var waiting = orders.AcquireAsync();
        time.Advance(TimeSpan.FromSeconds(2));
        var ex = await Assert.ThrowsAsync<LimiterRejectedException>(() => waiting.Bounded());
        Assert.Equal(LimiterRejectionReason.QueueTimeout, ex.Reason);
    }

    [Fact]
    public async Task AddTaskLimiter_InvalidOptions_FailHostStartNamingTheOption()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddTaskLimiter("orders", o => o.MaxConcurrency = 0);
        using var host = builder.Build();
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("MaxConcurrency", ex.Message, StringComparison.Ordinal);
        Assert.Contains("orders", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddTaskLimiter_ConfigurationReload_ResizesTheLiveLimiter()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Limiters:orders:MaxConcurrency"] = "4", ["Limiters:orders:QueueLimit"] = "10" })
            .Build();
        var services = new ServiceCollection();
        services.AddTaskLimiter("orders").Bind(configuration.GetSection("Limiters:orders"));
        await using var provider = services.BuildServiceProvider();
        var limiter = provider.GetRequiredKeyedService<TaskLimiter>("orders");
        Assert.Equal(4, limiter.MaxConcurrency);

        configuration["Limiters:orders:MaxConcurrency"] = "12";
        configuration.Reload();
        Assert.Equal(12, limiter.MaxConcurrency);

        configuration["Limiters:orders:MaxConcurrency"] = "2";
        configuration.Reload();
        Assert.Equal(2, limiter.MaxConcurrency);
    }

    [Fact]
    public async Task AddWorkerPool_HandlesItemsWithServicesAndDrainsWhenTheHostStops()
    {
        var handled = new ConcurrentQueue<string>();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton(handled);
        builder.Services.AddWorkerPool<int>("mailer",
            async (sp, item, ct) =>
            {
                await Task.Yield();
                sp.GetRequiredService<ConcurrentQueue<string>>().Enqueue($"mail {item}");
            },
            o => { o.Workers = 2; o.Capacity = 100; });
        using var host = builder.Build();
        await host.StartAsync();
        var pool = host.Services.GetRequiredKeyedService<WorkerPool<int>>("mailer");
        Assert.Equal("mailer", pool.Name);
        Assert.Equal(2, pool.Workers);
        for (var i = 0; i < 50; i++)
        {
            await pool.EnqueueAsync(i);
        }

        await host.StopAsync();
        Assert.Equal(50, handled.Count);
        Assert.False(pool.TryEnqueue(99));
    }

    [Fact]
    public async Task AddWorkerPool_InvalidOptions_FailHostStartNamingTheOption()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddWorkerPool<int>("mailer", (_, _, _) => Task.CompletedTask, o => { o.Workers = 2; o.Capacity = 0; });
        using var host = builder.Build();
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Capacity", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddWorkerPool_ConfigurationReload_ResizesTheLivePool()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Pools:mailer:Workers"] = "2", ["Pools:mailer:Capacity"] = "10" })
            .Build();
        var services = new ServiceCollection();
        services.AddWorkerPool<int>("mailer", (_, _, _) => Task.CompletedTask).Bind(configuration.GetSection("Pools:mailer"));
        await using var provider = services.BuildServiceProvider();
        var pool = provider.GetRequiredKeyedService<WorkerPool<int>>("mailer");
        Assert.Equal(2, pool.Workers);

        configuration["Pools:mailer:Workers"] = "5";
        configuration.Reload();
        Assert.Equal(5, pool.Workers);
    }
}
