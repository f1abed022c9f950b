namespace Governance.Cli.Scanning;

/// <summary>How the code was loaded: with MSBuild (exactly as the build sees it) or from the source files alone.</summary>
internal enum ScanMode
{
    /// <summary>A solution or project loaded with MSBuild: real references, defines, usings and generators.</summary>
    Project,

    /// <summary>The <c>*.cs</c> files of a folder (or one file), compiled per project file against the shared frameworks.</summary>
    Source,
}
