namespace Governance.Cli.Scanning;

/// <summary>What the path given to <c>scan</c> or <c>fix</c> names.</summary>
internal enum TargetKind
{
    /// <summary>A folder: source mode over every <c>*.cs</c> file under it.</summary>
    Folder,

    /// <summary>A <c>.sln</c>, <c>.slnx</c> or <c>.csproj</c>: project mode.</summary>
    ProjectOrSolution,

    /// <summary>One <c>.cs</c> file: source mode, with the usings of the project that owns it.</summary>
    File,
}
