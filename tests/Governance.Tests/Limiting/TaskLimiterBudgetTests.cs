using Governance;
using Microsoft.Extensions.Time.Testing;

namespace Governance.Tests.Limiting;

/// <summary>The extension point for a budget outside the limiter (<see cref="TaskLimiterOptions.Budget"/>), with a budget the test drives.</summary>
public sealed class TaskLimiterBudgetTests
{
    private static TaskLimiter Create(TaskLimiterBudget budget, int maxConcurrency = 2, int queueLimit = 10, TimeSpan? queueTimeout = null, TimeProvider? time = null) =>
        new(new TaskLimiterOptions
        {
            Name = "budgeted",
            MaxConcurrency = maxConcurrency,
            QueueLimit = queueLimit,
            QueueTimeout = queueTimeout ?? Timeout.InfiniteTimeSpan,
            TimeProvider = time ?? TimeProvider.System,
            Budget = budget,
        });

    [Fact]
    public async Task Acquire_TakesTheBudgetsPermit_AndTheLeaseReleasesItOnce()
    {
        var budget = new GatedBudget();
        using var limiter = Create(budget);
        Assert.Same(budget, limiter.Budget);

        var pending = limiter.AcquireAsync(2).AsTask();
        var request = await budget.Requests.Reader.ReadAsync().AsTask().Bounded();
        Assert.Equal(2, request.Permits);
        Assert.False(pending.IsCompleted);
        Assert.Equal(2, limiter.GetStatistics().InFlight); // Local permits are held while the budget is awaited.

        var permit = new TestPermit();
        request.Answer.SetResult(permit);
        var lease = await pending.Bounded();
        Assert.Equal(permit.LostSource.Token, lease.Lost);

        lease.Dispose();
        lease.Dispose();
        Assert.Equal(1, permit.Releases);
        Assert.Equal(0, limiter.GetStatistics().InFlight);
        Assert.Equal(CancellationToken.None, lease.Lost); // A released lease no longer reports its permit.
    }

    [Fact]
    public async Task Lost_FiresWhenTheBudgetTakesThePermitBack()
    {
        var budget = new GatedBudget();
        using var limiter = Create(budget);
        var pending = limiter.AcquireAsync().AsTask();
        var permit = new TestPermit();
        (await budget.Requests.Reader.ReadAsync().AsTask().Bounded()).Answer.SetResult(permit);
        using var lease = await pending.Bounded();

        Assert.False(lease.Lost.IsCancellationRequested);
        await permit.LostSource.CancelAsync();
        Assert.True(lease.Lost.IsCancellationRequested);
    }

    [Fact]
    public async Task BudgetAnswersNull_RejectsWithUnavailable_AndGivesTheLocalPermitsBack()
    {
        var budget = new GatedBudget();
        using var limiter = Create(budget);

        var orReject = limiter.AcquireOrRejectAsync(1).AsTask();
        (await budget.Requests.Reader.ReadAsync().AsTask().Bounded()).Answer.SetResult(null);
        Assert.Equal(LimiterRejectionReason.Unavailable, (await orReject.Bounded()).RejectionReason);

        var throwing = limiter.AcquireAsync().AsTask();
        (await budget.Requests.Reader.ReadAsync().AsTask().Bounded()).Answer.SetResult(null);
        var thrown = await Assert.ThrowsAsync<LimiterRejectedException>(() => throwing.Bounded());
        Assert.Equal(LimiterRejectionReason.Unavailable, thrown.Reason);
        Assert.Contains("external budget", thrown.Message, StringComparison.Ordinal);

        var statistics = limiter.GetStatistics();
        Assert.Equal(2, statistics.RejectedUnavailable);
        Assert.Equal(2, statistics.TotalRejected);
        Assert.Equal(0, statistics.InFlight);
    }

    [Fact]
    public async Task LocalOnlyPermit_AdmitsOnTheLocalLimit_AndCannotBeLost()
    {
        var budget = new GatedBudget();
        using var limiter = Create(budget);
        var pending = limiter.AcquireAsync().AsTask();
        (await budget.Requests.Reader.ReadAsync().AsTask().Bounded()).Answer.SetResult(TaskLimiterBudgetPermit.LocalOnly);
        using var lease = await pending.Bounded();
        Assert.True(lease.IsAcquired);
        Assert.False(lease.Lost.CanBeCanceled);
    }

    [Fact]
    public async Task QueueTimeout_BoundsTheWholeWait_LocalAndBudget()
    {
        var time = new FakeTimeProvider();
        var budget = new GatedBudget();
        using var limiter = Create(budget, queueTimeout: TimeSpan.FromSeconds(10), time: time);

        var pending = limiter.AcquireOrRejectAsync(1).AsTask();
        var request = await budget.Requests.Reader.ReadAsync().AsTask().Bounded();
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(request.Token.IsCancellationRequested);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(request.Token.IsCancellationRequested);
        request.Answer.SetCanceled(request.Token);

        Assert.Equal(LimiterRejectionReason.QueueTimeout, (await pending.Bounded()).RejectionReason);
        Assert.Equal(1, limiter.GetStatistics().RejectedQueueTimeout);
        Assert.Equal(0, limiter.GetStatistics().InFlight);
    }

