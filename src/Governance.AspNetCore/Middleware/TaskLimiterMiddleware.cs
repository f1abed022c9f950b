using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace Governance.AspNetCore;

/// <summary>
/// Holds a limiter slot for the duration of each request: the global policy's, then the endpoint's. A request that
/// gets no slot in time is answered with the rejection status code and <c>Retry-After</c>; a queued request whose
/// client goes away leaves the queue at once.
/// </summary>
internal sealed partial class TaskLimiterMiddleware
{
    private readonly RequestDelegate _next;
    private readonly TaskLimiterMiddlewareOptions _options;
    private readonly IServiceProvider _services;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, LimiterPolicy> _policies = new(StringComparer.Ordinal);
    private readonly string? _retryAfter;

    public TaskLimiterMiddleware(RequestDelegate next, TaskLimiterMiddlewareOptions options, IServiceProvider services, ILogger<TaskLimiterMiddleware> logger)
    {
        if (options.MaxHeaderLimitsPerPolicy < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxHeaderLimitsPerPolicy,
                "TaskLimiterMiddlewareOptions.MaxHeaderLimitsPerPolicy must not be negative.");
        }

        if (options.RejectionStatusCode is < 400 or > 599)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.RejectionStatusCode,
                "TaskLimiterMiddlewareOptions.RejectionStatusCode must be a 4xx or 5xx status code.");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(options.LimitHeaderName, "options.LimitHeaderName");
        _next = next;
        _options = options;
        _services = services;
        _logger = logger;
        _retryAfter = options.RetryAfter is { } retryAfter && retryAfter > TimeSpan.Zero
            ? ((long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture)
            : null;

        // Resolve the global policy now: a misspelt name should fail at start-up, not on the first request.
        if (options.GlobalPolicy is { } global)
        {
            GetPolicy(global);
        }
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var global = _options.GlobalPolicy;
        var endpoint = context.GetEndpoint()?.Metadata.GetMetadata<TaskLimitAttribute>()?.PolicyName;
        if (endpoint == global)
        {
            endpoint = null;
        }

        if (global is null && endpoint is null)
        {
            await _next(context).ConfigureAwait(false);
            return;
        }

        var headerLimit = ReadTrustedHeaderLimit(context);
        Acquisition globalSlots = default, endpointSlots = default;
        try
        {
            try
            {
                if (global is not null)
                {
                    globalSlots = await AcquireAsync(GetPolicy(global), headerLimit, context).ConfigureAwait(false);
                    if (globalSlots.Rejected is { } reason)
                    {
                        await RejectAsync(context, global, reason).ConfigureAwait(false);
                        return;
                    }
                }

                if (endpoint is not null)
                {
                    endpointSlots = await AcquireAsync(GetPolicy(endpoint), headerLimit, context).ConfigureAwait(false);
                    if (endpointSlots.Rejected is { } reason)
                    {
                        await RejectAsync(context, endpoint, reason).ConfigureAwait(false);
                        return;
                    }
                }
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                // The client went away while queued: its place in the queue is already given up. Nothing to answer.
                LogAbandoned(_logger, context.Request.Path);
                return;
            }

            await _next(context).ConfigureAwait(false);
        }
        finally
        {
            endpointSlots.Dispose();
            globalSlots.Dispose();
        }
    }

    // Perf: rejections come back as values, not exceptions — under overload most requests are rejected, and an
    // exception per rejection would make the overload worse.
    private async ValueTask<Acquisition> AcquireAsync(LimiterPolicy policy, int? headerLimit, HttpContext context)
    {
        var lease = await policy.Limiter.AcquireCore(1, throwOnRejection: false, context.RequestAborted).ConfigureAwait(false);
        if (lease.IsRejected)
        {
            return new Acquisition(default, default, lease.RejectionReason);
        }

        if (headerLimit is not { } limit)
        {
            return new Acquisition(lease, default, null);
        }

        var headerLimiter = policy.ForHeaderLimit(limit);
        if (headerLimiter is null)
        {
            if (limit < policy.Limiter.MaxConcurrency)
            {
                LogHeaderIgnored(_logger, limit, policy.Name);
            }

            return new Acquisition(lease, default, null);
        }

        TaskLimiterLease headerLease;
        try
        {
            headerLease = await headerLimiter.AcquireCore(1, throwOnRejection: false, context.RequestAborted).ConfigureAwait(false);
        }
        catch
        {
            lease.Dispose();
            throw;
        }

        if (headerLease.IsRejected)
        {
            lease.Dispose();
            return new Acquisition(default, default, headerLease.RejectionReason);
        }

        return new Acquisition(lease, headerLease, null);
    }

    private int? ReadTrustedHeaderLimit(HttpContext context)
    {
        if (_options.IsTrustedSource is not { } isTrusted ||
            !context.Request.Headers.TryGetValue(_options.LimitHeaderName, out var values) ||
            StringValues.IsNullOrEmpty(values) ||
            !isTrusted(context))
        {
            return null;
        }

        // Several values: the lowest wins, since the header may only ever lower a limit.
        int? lowest = null;
        foreach (var value in values)
        {
            if (value is { Length: > 0 and <= 10 } &&
                int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed > 0)
            {
                lowest = lowest is { } current ? Math.Min(current, parsed) : parsed;
            }
        }

        return lowest;
    }

    private LimiterPolicy GetPolicy(string name) =>
        _policies.GetOrAdd(name, static (key, self) =>
        {
            var limiter = self._services.GetKeyedService<TaskLimiter>(key)
                ?? throw new InvalidOperationException(
                    $"No TaskLimiter is registered for the policy '{key}'. Register it with services.AddTaskLimiter(\"{key}\", ...).");
            return new LimiterPolicy(key, limiter, self._options.MaxHeaderLimitsPerPolicy);
        }, this);

    private async Task RejectAsync(HttpContext context, string policyName, LimiterRejectionReason reason)
    {
        LogRejected(_logger, context.Request.Path, policyName, reason);
        context.Response.StatusCode = _options.RejectionStatusCode;
        if (_retryAfter is not null)
        {
            context.Response.Headers.RetryAfter = _retryAfter;
        }

        if (_options.OnRejected is { } onRejected)
        {
            await onRejected(new TaskLimiterRejectedContext(context, policyName, reason)).ConfigureAwait(false);
        }
    }

    [LoggerMessage(1, LogLevel.Debug, "Request {Path} rejected by task limiter policy '{Policy}': {Reason}.")]
    private static partial void LogRejected(ILogger logger, PathString path, string policy, LimiterRejectionReason reason);

    [LoggerMessage(2, LogLevel.Debug, "Request {Path} was aborted by the client while waiting for a task limiter slot.")]
    private static partial void LogAbandoned(ILogger logger, PathString path);

    [LoggerMessage(3, LogLevel.Warning, "Limit header value {Limit} for policy '{Policy}' ignored: every header-limit slot is in use.")]
    private static partial void LogHeaderIgnored(ILogger logger, int limit, string policy);

    /// <summary>The slots a request holds under one policy, or why it got none.</summary>
    private readonly record struct Acquisition(TaskLimiterLease Policy, TaskLimiterLease Header, LimiterRejectionReason? Rejected)
    {
        public void Dispose()
        {
            Header.Dispose();
            Policy.Dispose();
        }
    }
}
