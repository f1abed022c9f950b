using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Governance.Redis;

/// <summary>
/// A cluster-wide budget for a <see cref="TaskLimiter"/>, held in Redis: every instance that uses the same key shares
/// <see cref="RedisTaskLimiterOptions.ClusterLimit"/> permits. Set it as <see cref="TaskLimiterOptions.Budget"/>, or
/// register it with <c>services.AddTaskLimiter(name, ...).UseRedis(...)</c>.
/// </summary>
/// <remarks>
/// <para><b>How it works.</b> The budget is a Redis sorted set of leases scored by their expiry in Redis server time.
/// Taking a permit is one Lua script (purge expired leases, check the sum against the limit, add the lease); giving it
/// back is another, which also announces the release on a Redis channel. So an uncontended acquire and release cost one
/// round trip each.</para>
/// <para><b>Leases.</b> Held leases are renewed in the background, every
/// <see cref="RedisTaskLimiterOptions.RenewalInterval"/>, all of an instance's in one call. When an instance dies its
/// leases expire within <see cref="RedisTaskLimiterOptions.LeaseExpiry"/> and their permits come back. A lease that
/// could not be renewed before it expired is lost: the holder's <see cref="TaskLimiterLease.Lost"/> fires, and the loss
/// is logged and counted.</para>
/// <para><b>Waiting and fairness.</b> The limiter's local FIFO queue stays as it is; the callers it admits wait here in
/// the same order, and only the oldest of them asks Redis. It is woken by released permits (Redis pub/sub) and, as a
/// fallback, polls with a backoff of at most <see cref="RedisTaskLimiterOptions.MaxPollInterval"/>. Across instances
/// there is no queue: the head waiters of all instances race for freed permits, so under equal load each instance gets
/// about an equal share, but no order between instances is promised.</para>
/// <para><b>Failures.</b> Every Redis call is bounded by <see cref="RedisTaskLimiterOptions.OperationTimeout"/>. While
/// Redis cannot be reached, callers get what <see cref="RedisTaskLimiterOptions.FailureMode"/> says at once, and Redis
/// is tried again after <see cref="RedisTaskLimiterOptions.RetryAfterFailure"/>.</para>
/// <para><b>Metrics</b> (meter <c>Governance</c>, tag <c>governance.limiter.name</c>):
/// <c>governance.limiter.cluster.in_use</c> and <c>.limit</c> (permits; in use is read from Redis, at most once a
/// second while observed), <c>.degraded</c> (1 while Redis cannot be reached), <c>.renewals</c>, <c>.lost_leases</c>,
/// <c>.fallbacks</c> (callers admitted on the local limit alone) and <c>.errors</c> (tag
/// <c>governance.redis.error</c>: <c>timeout</c>, <c>connection</c>, <c>server</c> or <c>other</c>).</para>
/// </remarks>
public sealed class RedisTaskLimiterBudget : TaskLimiterBudget, IDisposable, IAsyncDisposable
{
    private const long MinPollMilliseconds = 2;

    private static readonly Action<ILogger, string, string, string, Exception?> s_logUnavailable = LoggerMessage.Define<string, string, string>(
        LogLevel.Warning, new EventId(1, "RedisUnavailable"),
        "Cluster budget of TaskLimiter '{Limiter}' (Redis key '{Key}') cannot be reached: {Consequence} until it can.");

    private static readonly Action<ILogger, string, string, Exception?> s_logRecovered = LoggerMessage.Define<string, string>(
        LogLevel.Information, new EventId(2, "RedisRecovered"),
        "Cluster budget of TaskLimiter '{Limiter}' (Redis key '{Key}') can be reached again: permits need a cluster slot again.");

    private static readonly Action<ILogger, string, string, string, Exception?> s_logLost = LoggerMessage.Define<string, string, string>(
        LogLevel.Warning, new EventId(3, "LeaseLost"),
        "TaskLimiter '{Limiter}' lost a cluster lease (Redis key '{Key}'): {Why}; the holder's TaskLimiterLease.Lost fires.");