    [Fact]
    public async Task CallerCancels_WhileTheBudgetIsAwaited_ThrowsAndGivesTheLocalPermitsBack()
    {
        var budget = new GatedBudget();
        using var limiter = Create(budget);
        using var cancel = new CancellationTokenSource();

        var pending = limiter.AcquireAsync(cancel.Token).AsTask();
        var request = await budget.Requests.Reader.ReadAsync().AsTask().Bounded();
        await cancel.CancelAsync();
        Assert.True(request.Token.IsCancellationRequested);
        request.Answer.SetCanceled(request.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.Bounded());
        Assert.Equal(0, limiter.GetStatistics().InFlight);
        Assert.Equal(0, limiter.GetStatistics().TotalRejected);
    }

    [Fact]
    public async Task LocalLimitAndQueue_StillApply_BeforeTheBudgetIsAsked()
    {
        var budget = new GatedBudget();
        using var limiter = Create(budget, maxConcurrency: 1, queueLimit: 0);
        var first = limiter.AcquireAsync().AsTask();
        var request = await budget.Requests.Reader.ReadAsync().AsTask().Bounded();

        // The first caller holds the only local permit while it waits for the budget: the next is turned away locally.
        Assert.Equal(LimiterRejectionReason.QueueFull, (await limiter.AcquireOrRejectAsync(1).AsTask().Bounded()).RejectionReason);
        Assert.False(budget.Requests.Reader.TryRead(out _));
        Assert.False(limiter.TryAcquire(out var none)); // TryAcquire cannot consult a budget without waiting.

        request.Answer.SetResult(TaskLimiterBudgetPermit.LocalOnly);
        (await first.Bounded()).Dispose();
    }

    [Fact]
    public async Task Dispose_RejectsCallersWaitingForTheBudget()
    {
        var budget = new GatedBudget();
        var limiter = Create(budget);
        var pending = limiter.AcquireOrRejectAsync(1).AsTask();
        var request = await budget.Requests.Reader.ReadAsync().AsTask().Bounded();

        limiter.Dispose();
        Assert.True(request.Token.IsCancellationRequested);
        request.Answer.SetCanceled(request.Token);
        Assert.Equal(LimiterRejectionReason.Disposed, (await pending.Bounded()).RejectionReason);
        Assert.Equal(1, limiter.GetStatistics().RejectedDisposed);
        Assert.Equal(0, limiter.GetStatistics().InFlight);
    }

    [Fact]
    public async Task RunAsync_TheWorksTokenFires_WhenThePermitIsLost()
    {
        var budget = new GatedBudget();
        using var limiter = Create(budget);
        var permit = new TestPermit();
        var started = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = limiter.RunAsync(async token =>
        {
            started.SetResult(token);
            await Task.Delay(Timeout.Infinite, token);
        });
        (await budget.Requests.Reader.ReadAsync().AsTask().Bounded()).Answer.SetResult(permit);
        var workToken = await started.Task.Bounded();
        Assert.False(workToken.IsCancellationRequested);

        await permit.LostSource.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.Bounded());
        Assert.Equal(1, permit.Releases);
        Assert.Equal(0, limiter.GetStatistics().InFlight);
    }

    [Fact]
    public void NoBudget_LeasesCannotBeLost()
    {
        using var limiter = new TaskLimiter(new TaskLimiterOptions { MaxConcurrency = 1 });
        Assert.Null(limiter.Budget);
        Assert.True(limiter.TryAcquire(out var lease));
        Assert.False(lease.Lost.CanBeCanceled);
        lease.Dispose();
        Assert.False(default(TaskLimiterLease).Lost.CanBeCanceled);
    }

    private sealed record Request(int Permits, TaskCompletionSource<TaskLimiterBudgetPermit?> Answer, CancellationToken Token);

    /// <summary>A budget whose every request waits until the test answers it.</summary>
    private sealed class GatedBudget : TaskLimiterBudget
    {
        public System.Threading.Channels.Channel<Request> Requests { get; } = System.Threading.Channels.Channel.CreateUnbounded<Request>();

        public override async ValueTask<TaskLimiterBudgetPermit?> AcquireAsync(int permits, CancellationToken cancellationToken)
        {
            var request = new Request(permits, new TaskCompletionSource<TaskLimiterBudgetPermit?>(TaskCreationOptions.RunContinuationsAsynchronously), cancellationToken);
            await Requests.Writer.WriteAsync(request, CancellationToken.None);
            return await request.Answer.Task;
        }
    }

    private sealed class TestPermit : TaskLimiterBudgetPermit
    {
        public CancellationTokenSource LostSource { get; } = new();

        public int Releases { get; private set; }

        public override CancellationToken Lost => LostSource.Token;

        public override void Release() => Releases++;
    }
}
