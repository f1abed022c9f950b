namespace Governance;

/// <summary>What the pool metrics read from a pool, whatever its item type.</summary>
internal interface IWorkerPoolStatisticsSource
{
    WorkerPoolStatistics GetStatistics();
}