    private readonly RedisTaskLimiterOptions _options;
    private readonly ILogger _logger;
    private readonly RedisKey[] _keys;
    private readonly RedisValue _channelName;
    private readonly RedisChannel _channel;
    private readonly string _instanceId = Guid.NewGuid().ToString("N")[..12];
    private readonly long _expiryMs;
    private readonly TimeSpan _timeout;
    private readonly long _retryTicks;
    private readonly ConcurrentDictionary<string, Permit> _held = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private readonly CancellationTokenSource _disposing = new();
    private readonly ITimer _renewTimer;
    private readonly RedisBudgetMetrics _metrics;
    private readonly KeyValuePair<string, object?> _nameTag;

    private Task<IConnectionMultiplexer>? _connecting; // Guarded by _lock; reset when connecting failed.
    private TaskCompletionSource? _released; // Guarded by _lock: completed by the next announced release.
    private bool _pumping; // Guarded by _lock.
    private long _sequence;
    private long _retryAfter; // Stopwatch timestamp before which Redis is not tried; 0 when healthy.
    private int _degraded;
    private int _renewing;
    private long _inUse = -1;
    private long _inUseAt;
    private int _refreshingInUse;
    private bool _disposed;

    /// <summary>Creates a budget for the limiter named <paramref name="limiterName"/>.</summary>
    /// <param name="limiterName">The limiter's name: the default key is derived from it, and metrics and logs carry it.</param>
    /// <param name="options">The settings; validated and copied.</param>
    /// <param name="logger">Logs failure-mode switches and lost leases; none when <see langword="null"/>.</param>
    /// <param name="meterFactory">The factory of the <c>Governance</c> meter; a process-wide meter when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public RedisTaskLimiterBudget(string limiterName, RedisTaskLimiterOptions options, ILogger? logger = null, IMeterFactory? meterFactory = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(limiterName);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { } invalid)
        {
            throw invalid;
        }

