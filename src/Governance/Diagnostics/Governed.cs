using System.Runtime.CompilerServices;

namespace Governance;

/// <summary>
/// Fire-and-forget work that stays visible: <see cref="Run"/> replaces <c>_ = Task.Run(...)</c> where nothing awaits
/// the work but someone may need to see it later, in the task census (<see cref="TaskCensus"/>) and in a leak check.
/// </summary>
public static class Governed
{
    private const string OwnerName = "Governed.Run";
    private static readonly Func<object?, Task> s_start = static state => ((RunUnit)state!).RunAsync();
    private static readonly Runs s_runs = new();

    /// <summary>
    /// Starts <paramref name="work"/> on the thread pool, as <see cref="Task.Run(Func{Task}, CancellationToken)"/> does,
    /// and records it in the census, with where it was started, until it ends.
    /// </summary>
    /// <param name="work">The work; it receives <paramref name="cancellationToken"/>.</param>
    /// <param name="cancellationToken">Given to the work; if it has fired before the work starts, the work does not run and the task is canceled.</param>
    /// <param name="callerMemberName">Filled in by the compiler: the calling member.</param>
    /// <param name="callerFilePath">Filled in by the compiler: the calling file.</param>
    /// <param name="callerLineNumber">Filled in by the compiler: the calling line.</param>
    /// <returns>
    /// The work's task. Fire-and-forget callers may drop it, but a failure is then seen by nobody: catch and log inside
    /// the work, or observe the task.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="work"/> is <see langword="null"/>.</exception>
    public static Task Run(
        Func<CancellationToken, Task> work,
        CancellationToken cancellationToken = default,
        [CallerMemberName] string callerMemberName = "",
        [CallerFilePath] string callerFilePath = "",
        [CallerLineNumber] int callerLineNumber = 0)
    {
        ArgumentNullException.ThrowIfNull(work);
        var unit = new RunUnit(work, cancellationToken);
        CensusCounters.Started(GovernedOwnerKind.Governed);
        if (TaskCensus.Enabled)
        {
            s_runs.List.Add(unit, new CreationSite(callerMemberName, callerFilePath, callerLineNumber), GovernedUnitState.Queued,
                CensusClock.Now(TimeProvider.System), TaskCensus.CurrentContext);
        }

        return Task.Factory.StartNew(s_start, unit, CancellationToken.None, TaskCreationOptions.DenyChildAttach, TaskScheduler.Default).Unwrap();
    }

    private sealed class Runs : ICensusSource
    {
        internal Runs() => TaskCensus.Register(this);

        internal CensusList List { get; } = new();

        public GovernedOwnerKind Kind => GovernedOwnerKind.Governed;

        public int LiveUnits => List.Count;

        public void CollectUnits(List<GovernedUnit> into) => List.Collect(into, GovernedOwnerKind.Governed, OwnerName, TimeProvider.System);
    }

    private sealed class RunUnit(Func<CancellationToken, Task> work, CancellationToken cancellationToken) : CensusNode
    {
        internal async Task RunAsync()
        {
            try
            {
                cancellationToken.ThrowIfCancellationRequested();
                CensusState = (int)GovernedUnitState.Running;
                await (work(cancellationToken) ?? throw new InvalidOperationException("The work given to Governed.Run returned a null Task.")).ConfigureAwait(false);
            }
            finally
            {
                s_runs.List.Remove(this);
            }
        }
    }
}
