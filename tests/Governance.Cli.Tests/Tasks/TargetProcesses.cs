namespace Governance.Cli.Tests.Tasks;

/// <summary>
/// The tests that look at a live process run one at a time: each snapshot walks a whole heap on the machine's few
/// cores, and the runtime's data access library loaded into the test host is one instance for every walk.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TargetProcesses
{
    internal const string Name = "Target processes";
}
