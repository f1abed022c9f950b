using System.Threading.Channels;
using Governance;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Governance.Tests.Ticking;

public sealed class TickerStateMachineHostingTests
{
    private static readonly TimeSpan TickPeriod = TimeSpan.FromSeconds(1);

    private readonly FakeTimeProvider _time = new();

    private IHost BuildHost(Action<IServiceCollection> configure) =>
        new HostBuilder()
            .ConfigureServices(services =>
            {
                services.AddSingleton<TimeProvider>(_time);
                configure(services);
            })
            .Build();

    [Fact]
    public async Task AddTickerStateMachine_HostStartsAndStopsTheMachine()
    {
        using var host = BuildHost(services => services.AddTickerStateMachine<OrderMachine>());
        var machine = host.Services.GetRequiredService<OrderMachine>();
        Assert.True(machine.Post("before start"));

        await host.StartAsync().Bounded();
        Assert.Equal("before start", await machine.Handled.Reader.ReadAsync().AsTask().Bounded());
        _time.Advance(TickPeriod);
        Assert.Equal("tick", await machine.Handled.Reader.ReadAsync().AsTask().Bounded());
        Assert.True(machine.Post("running"));
        Assert.Equal("running", await machine.Handled.Reader.ReadAsync().AsTask().Bounded());

        await host.StopAsync().Bounded();
        Assert.True(machine.Completion.IsCompletedSuccessfully);
        Assert.False(machine.Post("after stop"));
    }

    [Fact]
    public async Task AddTickerStateMachine_ResolvesOneSingleton()
    {
        using var host = BuildHost(services => services.AddTickerStateMachine<OrderMachine>());
        Assert.Same(host.Services.GetRequiredService<OrderMachine>(), host.Services.GetRequiredService<OrderMachine>());
        await host.StartAsync().Bounded();
        await host.StopAsync().Bounded();
    }

    [Fact]
    public void AddTickerStateMachine_Twice_RegistersOneMachineAndOneHostedService()
    {
        var services = new ServiceCollection();
        services.AddTickerStateMachine<OrderMachine>();
        services.AddTickerStateMachine<OrderMachine>();

        Assert.Single(services, d => d.ServiceType == typeof(OrderMachine));
        Assert.Single(services, d => d.ServiceType == typeof(IHostedService));
    }

    [Fact]
    public async Task AddTickerStateMachine_TwoMachineTypes_BothAreHosted()
    {
        using var host = BuildHost(services => services
            .AddTickerStateMachine<OrderMachine>().Services
            .AddTickerStateMachine(sp => new PaymentMachine(sp.GetRequiredService<TimeProvider>())));
        var orders = host.Services.GetRequiredService<OrderMachine>();
        var payments = host.Services.GetRequiredService<PaymentMachine>();

        await host.StartAsync().Bounded();
        Assert.Equal(2, host.Services.GetServices<IHostedService>().Count());
        orders.Post("o");
        payments.Post(7);
        Assert.Equal("o", await orders.Handled.Reader.ReadAsync().AsTask().Bounded());
        Assert.Equal(7, await payments.Handled.Reader.ReadAsync().AsTask().Bounded());

        await host.StopAsync().Bounded();
        Assert.True(orders.Completion.IsCompleted);
        Assert.True(payments.Completion.IsCompleted);
    }

    [Fact]
    public async Task HostStop_DrainsQueuedEvents()
    {
        using var host = BuildHost(services => services.AddTickerStateMachine<OrderMachine>());
        var machine = host.Services.GetRequiredService<OrderMachine>();
        await host.StartAsync().Bounded();
        for (var i = 0; i < 10; i++)
        {
            machine.Post($"e{i}");
        }

        await host.StopAsync().Bounded();
        Assert.Equal(10, machine.GetStatistics().EventsHandled);
        Assert.Equal(0, machine.GetStatistics().EventsAbandoned);
    }

