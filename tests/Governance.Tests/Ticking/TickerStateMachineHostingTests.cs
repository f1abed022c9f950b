using System.Threading.Channels;
using Governance;
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
            .AddTickerStateMachine<OrderMachine>()
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
    public void AddTickerStateMachine_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => TickerStateMachineServiceCollectionExtensions.AddTickerStateMachine<OrderMachine>(null!));
        Assert.Throws<ArgumentNullException>(() => new ServiceCollection().AddTickerStateMachine<OrderMachine>(null!));
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
