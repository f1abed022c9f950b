namespace Governance.Analyzers.Tasks;

/// <summary>What one spawn starts; a thread is reported even when it is collected and joined.</summary>
internal enum SpawnKind
{
    /// <summary><c>Task.Run</c>, <c>StartNew</c>, or an async method call.</summary>
    Task,

    /// <summary><c>ThreadPool.QueueUserWorkItem</c>: there is no task to await at all.</summary>
    WorkItem,

    /// <summary><c>new Thread(...).Start()</c> or <c>StartNew</c> with <c>TaskCreationOptions.LongRunning</c>.</summary>
    Thread,
}