        _options = options.Clone();
        LimiterName = limiterName;
        Key = _options.KeyFor(limiterName);
        _keys = [Key, Key + ":used"];
        _channelName = Key + ":released";
        _channel = RedisChannel.Literal(Key + ":released");
        _expiryMs = (long)Math.Ceiling(_options.LeaseExpiry.TotalMilliseconds);
        _timeout = _options.OperationTimeout;
        _retryTicks = (long)(_options.RetryAfterFailure.TotalSeconds * Stopwatch.Frequency);
        _logger = logger ?? NullLogger.Instance;
        _nameTag = new(GovernanceMeter.LimiterNameTag, limiterName);
        _renewTimer = TimeProvider.System.CreateTimer(
            static state => ((RedisTaskLimiterBudget)state!).OnRenewTimer(), this, _options.EffectiveRenewalInterval, _options.EffectiveRenewalInterval);
        _metrics = RedisBudgetMetrics.For(meterFactory);
        _metrics.Register(this);
    }

    /// <summary>The name of the limiter this budget serves.</summary>
    public string LimiterName { get; }

    /// <summary>The Redis key of the budget (see <see cref="RedisTaskLimiterOptions.Key"/>).</summary>
    public string Key { get; }

    /// <summary>The most permits held at once across the cluster.</summary>
    public int ClusterLimit => _options.ClusterLimit;

    /// <summary>What happens while Redis cannot be reached.</summary>
    public RedisFailureMode FailureMode => _options.FailureMode;

    /// <summary>Whether the last Redis call failed: callers are being answered by <see cref="FailureMode"/>.</summary>
    public bool IsDegraded => Volatile.Read(ref _degraded) != 0;

    /// <summary>Permits this instance holds in Redis now.</summary>
    public int HeldByThisInstance => _held.Count;

    /// <summary>Reads how many permits the whole cluster holds now, from Redis (expired leases are purged first).</summary>
    /// <param name="cancellationToken">Cancels the wait for the answer.</param>
    /// <returns>The permits in use across the cluster.</returns>
    /// <exception cref="RedisException">Redis could not be reached.</exception>
    /// <exception cref="TimeoutException">Redis did not answer within <see cref="RedisTaskLimiterOptions.OperationTimeout"/>.</exception>
    public async Task<int> GetClusterInUseAsync(CancellationToken cancellationToken = default)
    {
        var database = await GetDatabaseAsync().ConfigureAwait(false);
        var result = (RedisResult[])(await database.ScriptEvaluateAsync(RedisScripts.Acquire, _keys, [_options.ClusterLimit, RedisValue.EmptyString, _expiryMs, 0])
            .WaitAsync(_timeout, cancellationToken).ConfigureAwait(false))!;
        var used = (long)result[1];
        Volatile.Write(ref _inUse, used);
        Volatile.Write(ref _inUseAt, Stopwatch.GetTimestamp());
        return (int)used;
    }

    /// <inheritdoc />
    public override async ValueTask<TaskLimiterBudgetPermit?> AcquireAsync(int permits, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(permits);
        cancellationToken.ThrowIfCancellationRequested();
        if (Volatile.Read(ref _disposed) || permits > _options.ClusterLimit)
        {
            return null;
        }

        if (InRetryWait())
        {
            return Fallback();
        }

        // Every caller queues, and only the pump asks Redis, oldest first: the limiter's local FIFO order holds. With
        // nobody waiting, the caller runs the pump itself up to the Redis call: one round trip, no thread hop.
        var waiter = new Waiter(permits);
        var startPump = false;
        lock (_lock)
        {
            if (_disposed)
            {
                return null;
            }

            waiter.Node = _waiters.AddLast(waiter);
            if (!_pumping)
            {
                _pumping = true;
                startPump = true;
            }
        }

        if (startPump)
        {
            _ = PumpAsync();
        }

        waiter.Owner = this;
        if (cancellationToken.CanBeCanceled)
        {
            waiter.Registration = cancellationToken.UnsafeRegister(static (state, token) => ((Waiter)state!).Owner!.Cancel((Waiter)state!, token), waiter);
        }

        try
        {
            return await waiter.Completion.Task.ConfigureAwait(false);
        }
        finally
        {
            await waiter.Registration.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Stops renewing, gives back every lease this instance holds (best effort) and answers waiting callers with <see langword="null"/> (<see cref="LimiterRejectionReason.Unavailable"/>).</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Stops renewing, gives back every lease this instance holds (best effort, bounded by the operation timeout) and answers waiting callers with <see langword="null"/>.</summary>
    /// <returns>A task that completes when the leases are given back or the timeout passed.</returns>
    public async ValueTask DisposeAsync()
    {
        Task<IConnectionMultiplexer>? connecting;
        List<Waiter> waiting;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            connecting = _connecting;
            waiting = [.. _waiters];
            _waiters.Clear();
        }

        await _disposing.CancelAsync().ConfigureAwait(false);
        await _renewTimer.DisposeAsync().ConfigureAwait(false);
        _metrics.Unregister(this);
        foreach (var waiter in waiting)
        {
            waiter.Completion.TrySetResult(null);
        }

        var releases = new List<Task>();
        foreach (var permit in _held.Values)
        {
            if (_held.TryRemove(permit.Member, out _))
            {
                releases.Add(ReleaseInRedisAsync(permit.Member));
            }
        }

        try
        {
            await Task.WhenAll(releases).WaitAsync(_timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The leases expire on their own.
        }

        if (_options.ConnectionMultiplexer is null && connecting is { IsCompletedSuccessfully: true })
        {
            await connecting.Result.DisposeAsync().ConfigureAwait(false);
        }

        _disposing.Dispose();
    }

    private TaskLimiterBudgetPermit? Fallback()
    {
        if (_options.FailureMode == RedisFailureMode.Closed)
        {
            return null;
        }

        _metrics.Fallbacks.Add(1, _nameTag);
        return TaskLimiterBudgetPermit.LocalOnly;
    }

    private bool InRetryWait()
    {
        var until = Volatile.Read(ref _retryAfter);
        return until != 0 && Stopwatch.GetTimestamp() < until;
    }

    private async Task<(Outcome Outcome, Permit? Permit)> TryTakeAsync(int permits)
    {
        var member = string.Create(CultureInfo.InvariantCulture, $"{_instanceId}-{Interlocked.Increment(ref _sequence)}:{permits}");
        var started = Stopwatch.GetTimestamp();
        try
        {
            var database = await GetDatabaseAsync().ConfigureAwait(false);
            var result = (RedisResult[])(await database.ScriptEvaluateAsync(RedisScripts.Acquire, _keys, [_options.ClusterLimit, member, _expiryMs, permits])
                .WaitAsync(_timeout).ConfigureAwait(false))!;
            OnRedisSucceeded();
            Volatile.Write(ref _inUse, (long)result[1]);
            Volatile.Write(ref _inUseAt, Stopwatch.GetTimestamp());
            if ((int)result[0] != 1)
            {
                return (Outcome.Full, null);
            }

            // The lease expires LeaseExpiry after the server read its clock, which is after `started`: counting from
            // `started` errs on the early side.
            var permit = new Permit(this, member, started + (long)(_options.LeaseExpiry.TotalSeconds * Stopwatch.Frequency));
            _held[member] = permit;
            if (Volatile.Read(ref _disposed) && _held.TryRemove(member, out _))
            {
                _ = ReleaseInRedisAsync(member);
                return (Outcome.Failed, null);
            }

            return (Outcome.Granted, permit);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or ObjectDisposedException)
        {
            OnRedisFailed(exception);
            if (exception is TimeoutException or RedisTimeoutException)
            {
                // The script may still run after the caller gave up on it: take back a lease nobody would renew or
                // release (harmless if it was never added; if Redis is down, it expires on its own).
                _ = ReleaseInRedisAsync(member);
            }

            return (Outcome.Failed, null);
        }
    }

    /// <summary>Serves the local waiters oldest first: only the head asks Redis, woken by releases or a backoff poll.</summary>
    private async Task PumpAsync()
    {
        try
        {
            await PumpCoreAsync().ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // Never leave waiters behind a dead pump: answer them all with the failure mode, and let the next caller
            // start a new pump.
            OnRedisFailed(exception);
            AnswerEveryWaiterWithTheFailureMode(stopPumping: true);
        }
    }

    /// <summary>Takes every waiter off the queue and answers it with the failure mode (outside the lock).</summary>
    private void AnswerEveryWaiterWithTheFailureMode(bool stopPumping)
    {
        List<Waiter> failed;
        lock (_lock)
        {
            failed = [.. _waiters];
            _waiters.Clear();
            foreach (var waiter in failed)
            {
                waiter.Node = null;
            }

            if (stopPumping)
            {
                _pumping = false;
            }
        }

        foreach (var waiter in failed)
        {
            waiter.Completion.TrySetResult(Fallback());
        }
    }

    private async Task PumpCoreAsync()
    {
        var pollMs = MinPollMilliseconds;
        var maxPollMs = Math.Max(MinPollMilliseconds, (long)_options.MaxPollInterval.TotalMilliseconds);
        while (true)
        {
            Waiter head;
            Task released;
            lock (_lock)
            {
                if (_waiters.First is not { } first || _disposed)
                {
                    _pumping = false;
                    return;
                }

                head = first.Value;
                _released ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                released = _released.Task;
            }

            var (outcome, permit) = InRetryWait() ? (Outcome.Failed, null) : await TryTakeAsync(head.Permits).ConfigureAwait(false);
            switch (outcome)
            {
                case Outcome.Granted:
                    pollMs = MinPollMilliseconds;
                    if (!Complete(head, permit))
                    {
                        permit!.Release(); // The head was canceled (or timed out) meanwhile.
                    }

                    continue;
                case Outcome.Failed:
                    // Redis cannot be reached: every waiter gets the failure mode's answer now, none waits for a timeout.
                    AnswerEveryWaiterWithTheFailureMode(stopPumping: false);

                    continue;
            }

            await EnsureSubscribedAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAny(released, Task.Delay(TimeSpan.FromMilliseconds(pollMs), _disposing.Token)).ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                // Disposed while waiting: the next round ends the pump.
            }

            pollMs = Math.Min(pollMs * 2, maxPollMs);
        }
    }

    private bool Complete(Waiter waiter, TaskLimiterBudgetPermit? permit)
    {
        lock (_lock)
        {
            if (waiter.Node is null)
            {
                return false;
            }

            _waiters.Remove(waiter.Node);
            waiter.Node = null;
        }

        return waiter.Completion.TrySetResult(permit);
    }

    private void Cancel(Waiter waiter, CancellationToken cancellationToken)
    {
        bool wasHead;
        lock (_lock)
        {
            if (waiter.Node is null)
            {
                return;
            }

            wasHead = _waiters.First == waiter.Node;
            _waiters.Remove(waiter.Node);
            waiter.Node = null;
        }

        waiter.Completion.TrySetCanceled(cancellationToken);
        if (wasHead)
        {
            // The next waiter may ask at once rather than after the head's poll interval.
            OnReleaseAnnounced();
        }
    }

    private void OnReleaseAnnounced()
    {
        TaskCompletionSource? released;
        lock (_lock)
        {
            released = _released;
            _released = null;
        }

        released?.TrySetResult();
    }

    private int _subscribed;

    private async Task EnsureSubscribedAsync()
    {
        if (Volatile.Read(ref _subscribed) != 0 || InRetryWait())
        {
            return;
        }

        try
        {
            var connection = await ConnectAsync().ConfigureAwait(false);
            if (Interlocked.Exchange(ref _subscribed, 1) == 0)
            {
                // The multiplexer subscribes again by itself after a reconnect.
                await connection.GetSubscriber().SubscribeAsync(_channel, (_, _) => OnReleaseAnnounced()).WaitAsync(_timeout).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            // Waiters still poll; try again on the next wait.
            Volatile.Write(ref _subscribed, 0);
            _metrics.CountError(exception, _nameTag);
        }
    }

    private async Task<IDatabase> GetDatabaseAsync() => (await ConnectAsync().ConfigureAwait(false)).GetDatabase();

    private Task<IConnectionMultiplexer> ConnectAsync()
    {
        if (_options.ConnectionMultiplexer is { } shared)
        {
            return Task.FromResult(shared);
        }

        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_connecting is null || _connecting.IsFaulted || _connecting.IsCanceled)
            {
                var configuration = ConfigurationOptions.Parse(_options.Configuration!);
                // Reconnect in the background rather than fail at start-up; fail calls at once while disconnected
                // instead of queueing them: the failure mode answers them.
                configuration.AbortOnConnectFail = false;
                configuration.BacklogPolicy = BacklogPolicy.FailFast;
                var timeoutMs = (int)Math.Ceiling(_timeout.TotalMilliseconds);
                // A first connection (TLS, authentication, a cold process) may take longer than one command; an
                // unreachable server is still answered at once (refused) or within this bound.
                configuration.ConnectTimeout = (int)Math.Ceiling(ConnectTimeout.TotalMilliseconds);
                configuration.AsyncTimeout = timeoutMs;
                configuration.SyncTimeout = timeoutMs;
                _connecting = ConnectCoreAsync(configuration);
            }

            return _connecting;
        }
    }

    private async Task<IConnectionMultiplexer> ConnectCoreAsync(ConfigurationOptions configuration) =>
        await ConnectionMultiplexer.ConnectAsync(configuration).WaitAsync(ConnectTimeout + _timeout).ConfigureAwait(false);

    private TimeSpan ConnectTimeout => _timeout > TimeSpan.FromSeconds(5) ? _timeout : TimeSpan.FromSeconds(5);

    private void OnRedisSucceeded()
    {
        Volatile.Write(ref _retryAfter, 0);
        if (Interlocked.Exchange(ref _degraded, 0) != 0)
        {
            s_logRecovered(_logger, LimiterName, Key, null);
        }
    }

    private void OnRedisFailed(Exception exception)
    {
        Volatile.Write(ref _retryAfter, Stopwatch.GetTimestamp() + _retryTicks);
        _metrics.CountError(exception, _nameTag);
        if (Interlocked.Exchange(ref _degraded, 1) == 0)
        {
            s_logUnavailable(_logger, LimiterName, Key,
                _options.FailureMode == RedisFailureMode.Open
                    ? "admitting callers on the local limit alone (FailureMode.Open)"
                    : "rejecting callers with LimiterRejectionReason.Unavailable (FailureMode.Closed)",
                exception);
        }
    }

    private void OnRenewTimer()
    {
        if (_held.IsEmpty || Interlocked.Exchange(ref _renewing, 1) != 0)
        {
            return;
        }

        _ = RenewAsync();
    }

    private async Task RenewAsync()
    {
        try
        {
            var permits = _held.Values.ToArray();
            if (permits.Length == 0)
            {
                return;
            }

            var started = Stopwatch.GetTimestamp();
            var arguments = new RedisValue[permits.Length + 1];
            arguments[0] = _expiryMs;
            for (var i = 0; i < permits.Length; i++)
            {
                arguments[i + 1] = permits[i].Member;
            }

            RedisResult[] result;
            try
            {
                var database = await GetDatabaseAsync().ConfigureAwait(false);
                result = (RedisResult[])(await database.ScriptEvaluateAsync(RedisScripts.Renew, _keys, arguments).WaitAsync(_timeout).ConfigureAwait(false))!;
                OnRedisSucceeded();
            }
            catch (Exception exception) when (exception is RedisException or TimeoutException or ObjectDisposedException)
            {
                if (Volatile.Read(ref _disposed))
                {
                    return;
                }

                OnRedisFailed(exception);

                // Not renewed: a lease whose (early-side) expiry has passed may already be someone else's slot.
                var now = Stopwatch.GetTimestamp();
                foreach (var permit in permits)
                {
                    if (now >= permit.ExpiresAt)
                    {
                        Lose(permit, "it could not be renewed before it expired");
                    }
                }

                return;
            }

            Volatile.Write(ref _inUse, (long)result[permits.Length]);
            Volatile.Write(ref _inUseAt, Stopwatch.GetTimestamp());
            var expiresAt = started + (long)(_options.LeaseExpiry.TotalSeconds * Stopwatch.Frequency);
            var renewed = 0;
            for (var i = 0; i < permits.Length; i++)
            {
                if ((int)result[i] == 1)
                {
                    permits[i].ExpiresAt = expiresAt;
                    renewed++;
                }
                else
                {
                    Lose(permits[i], "Redis no longer held it (it expired, or Redis lost its data)");
                }
            }

            _metrics.Renewals.Add(renewed, _nameTag);
        }
        finally
        {
            Volatile.Write(ref _renewing, 0);
        }
    }

    private void Lose(Permit permit, string why)
    {
        if (!_held.TryRemove(permit.Member, out _))
        {
            return; // Released meanwhile.
        }

        _metrics.LostLeases.Add(1, _nameTag);
        s_logLost(_logger, LimiterName, Key, why, null);
        permit.MarkLost();
    }

    private void Release(Permit permit)
    {
        if (_held.TryRemove(permit.Member, out _))
        {
            _ = ReleaseInRedisAsync(permit.Member);
        }
    }

    private async Task ReleaseInRedisAsync(string member)
    {
        try
        {
            var database = await GetDatabaseAsync().ConfigureAwait(false);
            await database.ScriptEvaluateAsync(RedisScripts.Release, _keys, [member, _channelName]).WaitAsync(_timeout).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or ObjectDisposedException)
        {
            // The lease expires on its own within LeaseExpiry.
            _metrics.CountError(exception, _nameTag);
        }
    }

    /// <summary>The permits in use across the cluster as last read; refreshed in the background when older than a second.</summary>
    internal long ObserveInUse()
    {
        var at = Volatile.Read(ref _inUseAt);
        if ((at == 0 || Stopwatch.GetElapsedTime(at) > TimeSpan.FromSeconds(1)) && !InRetryWait() && Interlocked.Exchange(ref _refreshingInUse, 1) == 0)
        {
            _ = RefreshInUseAsync();
        }

        return Volatile.Read(ref _inUse);
    }

    private async Task RefreshInUseAsync()
    {
        try
        {
            await GetClusterInUseAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or ObjectDisposedException)
        {
            _metrics.CountError(exception, _nameTag);
        }
        finally
        {
            Volatile.Write(ref _refreshingInUse, 0);
        }
    }

    private enum Outcome
    {
        Granted,
        Full,
        Failed,
    }

    private sealed class Waiter(int permits)
    {
        public int Permits { get; } = permits;

        public TaskCompletionSource<TaskLimiterBudgetPermit?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LinkedListNode<Waiter>? Node { get; set; } // Guarded by the budget's lock; null once it left the queue.

        public CancellationTokenRegistration Registration { get; set; }

        public RedisTaskLimiterBudget? Owner { get; set; }
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The holder may read Lost after the release; the source has no timer, so the GC reclaims it.")]
    private sealed class Permit(RedisTaskLimiterBudget owner, string member, long expiresAt) : TaskLimiterBudgetPermit
    {
        private readonly CancellationTokenSource _lost = new();
        private int _released;

        public string Member { get; } = member;

        public long ExpiresAt { get; set; } = expiresAt;

        public override CancellationToken Lost => _lost.Token;

        public override void Release()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Release(this);
            }
        }

        public void MarkLost() => _lost.Cancel();
    }
}
