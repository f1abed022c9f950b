using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Governance;

/// <summary>
/// A fixed number of workers draining a bounded queue — the worker pool that replaces "a task per item".
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
/// <remarks>
/// <code>
/// await using var pool = new WorkerPool&lt;Order&gt;(HandleAsync, new WorkerPoolOptions { Workers = 8, Capacity = 1000 },
///     onError: (order, error) =&gt; failed.Add(order.Id));   // typed by T: no casts, no boxing
/// await pool.EnqueueAsync(order, ct);   // waits while the queue is full (backpressure)
/// await pool.CompleteAsync();           // stop intake and drain: every accepted item is handled
/// </code>
/// <para><b>Handling.</b> Each item is handed to the handler exactly once, by one worker. A handler that throws never
/// kills its worker: the failure is counted, logged through <see cref="WorkerPoolOptions.Logger"/>, passed with its item
/// to the constructor's <c>onError</c>, and the worker takes the next item. The handler's token fires only when
/// the pool is disposed.</para>
/// <para><b>Full queue.</b> <see cref="WorkerPoolOptions.FullMode"/> decides: wait, drop the oldest or newest queued
/// item (counted and passed to the constructor's <c>onDropped</c>), or refuse the new one
/// (<see cref="WorkerPoolRejectedException"/> from <see cref="EnqueueAsync"/>, <see langword="false"/> from
/// <see cref="TryEnqueue"/>). A refused item is always reported to the caller; it is never dropped silently.</para>
/// <para><b>Shutdown.</b> <see cref="CompleteAsync"/> stops intake and waits until every queued item is handled.
/// <see cref="DisposeAsync"/> stops intake, cancels running handlers through their token (an
/// <see cref="OperationCanceledException"/> they throw then counts as canceled, not failed), waits for the workers to
/// stop, and drops the items still queued: each is counted in <see cref="WorkerPoolStatistics.Dropped"/> and passed
/// to <c>onDropped</c>. Call <see cref="CompleteAsync"/> first to drain instead.</para>
/// <para><b>Resizing.</b> <see cref="SetWorkerCount"/> adds workers at once, or retires some: a retiring worker
/// finishes its current item and takes no other.</para>
/// <para><b>Metrics.</b> On the <c>Governance</c> meter with the tag <c>governance.pool.name</c>:
/// <c>governance.pool.queued</c>, <c>.busy_workers</c>, <c>.workers</c>, <c>.processed</c>, <c>.failed</c>,
/// <c>.dropped</c>, <c>.rejected</c>, and the <c>.queue_wait</c> histogram (seconds) — recorded when a listener
/// for it is attached as the pool is created, since only then are items stamped with their enqueue time.</para>
/// <para><b>Thread safety.</b> Every member may be called concurrently.</para>
/// </remarks>
public sealed class WorkerPool<T> : IAsyncDisposable, IWorkerPoolStatisticsSource, ICensusSource
{
    private static readonly Action<ILogger, string, Exception?> s_logHandlerFailed = LoggerMessage.Define<string>(
        LogLevel.Error, new EventId(1, "WorkerPoolHandlerFailed"), "WorkerPool '{PoolName}': the handler failed; the worker goes on with the next item.");

    private static readonly Action<ILogger, string, Exception?> s_logCallbackFailed = LoggerMessage.Define<string>(
        LogLevel.Warning, new EventId(2, "WorkerPoolCallbackFailed"), "WorkerPool '{PoolName}': an onError or onDropped callback threw.");

    private readonly Func<T, CancellationToken, Task> _handler;
    private readonly PoolQueue<T> _queue;
    private readonly WorkerPoolFullMode _fullMode;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger? _logger;
    private readonly Action<T, Exception>? _onError;
    private readonly Action<T>? _onDropped;
    private readonly WorkerPoolMetrics _metrics;
    private readonly KeyValuePair<string, object?> _nameTag;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly List<Worker> _workers = new();

    // The task census lists the workers (running an item, or waiting for one) and the queued items, under this site.
    private readonly CreationSite _site;
    private readonly bool _census;

    // The creator's census scope and labels: the pool's units belong to the flow that created it, as a ticker's loop
    // belongs to the flow that started it, so that a leak check over that flow sees a pool nobody disposed.
    private readonly CensusContext? _censusContext;

    private long _retiredProcessed;
    private long _retiredFailed;
    private long _retiredCanceled;
    private long _dropped;
    private long _rejected;
    private volatile bool _completed;
    private int _disposed;

