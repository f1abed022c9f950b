using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Governance.Cli.Scanning;

/// <summary>
/// Source mode's unit of work: the <c>*.cs</c> files a project file owns (or the loose files of the tree), parsed, with
/// the implicit and global usings that project would get from the SDK.
/// </summary>
internal sealed class SourceProject
{
    internal static readonly CSharpParseOptions ParseOptions = CSharpParseOptions.Default
        .WithLanguageVersion(LanguageVersion.Preview)
        .WithPreprocessorSymbols("NET", "NETCOREAPP", "NET5_0_OR_GREATER", "NET6_0_OR_GREATER", "NET7_0_OR_GREATER", "NET8_0_OR_GREATER", "RELEASE", "TRACE");

    private SourceProject(string root, string? projectFile, string name, IReadOnlyList<SyntaxTree> trees, SyntaxTree? globalUsings, long lines)
    {
        _root = root;
        ProjectFile = projectFile;
        Name = name;
        Trees = trees;
        GlobalUsings = globalUsings;
        Lines = lines;
    }

    private readonly string _root;

    /// <summary>The project file that owns the files; <see langword="null"/> for loose files.</summary>
    internal string? ProjectFile { get; }

    internal string Name { get; }

    /// <summary>The project's own files, in path order.</summary>
    internal IReadOnlyList<SyntaxTree> Trees { get; }

    /// <summary>The SDK's generated global usings for the project (not a file on disk), if it has any.</summary>
    internal SyntaxTree? GlobalUsings { get; }

    internal long Lines { get; }

    internal IEnumerable<SyntaxTree> AllTrees => GlobalUsings is null ? Trees : Trees.Append(GlobalUsings);

    /// <summary>The files under <paramref name="root"/> grouped by the project file that owns each (nearest at or above).</summary>
    internal static List<(string? Project, List<string> Files)> Group(string root, IReadOnlyList<string> files)
    {
        var cache = new Dictionary<string, string?>(StringComparer.Ordinal);
        return files.GroupBy(f => SourceFiles.OwningProject(root, f, cache) ?? string.Empty, StringComparer.Ordinal)
            .Select(g => (g.Key.Length == 0 ? null : g.Key, g.ToList()))
            .ToList();
    }

    /// <summary>Reads and parses the files in parallel.</summary>
    /// <exception cref="ScanException">A file cannot be read.</exception>
    internal static SourceProject Load(string root, string? project, IReadOnlyList<string> files, CancellationToken cancellationToken)
    {
        var trees = new SyntaxTree?[files.Count];
        long lines = 0;
        try
        {
            Parallel.For(0, files.Count, new ParallelOptions { CancellationToken = cancellationToken }, i => Parse(i));
        }
        catch (AggregateException ex) when (ex.InnerExceptions.OfType<ScanException>().FirstOrDefault() is { } unreadable)
        {
            throw unreadable; // exit code 2 with its one-line message, not a crash
        }

        void Parse(int i)
        {
            SourceText text;
            try
            {
                using var stream = File.OpenRead(files[i]);
                text = SourceText.From(stream, canBeEmbedded: false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new ScanException($"cannot read {files[i]}: {ex.Message}");
            }

            Interlocked.Add(ref lines, text.Lines.Count);
            trees[i] = CSharpSyntaxTree.ParseText(text, ParseOptions, files[i], cancellationToken);
        }

        return new SourceProject(root, project, Path.GetFileNameWithoutExtension(project) ?? "LooseFiles", trees.Select(t => t!).ToList(), GlobalUsingsFor(root, project, assumeImplicitUsings: false, cancellationToken), lines);
    }

    /// <summary>The same files with the SDK's implicit usings assumed (see <see cref="ProjectUsings.CanAssumeImplicitUsings"/>).</summary>
    internal SourceProject WithAssumedImplicitUsings(CancellationToken cancellationToken) =>
        new(_root, ProjectFile, Name, Trees, GlobalUsingsFor(_root, ProjectFile, assumeImplicitUsings: true, cancellationToken), Lines);

    private static SyntaxTree? GlobalUsingsFor(string root, string? project, bool assumeImplicitUsings, CancellationToken cancellationToken)
    {
        var usings = ProjectUsings.For(project, assumeImplicitUsings);
        return usings.Length == 0
            ? null
            : CSharpSyntaxTree.ParseText(usings, ParseOptions, Path.Combine(Path.GetDirectoryName(project ?? Path.Combine(root, "_"))!, "obj", "GlobalUsings.g.cs"), cancellationToken: cancellationToken);
    }

    /// <summary>Options as the SDK would set them for a project with these files: nullable on, unsafe allowed, an exe when there are top-level statements.</summary>
    internal CSharpCompilationOptions CompilationOptions(CancellationToken cancellationToken)
    {
        var hasTopLevelStatements = Trees.Any(t => t.GetRoot(cancellationToken) is CompilationUnitSyntax unit && unit.Members.OfType<GlobalStatementSyntax>().Any());
        return new CSharpCompilationOptions(hasTopLevelStatements ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary)
            .WithNullableContextOptions(NullableContextOptions.Enable)
            .WithAllowUnsafe(true)
            .WithConcurrentBuild(true);
    }
}
