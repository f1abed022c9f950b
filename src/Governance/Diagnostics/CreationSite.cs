namespace Governance;

/// <summary>
/// Where a unit of governed work was started: the calling member, source file and line, taken from caller-info
/// attributes at compile time (no stack walk), as Go keeps the program counter of a <c>go</c> statement.
/// </summary>
/// <param name="Member">The calling member's name (<c>ProcessAsync</c>), or an empty string when unknown.</param>
/// <param name="FilePath">The calling source file as the compiler saw it, or an empty string when unknown.</param>
/// <param name="Line">The line of the call, or 0 when unknown.</param>
public readonly record struct CreationSite(string Member, string FilePath, int Line)
{
    /// <summary>The file name without its folder (<c>OrderService.cs</c>).</summary>
    public string FileName => Path.GetFileName(FilePath);

    /// <summary>The site as <c>Member (path/File.cs:42)</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() =>
        FilePath.Length == 0 ? (Member.Length == 0 ? "(unknown site)" : Member) : $"{Member} ({FilePath}:{Line})";
}
