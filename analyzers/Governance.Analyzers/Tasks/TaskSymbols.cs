using Governance.Analyzers.Symbols;
using Microsoft.CodeAnalysis;

namespace Governance.Analyzers.Tasks;

/// <summary>The task, thread and loop-source types of one compilation, resolved once at compilation start.</summary>
internal sealed class TaskSymbols
{
    private TaskSymbols(INamedTypeSymbol task, Compilation compilation)
    {
        Task = task;
        GenericTask = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task`1");
        ValueTask = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask");
        GenericValueTask = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask`1");
        TaskFactory = compilation.GetTypeByMetadataName("System.Threading.Tasks.TaskFactory");
        GenericTaskFactory = compilation.GetTypeByMetadataName("System.Threading.Tasks.TaskFactory`1");
        TaskCreationOptions = compilation.GetTypeByMetadataName("System.Threading.Tasks.TaskCreationOptions");
        ThreadPool = compilation.GetTypeByMetadataName("System.Threading.ThreadPool");
        Thread = compilation.GetTypeByMetadataName("System.Threading.Thread");
        Enumerable = compilation.GetTypeByMetadataName("System.Linq.Enumerable");
        Enumerable1 = compilation.GetTypeByMetadataName("System.Collections.IEnumerable");
        Socket = compilation.GetTypeByMetadataName("System.Net.Sockets.Socket");
        TcpListener = compilation.GetTypeByMetadataName("System.Net.Sockets.TcpListener");
        HttpListener = compilation.GetTypeByMetadataName("System.Net.HttpListener");
        QuicListener = compilation.GetTypeByMetadataName("System.Net.Quic.QuicListener");
        NamedPipeServer = compilation.GetTypeByMetadataName("System.IO.Pipes.NamedPipeServerStream");
        CancellationToken = compilation.GetTypeByMetadataName("System.Threading.CancellationToken");
        Partitioner = compilation.GetTypeByMetadataName("System.Collections.Concurrent.Partitioner`1");
        CancellationTokenSource = compilation.GetTypeByMetadataName("System.Threading.CancellationTokenSource");
        ChannelReader = compilation.GetTypeByMetadataName("System.Threading.Channels.ChannelReader`1");
        BlockingCollection = compilation.GetTypeByMetadataName("System.Collections.Concurrent.BlockingCollection`1");
        PeriodicTimer = compilation.GetTypeByMetadataName("System.Threading.PeriodicTimer");
        Random = compilation.GetTypeByMetadataName("System.Random");
        DoesNotReturnAttribute = compilation.GetTypeByMetadataName("System.Diagnostics.CodeAnalysis.DoesNotReturnAttribute");
        OperationCanceledException = compilation.GetTypeByMetadataName("System.OperationCanceledException");
        ObjectDisposedException = compilation.GetTypeByMetadataName("System.ObjectDisposedException");
        ThreadInterruptedException = compilation.GetTypeByMetadataName("System.Threading.ThreadInterruptedException");
        ThreadAbortException = compilation.GetTypeByMetadataName("System.Threading.ThreadAbortException");
    }

    public INamedTypeSymbol Task { get; }

    public INamedTypeSymbol? GenericTask { get; }

    public INamedTypeSymbol? ValueTask { get; }

    public INamedTypeSymbol? GenericValueTask { get; }

    public INamedTypeSymbol? TaskFactory { get; }

    public INamedTypeSymbol? GenericTaskFactory { get; }

    public INamedTypeSymbol? TaskCreationOptions { get; }

    public INamedTypeSymbol? ThreadPool { get; }

    public INamedTypeSymbol? Thread { get; }

    public INamedTypeSymbol? Enumerable { get; }

    /// <summary>The non-generic <c>System.Collections.IEnumerable</c>: anything a loop can walk.</summary>
    public INamedTypeSymbol? Enumerable1 { get; }

    public INamedTypeSymbol? Socket { get; }

    public INamedTypeSymbol? TcpListener { get; }

    public INamedTypeSymbol? HttpListener { get; }

    public INamedTypeSymbol? QuicListener { get; }

    public INamedTypeSymbol? NamedPipeServer { get; }

    public INamedTypeSymbol? CancellationToken { get; }

    /// <summary><c>Partitioner&lt;T&gt;</c>: <c>GetPartitions(n)</c> yields exactly n partitions, a configured count.</summary>
    public INamedTypeSymbol? Partitioner { get; }

    public INamedTypeSymbol? CancellationTokenSource { get; }

    /// <summary><c>ChannelReader&lt;T&gt;</c>: its reads end when the channel is completed.</summary>
    public INamedTypeSymbol? ChannelReader { get; }

    /// <summary><c>BlockingCollection&lt;T&gt;</c>: <c>Take</c> and <c>GetConsumingEnumerable</c> end when adding is completed.</summary>
    public INamedTypeSymbol? BlockingCollection { get; }

    /// <summary><c>PeriodicTimer</c> (.NET 6 and later): what a polling loop is told to use instead of <c>Task.Delay</c>.</summary>
    public INamedTypeSymbol? PeriodicTimer { get; }

    public INamedTypeSymbol? Random { get; }

    public INamedTypeSymbol? DoesNotReturnAttribute { get; }

    /// <summary>The exceptions that stop a loop from outside: cancellation, disposal of what it waits on, a thread's interrupt or abort.</summary>
    public INamedTypeSymbol? OperationCanceledException { get; }

    public INamedTypeSymbol? ObjectDisposedException { get; }

    public INamedTypeSymbol? ThreadInterruptedException { get; }

    public INamedTypeSymbol? ThreadAbortException { get; }

    public static TaskSymbols? Create(Compilation compilation)
        => compilation.GetTypeByMetadataName("System.Threading.Tasks.Task") is { } task ? new TaskSymbols(task, compilation) : null;

    /// <summary><c>Task</c>, <c>Task&lt;T&gt;</c>, <c>ValueTask</c>, <c>ValueTask&lt;T&gt;</c> or a subclass of <c>Task</c>.</summary>
    public bool IsTaskLike(ITypeSymbol? type)
        => type.IsOrDerivesFrom(Task) || type.IsType(ValueTask) || type.IsType(GenericValueTask);
}