    [Fact]
    public async Task ServiceProviderDisposeAsync_DisposesTheMachine()
    {
        var host = BuildHost(services => services.AddTickerStateMachine<OrderMachine>());
        var machine = host.Services.GetRequiredService<OrderMachine>();
        await host.StartAsync().Bounded();
        await host.StopAsync().Bounded();
        await ((IAsyncDisposable)host).DisposeAsync();

        Assert.True(machine.Completion.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task AddTickerStateMachine_ConfigurationReload_TheNextTickComesAtTheNewPeriod()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Tickers:orders:Period"] = "00:00:10" })
            .Build();
        using var host = BuildHost(services => services.AddTickerStateMachine<OrderMachine>().Bind(configuration.GetSection("Tickers:orders")));
        var machine = host.Services.GetRequiredService<OrderMachine>();
        await host.StartAsync().Bounded();

        // The configured period replaces the one the machine's constructor gave (TickPeriod, one second).
        Assert.Equal(TimeSpan.FromSeconds(10), machine.Period);
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(machine.Handled.Reader.TryPeek(out _));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("tick", await machine.Handled.Reader.ReadAsync().AsTask().Bounded());

        configuration["Tickers:orders:Period"] = "00:00:02";
        configuration.Reload();
        Assert.Equal(TimeSpan.FromSeconds(2), machine.Period);

        // With the old period the next tick would be 10 s away; it comes 2 s after the reload, and every 2 s after.
        for (var i = 0; i < 3; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(2));
            Assert.Equal("tick", await machine.Handled.Reader.ReadAsync().AsTask().Bounded());
        }

        await host.StopAsync().Bounded();
    }

    [Fact]
    public async Task AddTickerStateMachine_InvalidConfiguredPeriod_FailsAtStartNamingIt()
    {
        using var host = BuildHost(services => services.AddTickerStateMachine<OrderMachine>(o => o.Period = TimeSpan.FromSeconds(-1)));
        var ex = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => host.StartAsync().Bounded());
        Assert.Contains("Period", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddTickerStateMachine_NoConfiguredPeriod_KeepsTheMachinesOwn()
    {
        using var host = BuildHost(services => services.AddTickerStateMachine<OrderMachine>());
        var machine = host.Services.GetRequiredService<OrderMachine>();
        await host.StartAsync().Bounded();
        Assert.Equal(TickPeriod, machine.Period);
        await host.StopAsync().Bounded();
    }

    [Fact]
    public void AddTickerStateMachine_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => TickerStateMachineServiceCollectionExtensions.AddTickerStateMachine<OrderMachine>(null!));
        Assert.Throws<ArgumentNullException>(() => new ServiceCollection().AddTickerStateMachine((Func<IServiceProvider, OrderMachine>)null!));
    }

    private sealed class OrderMachine(TimeProvider time)
        : TickerStateMachine<string>(new TickerStateMachineOptions { Name = "orders", Period = TickPeriod, TimeProvider = time })
    {
        public Channel<string> Handled { get; } = Channel.CreateUnbounded<string>();

        protected override ValueTask OnTickAsync(CancellationToken cancellationToken) => Handled.Writer.WriteAsync("tick", cancellationToken);

        protected override ValueTask OnEventAsync(string item, CancellationToken cancellationToken) => Handled.Writer.WriteAsync(item, cancellationToken);
    }

    private sealed class PaymentMachine(TimeProvider time)
        : TickerStateMachine<int>(new TickerStateMachineOptions { Name = "payments", Period = TickPeriod, TimeProvider = time })
    {
        public Channel<int> Handled { get; } = Channel.CreateUnbounded<int>();

        protected override ValueTask OnTickAsync(CancellationToken cancellationToken) => default;

        protected override ValueTask OnEventAsync(int item, CancellationToken cancellationToken) => Handled.Writer.WriteAsync(item, cancellationToken);
    }
}
