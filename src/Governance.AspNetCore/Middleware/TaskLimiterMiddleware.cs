using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace Governance.AspNetCore;

/// <summary>
/// Holds a limiter slot for the duration of each request: the endpoint policy's and the global policy's, and the
/// header limiters' when a trusted source lowered the limit. A request that gets no slot in time is answered with the
/// rejection status code and <c>Retry-After</c>; a queued request whose client goes away leaves the queue at once.
/// </summary>
/// <remarks>
/// <para><b>Order.</b> Slots are taken from the narrowest limiter to the widest: the endpoint's header limiter, the
/// endpoint policy, the global policy's header limiter, the global policy. Each of them governs a subset of the
/// traffic of the ones after it (a header limiter only the requests that carry the header, an endpoint policy only its
/// endpoints), so a request never holds a wider slot — one that other traffic could use — while it waits in the queue
/// of a narrower limiter. The order is fixed, never decided per request, so that two requests can never each hold a
/// slot the other waits for.</para>
/// <para><b>Rejection.</b> A request rejected at any stage first gives back every slot it took at the earlier stages,
/// then gets the rejection status code, <c>Retry-After</c> and <see cref="TaskLimiterMiddlewareOptions.OnRejected"/>
/// with the policy and the limiter that rejected it. A client that goes away while queued gets nothing written.</para>
/// </remarks>
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
        var plan = new Plan();
        if (endpoint is not null)
        {
            AddPolicy(ref plan, GetPolicy(endpoint), headerLimit);
        }

        if (global is not null)
        {
            AddPolicy(ref plan, GetPolicy(global), headerLimit);
        }

        var leases = new Leases();
        try
        {
            try
            {
                for (var i = 0; i < plan.Count; i++)
                {
                    var stage = plan[i];

                    // Perf: rejections come back as values, not exceptions — under overload most requests are
                    // rejected, and an exception per rejection would make the overload worse.
                    var lease = await stage.Limiter.AcquireOrRejectAsync(1, context.RequestAborted).ConfigureAwait(false);
                    if (lease.RejectionReason is { } reason)
                    {
                        // Give back the narrower slots before answering: OnRejected is user code and may take time.
                        leases.Dispose();
                        await RejectAsync(context, stage, reason).ConfigureAwait(false);
                        return;
                    }

                    leases.Add(lease);
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
            leases.Dispose();
            plan.ReturnHeaderLimiters();
        }
    }

    private void AddPolicy(ref Plan plan, LimiterPolicy policy, int? headerLimit)
    {
        if (headerLimit is { } limit)
        {
            if (policy.RentHeaderLimiter(limit) is { } header)
            {
                plan.Add(new Stage(policy, header.Limiter, header));
            }
            else if (limit < policy.Limiter.MaxConcurrency)
            {
                LogHeaderIgnored(_logger, limit, policy.Name);
            }
        }

        plan.Add(new Stage(policy, policy.Limiter, null));
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

    private async Task RejectAsync(HttpContext context, Stage stage, LimiterRejectionReason reason)
    {
        LogRejected(_logger, context.Request.Path, stage.Policy.Name, stage.Limiter.Name, reason);
        context.Response.StatusCode = _options.RejectionStatusCode;
        if (_retryAfter is not null)
        {
            context.Response.Headers.RetryAfter = _retryAfter;
        }

        if (_options.OnRejected is { } onRejected)
        {
            await onRejected(new TaskLimiterRejectedContext(context, stage.Policy.Name, stage.Limiter.Name, reason)).ConfigureAwait(false);
        }
    }

    [LoggerMessage(1, LogLevel.Debug, "Request {Path} rejected by task limiter policy '{Policy}' (limiter '{Limiter}'): {Reason}.")]
    private static partial void LogRejected(ILogger logger, PathString path, string policy, string limiter, LimiterRejectionReason reason);

    [LoggerMessage(2, LogLevel.Debug, "Request {Path} was aborted by the client while waiting for a task limiter slot.")]
    private static partial void LogAbandoned(ILogger logger, PathString path);

    [LoggerMessage(3, LogLevel.Warning, "Limit header value {Limit} for policy '{Policy}' ignored: every header-limit slot is in use.")]
    private static partial void LogHeaderIgnored(ILogger logger, int limit, string policy);

    /// <summary>One limiter a request takes a slot of: a policy's own, or one of its header limiters (then rented).</summary>
    private readonly record struct Stage(LimiterPolicy Policy, TaskLimiter Limiter, LimiterPolicy.HeaderLimiter? Rented);

    /// <summary>The limiters of one request, narrowest first; at most two policies with a header limiter each.</summary>
    /// <remarks>Perf: four fields rather than an array, so that planning a request allocates nothing.</remarks>
    private struct Plan
    {
        private Stage _0, _1, _2, _3;

        public int Count { get; private set; }

        public readonly Stage this[int index] => index switch
        {
            0 => _0,
            1 => _1,
            2 => _2,
            _ => _3,
        };

        public void Add(Stage stage)
        {
            switch (Count++)
            {
                case 0: _0 = stage; break;
                case 1: _1 = stage; break;
                case 2: _2 = stage; break;
                default: _3 = stage; break;
            }
        }

        public readonly void ReturnHeaderLimiters()
        {
            for (var i = 0; i < Count; i++)
            {
                if (this[i] is { Rented: { } header } stage)
                {
                    stage.Policy.Return(header);
                }
            }
        }
    }

    /// <summary>The slots a request holds, in the order of its <see cref="Plan"/>.</summary>
    private struct Leases
    {
        private TaskLimiterLease _0, _1, _2, _3;
        private int _count;

        public void Add(TaskLimiterLease lease)
        {
            switch (_count++)
            {
                case 0: _0 = lease; break;
                case 1: _1 = lease; break;
                case 2: _2 = lease; break;
                default: _3 = lease; break;
            }
        }

        /// <summary>Gives every slot back, widest first; idempotent, since a lease releases only once.</summary>
        public readonly void Dispose()
        {
            _3.Dispose();
            _2.Dispose();
            _1.Dispose();
            _0.Dispose();
        }
    }
}