    /// <summary>Creates the pool and starts its workers.</summary>
    /// <param name="handler">Handles one item; receives a token that fires when the pool is disposed.</param>
    /// <param name="options">The settings; validated and copied.</param>
    /// <param name="onError">
    /// Called with the item and the exception when the handler throws; the worker goes on with the next item either
    /// way. Runs on the worker; an exception it throws is logged and otherwise ignored. Optional.
    /// </param>
    /// <param name="onDropped">
    /// Called with each item the pool drops without handling it: displaced by <see cref="WorkerPoolFullMode.DropOldest"/>
    /// or <see cref="WorkerPoolFullMode.DropNewest"/>, or still queued when the pool is disposed. Every such item is also
    /// counted in <see cref="WorkerPoolStatistics.Dropped"/>. Runs on the thread that displaced or disposed; an
    /// exception it throws is logged and otherwise ignored. Optional.
    /// </param>
    /// <param name="callerMemberName">Filled in by the compiler: the calling member, the creation site the task census shows for the pool's workers and queued items.</param>
    /// <param name="callerFilePath">Filled in by the compiler: the calling file.</param>
    /// <param name="callerLineNumber">Filled in by the compiler: the calling line.</param>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    /// <exception cref="ArgumentException"><see cref="WorkerPoolOptions.Name"/> or <see cref="WorkerPoolOptions.TimeProvider"/> is <see langword="null"/>.</exception>
    public WorkerPool(
        Func<T, CancellationToken, Task> handler,
        WorkerPoolOptions options,
        Action<T, Exception>? onError = null,
        Action<T>? onDropped = null,
        [CallerMemberName] string callerMemberName = "",
        [CallerFilePath] string callerFilePath = "",
        [CallerLineNumber] int callerLineNumber = 0)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { } invalid)
        {
            throw invalid;
        }

        _handler = handler;
        Name = options.Name;
        Capacity = options.Capacity;
        _fullMode = options.FullMode;
        _timeProvider = options.TimeProvider;
        _logger = options.Logger;
        _onError = onError;
        _onDropped = onDropped;
        _nameTag = new KeyValuePair<string, object?>(GovernanceMeter.PoolNameTag, Name);
        _metrics = WorkerPoolMetrics.For(MeterProvider.Get(options.MeterFactory));
        _site = new CreationSite(callerMemberName, callerFilePath, callerLineNumber);
        _census = TaskCensus.Enabled;
        _censusContext = _census ? TaskCensus.CurrentContext : null;

        // Items are stamped only for the queue-wait histogram: the census costs the pool nothing per item, and shows the
        // oldest queued item's age when they are.
        _queue = PoolQueue<T>.Create(options.Capacity, options.FullMode, _metrics.QueueWait.Enabled ? _timeProvider : null, OnItemDropped);
        _metrics.Register(this);
        if (_census)
        {
            TaskCensus.Register(this);
        }

        SetWorkerCount(options.Workers);
    }

    /// <summary>The pool's name.</summary>
    public string Name { get; }

    /// <summary>How many items may wait in the queue.</summary>
    public int Capacity { get; }

    /// <summary>The current number of workers (not counting retiring ones still finishing an item).</summary>
    public int Workers
    {
        get
        {
            lock (_lock)
            {
                return CountActiveUnsynchronized();
            }
        }
    }

    /// <summary>Queues <paramref name="item"/>; when the queue is full, does what <see cref="WorkerPoolOptions.FullMode"/> says.</summary>
    /// <param name="item">The item.</param>
    /// <param name="cancellationToken">Cancels a wait for space (in <see cref="WorkerPoolFullMode.Wait"/> mode); the item is then not queued.</param>
    /// <returns>A task that completes when the item is queued.</returns>
    /// <exception cref="WorkerPoolRejectedException">The queue is full in <see cref="WorkerPoolFullMode.Reject"/> mode, or the pool no longer takes items.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired while waiting for space.</exception>
    public ValueTask EnqueueAsync(T item, CancellationToken cancellationToken = default)
    {
        // Perf: a queue with space takes the item synchronously, in every mode.
        if (_queue.TryWrite(item))
        {
            return default;
        }

        if (_completed)
        {
            return ValueTask.FromException(Reject(WorkerPoolRejectionReason.Completed));
        }

        return _fullMode switch
        {
            WorkerPoolFullMode.Wait => WriteSlowAsync(item, cancellationToken),
            WorkerPoolFullMode.Reject => ValueTask.FromException(Reject(WorkerPoolRejectionReason.QueueFull)),

            // A drop-mode queue always takes the item unless it was completed meanwhile.
            _ => ValueTask.FromException(Reject(WorkerPoolRejectionReason.Completed)),
        };
    }

    /// <summary>Queues <paramref name="item"/> if that needs no waiting.</summary>
    /// <param name="item">The item.</param>
    /// <returns><see langword="true"/> if the item was queued (in a drop mode, possibly displacing another); <see langword="false"/> if the queue is full (<see cref="WorkerPoolFullMode.Wait"/> and <see cref="WorkerPoolFullMode.Reject"/> modes) or the pool no longer takes items. A refusal is counted in <see cref="WorkerPoolStatistics.Rejected"/>.</returns>
    public bool TryEnqueue(T item)
    {
        if (_queue.TryWrite(item))
        {
            return true;
        }

        Interlocked.Increment(ref _rejected);
        return false;
    }

    /// <summary>Stops intake and waits until every queued item has been handled and the workers have stopped.</summary>
    /// <returns>A task that completes when the pool is drained.</returns>
    public Task CompleteAsync()
    {
        _completed = true;
        _queue.Complete();
        return WhenWorkersStopped();
    }

    /// <summary>Changes the number of workers at run time.</summary>
    /// <param name="workers">The new number; greater than zero.</param>
    /// <remarks>Added workers start at once. Retired workers finish the item they are handling and take no other.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="workers"/> is zero or negative.</exception>
    /// <exception cref="ObjectDisposedException">The pool is disposed.</exception>
    public void SetWorkerCount(int workers)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(workers);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            var active = CountActiveUnsynchronized();
            for (var i = active; i < workers; i++)
            {
                var worker = new Worker(CancellationTokenSource.CreateLinkedTokenSource(_stop.Token)) { Since = CensusClock.Now(_timeProvider) };
                _workers.Add(worker);
                if (_census)
                {
                    _censusContext?.Scope?.NoteStarted();
                }

                worker.Task = Task.Run(() => RunWorkerAsync(worker));
            }

            for (var i = _workers.Count - 1; i >= 0 && active > workers; i--)
            {
                var worker = _workers[i];
                if (!worker.Retired)
                {
                    worker.Retired = true;
                    worker.Retire.Cancel();
                    active--;
                }
            }
        }
    }

    /// <summary>Takes a snapshot of the pool's state and counters.</summary>
    /// <returns>The snapshot.</returns>
    public WorkerPoolStatistics GetStatistics()
    {
        lock (_lock)
        {
            long processed = Interlocked.Read(ref _retiredProcessed), failed = Interlocked.Read(ref _retiredFailed);
            var canceled = Interlocked.Read(ref _retiredCanceled);
            var busy = 0;
            foreach (var worker in _workers)
            {
                processed += Volatile.Read(ref worker.Processed);
                failed += Volatile.Read(ref worker.Failed);
                canceled += Volatile.Read(ref worker.Canceled);
                busy += worker.Busy ? 1 : 0;
            }

            return new WorkerPoolStatistics
            {
                Name = Name,
                Workers = CountActiveUnsynchronized(),
                BusyWorkers = busy,
                Queued = _queue.Count,
                Processed = processed,
                Failed = failed,
                Canceled = canceled,
                Dropped = Interlocked.Read(ref _dropped),
                Rejected = Interlocked.Read(ref _rejected),
            };
        }
    }

    /// <summary>
    /// Stops intake, cancels running handlers, waits for the workers, and drops (counts and reports) the items still
    /// queued. Call <see cref="CompleteAsync"/> first to drain instead.
    /// </summary>
    /// <returns>A task that completes when the workers have stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _completed = true;
        _queue.Complete();
        await _stop.CancelAsync().ConfigureAwait(false);
        await WhenWorkersStopped().ConfigureAwait(false);

        while (_queue.TryRead(out var item, out _))
        {
            OnItemDropped(item);
        }

        _metrics.Unregister(this);
        TaskCensus.Unregister(this);
        _stop.Dispose();
    }

    private async ValueTask WriteSlowAsync(T item, CancellationToken cancellationToken)
    {
        try
        {
            await _queue.WriteAsync(item, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw Reject(WorkerPoolRejectionReason.Completed);
        }
    }

    private WorkerPoolRejectedException Reject(WorkerPoolRejectionReason reason)
    {
        Interlocked.Increment(ref _rejected);
        return new WorkerPoolRejectedException(reason, Name);
    }

    private async Task RunWorkerAsync(Worker worker)
    {
        var stopToken = _stop.Token;
        try
        {
            while (await _queue.WaitToReadAsync(worker.Retire.Token).ConfigureAwait(false))
            {
                // The retire and stop checks come before TryRead: an item once read is always handled.
                while (!worker.Retired && !stopToken.IsCancellationRequested && _queue.TryRead(out var item, out var enqueuedAt))
                {
                    if (enqueuedAt != 0 && _metrics.QueueWait.Enabled)
                    {
                        _metrics.QueueWait.Record(_timeProvider.GetElapsedTime(enqueuedAt).TotalSeconds, _nameTag);
                    }

                    await HandleAsync(worker, item, stopToken).ConfigureAwait(false);
                }

                if (worker.Retired || stopToken.IsCancellationRequested)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (worker.Retire.IsCancellationRequested)
        {
            // Retired or disposed while waiting for an item.
        }
        finally
        {
            lock (_lock)
            {
                _workers.Remove(worker);
                Interlocked.Add(ref _retiredProcessed, worker.Processed);
                Interlocked.Add(ref _retiredFailed, worker.Failed);
                Interlocked.Add(ref _retiredCanceled, worker.Canceled);
            }

            worker.Retire.Dispose();
        }
    }

    private async ValueTask HandleAsync(Worker worker, T item, CancellationToken stopToken)
    {
        CensusCounters.Started(GovernedOwnerKind.WorkerPool);
        worker.Busy = true;
        try
        {
            await _handler(item, stopToken).ConfigureAwait(false);
            Volatile.Write(ref worker.Processed, worker.Processed + 1);
        }
        catch (OperationCanceledException) when (stopToken.IsCancellationRequested)
        {
            Volatile.Write(ref worker.Canceled, worker.Canceled + 1);
        }
        catch (Exception ex)
        {
            Volatile.Write(ref worker.Failed, worker.Failed + 1);
            ReportFailure(item, ex);
        }
        finally
        {
            worker.Busy = false;
        }
    }

    private void ReportFailure(T item, Exception exception)
    {
        if (_logger is not null)
        {
            s_logHandlerFailed(_logger, Name, exception);
        }

        if (_onError is not null)
        {
            try
            {
                _onError(item, exception);
            }
            catch (Exception callbackFailure)
            {
                LogCallbackFailure(callbackFailure);
            }
        }
    }

    private void OnItemDropped(T item)
    {
        Interlocked.Increment(ref _dropped);
        if (_onDropped is not null)
        {
            try
            {
                _onDropped(item);
            }
            catch (Exception callbackFailure)
            {
                LogCallbackFailure(callbackFailure);
            }
        }
    }

    private void LogCallbackFailure(Exception exception)
    {
        if (_logger is not null)
        {
            s_logCallbackFailed(_logger, Name, exception);
        }
    }

    private Task WhenWorkersStopped()
    {
        lock (_lock)
        {
            return Task.WhenAll(_workers.Select(w => w.Task));
        }
    }

    GovernedOwnerKind ICensusSource.Kind => GovernedOwnerKind.WorkerPool;

    int ICensusSource.LiveUnits
    {
        get
        {
            lock (_lock)
            {
                return _workers.Count + _queue.Count;
            }
        }
    }

    private IReadOnlyList<KeyValuePair<string, string>> Labels => _censusContext?.Labels ?? CensusContext.NoLabels;

    void ICensusSource.CollectUnits(List<GovernedUnit> into)
    {
        lock (_lock)
        {
            foreach (var worker in _workers)
            {
                var state = worker.Busy ? GovernedUnitState.Running : GovernedUnitState.Waiting;
                into.Add(new GovernedUnit(_site, GovernedOwnerKind.WorkerPool, Name, state, CensusClock.Age(_timeProvider, Volatile.Read(ref worker.Since)), Labels, 1)
                {
                    Context = _censusContext,
                });
            }
        }

        var queued = _queue.Count;
        if (queued > 0)
        {
            var oldest = _queue.TryPeekEnqueuedAt(out var enqueuedAt) && enqueuedAt != 0 ? _timeProvider.GetElapsedTime(enqueuedAt) : TimeSpan.Zero;
            into.Add(new GovernedUnit(_site, GovernedOwnerKind.WorkerPool, Name, GovernedUnitState.Queued, oldest, Labels, queued)
            {
                Context = _censusContext,
            });
        }
    }

    private int CountActiveUnsynchronized()
    {
        var active = 0;
        foreach (var worker in _workers)
        {
            active += worker.Retired ? 0 : 1;
        }

        return active;
    }

    /// <summary>One worker's state. Its counters are written only by the worker itself, so no atomics are needed.</summary>
    private sealed class Worker(CancellationTokenSource retire)
    {
        internal readonly CancellationTokenSource Retire = retire;
        internal long Processed;
        internal long Failed;
        internal long Canceled;
        internal volatile bool Busy;
        internal volatile bool Retired;
        internal Task Task = Task.CompletedTask;

        // When the worker started: its age in the census, a loop like a ticker's (not per item: the census costs the pool
        // nothing per item).
        internal long Since;
    }
}
