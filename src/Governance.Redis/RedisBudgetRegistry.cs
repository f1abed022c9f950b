using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Governance.Redis;

/// <summary>The container's Redis budgets, one per limiter name; disposes them (giving their leases back) with the container.</summary>
internal sealed class RedisBudgetRegistry(IServiceProvider services) : IAsyncDisposable
{
    private readonly Dictionary<string, RedisTaskLimiterBudget> _budgets = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    internal RedisTaskLimiterBudget Get(string name)
    {
        lock (_lock)
        {
            if (!_budgets.TryGetValue(name, out var budget))
            {
                var options = services.GetRequiredService<IOptionsMonitor<RedisTaskLimiterOptions>>().Get(name);
                var logger = services.GetService<ILoggerFactory>()?.CreateLogger<RedisTaskLimiterBudget>();
                budget = new RedisTaskLimiterBudget(name, options, logger, services.GetService<IMeterFactory>());
                _budgets.Add(name, budget);
            }

            return budget;
        }
    }

    public async ValueTask DisposeAsync()
    {
        RedisTaskLimiterBudget[] budgets;
        lock (_lock)
        {
            budgets = [.. _budgets.Values];
            _budgets.Clear();
        }

        foreach (var budget in budgets)
        {
            await budget.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>Validates the Redis options of one limiter at start-up, with the budget's own rules.</summary>
internal sealed class RedisOptionsValidator(string name) : IValidateOptions<RedisTaskLimiterOptions>
{
    public ValidateOptionsResult Validate(string? optionsName, RedisTaskLimiterOptions options) =>
        optionsName != name
            ? ValidateOptionsResult.Skip
            : options.Validate() is { } invalid
                ? ValidateOptionsResult.Fail($"RedisTaskLimiterOptions '{name}': {invalid.Message}")
                : ValidateOptionsResult.Success;
}
