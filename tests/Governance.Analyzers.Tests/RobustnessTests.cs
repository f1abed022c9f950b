using System.Collections.Concurrent;
using System.Collections.Immutable;
using Governance.Analyzers.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Governance.Analyzers.Tests;

/// <summary>
/// Every analyzer over real and deliberately broken code: an analyzer exception becomes AD0001 in every user's
/// build, and code being typed in the IDE is broken most of the time.
/// </summary>
public sealed class RobustnessTests
{
    private static readonly ImmutableArray<MetadataReference> s_references = Basic.Reference.Assemblies.Net100.References.All
        .Cast<MetadataReference>()
        .Append(MetadataReference.CreateFromFile(typeof(System.Threading.RateLimiting.RateLimiter).Assembly.Location))
        .ToImmutableArray();

    private const int MaxBrokenFiles = 40;

    private static readonly CSharpParseOptions s_parseOptions = new(LanguageVersion.Latest);

    // The SDK's implicit usings (Directory.Build.props enables them): without them Task, List<T> and friends do not
    // bind, and the semantic rules would silently find nothing to look at.
    private static readonly SyntaxTree s_implicitUsings = CSharpSyntaxTree.ParseText(
        "global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq; "
            + "global using System.Net.Http; global using System.Threading; global using System.Threading.Tasks;",
        s_parseOptions,
        "/ImplicitUsings.g.cs");

    public static TheoryData<string> ProjectFolders()
    {
        var data = new TheoryData<string>();
        foreach (var folder in ProjectFolderPaths())
        {
            data.Add(folder);
        }

        return data;
    }

    private static List<string> ProjectFolderPaths()
    {
        var folders = new List<string>();
        foreach (var group in new[] { "src", "analyzers", "tests", "samples" })
        {
            var folder = Path.Combine(RepositoryPaths.Root, group);
            if (Directory.Exists(folder))
            {
                folders.AddRange(Directory.GetDirectories(folder).Select(project => Path.GetRelativePath(RepositoryPaths.Root, project)));
            }
        }

        return folders;
    }

    [Theory]
    [MemberData(nameof(ProjectFolders))]
    public async Task RepositoryProject_AnalyzersThrowNothing_AndOurSourcesAreClean(string projectFolder)
    {
        var trees = SourceFiles(Path.Combine(RepositoryPaths.Root, projectFolder))
            .Select(path => CSharpSyntaxTree.ParseText(File.ReadAllText(path), s_parseOptions, path))
            .ToList();

        var diagnostics = await AnalyzeAsync(trees);

        if (projectFolder.StartsWith("src", StringComparison.Ordinal))
        {
            var ours = diagnostics.Where(d => d.Id.StartsWith("GOV", StringComparison.Ordinal)).Select(d => d.ToString()).ToList();
            Assert.True(ours.Count == 0, "Governance diagnostics on our own sources:\n" + string.Join("\n", ours));
        }
    }

    [Fact]
    public async Task BrokenRepositoryCode_AnalyzersThrowNothing()
    {
        // A spread of the repository, not all of it: the test must stay fast as the repository grows, and every
        // rule's code shapes are already among the first few dozen files.
        var files = ProjectFolderPaths()
            .SelectMany(folder => SourceFiles(Path.Combine(RepositoryPaths.Root, folder)))
            .Order(StringComparer.Ordinal)
            .ToList();
        var stride = Math.Max(1, files.Count / MaxBrokenFiles);
        var sources = files.Where((_, i) => i % stride == 0).Take(MaxBrokenFiles).Select(File.ReadAllText).ToList();

        // Each variant is what an editor holds while someone types: cut mid-file, or with the braces gone.
        foreach (var damage in new Func<string, string>[]
        {
            text => text[..(text.Length / 3)],
            text => text[..(text.Length * 2 / 3)],
            text => text.Replace("}", string.Empty, StringComparison.Ordinal),
            text => text.Replace(";", string.Empty, StringComparison.Ordinal),
            text => text.Replace("(", string.Empty, StringComparison.Ordinal),
        })
        {
            var trees = sources.Select((text, i) => CSharpSyntaxTree.ParseText(damage(text), s_parseOptions, $"/broken/{i}.cs")).ToList();
            await AnalyzeAsync(trees);
        }
    }

    [Theory]
    [InlineData("using System.Threading.Tasks; class C { void M(int[] xs) { foreach (var x in xs) { _ = Task.Run(")]
    [InlineData("using System.Threading.Tasks; class C { void M(int[] xs) { foreach (var x in xs) _ = Task.Run(() => ; } }")]
    [InlineData("using System.Threading; class C { private Timer _t = new Timer(; void Dispose() => _t. }")]
    [InlineData("using System.Threading; class C { void M() { var t = new Timer(_ => { }, null, 0, ); t.")]
    [InlineData("using System.Threading.Channels; class C { Channel<int> _c = Channel.CreateUnbounded<int>(); void M() { _c.Writer.TryWrite(; await foreach (var x in _c.Reader.ReadAllAsync(")]
    [InlineData("using System.Threading.Tasks; using System.Linq; class C { async Task M(int[] xs) { await Task.WhenAll(xs.Select(x => ")]
    [InlineData("class C { void M() { for (;;) { new Unknown().Start(); _ = Missing.Run(() => 1); } } }")]
    [InlineData("partial class C { System.Threading.Timer _t = new System.Threading.Timer(null!, null, 0, 0); } partial class C { void Dispose() { _t?.Dispose( } }")]
    [InlineData("class C { void M(UnknownType[] items) { foreach (var i in items) { System.Threading.Tasks.Task.Run(() => i.Go()); } } }")]
    [InlineData("using System.Threading.Tasks; class C { async Task M() { while (true) { await Task.Delay(; } } }")]
    [InlineData("using System.Threading.Tasks; class C { async Task M(System.Threading.CancellationToken t) { while (!t.IsCancellationRequested) { Work(); await Task.Delay(1000, ) } } }")]
    [InlineData("using System.Threading; class C { void M() { new Thread(Run).Start(); } void Run() { for (;;) { Thread.Sleep( } } }")]
    [InlineData("using System.Net.Http; class C { async System.Threading.Tasks.Task M() { using var c = new HttpClient { Timeout = System.Threading.Timeout. }; await c.GetAsync( } }")]
    [InlineData("using System.Net.Http; class C { HttpClient _c = new HttpClient { Timeout = System.Threading.Timeout.InfiniteTimeSpan }; System.Threading.Tasks.Task<string> M(string u) => _c.GetStringAsync(u, ; }")]
    [InlineData("using System.Net.Http; class C { async System.Threading.Tasks.Task<string> M(UnknownFactory f) { using var c = new HttpClient(f.CreateHandler(, disposeHandler: ); return await c.GetStringAsync( } }")]
    [InlineData("using System.Net.Http; partial class C { async System.Threading.Tasks.Task M() { var h = new UnknownHandler { InnerHandler = new HttpClientHandler( }; using var c = new HttpClient(h); } }")]
    [InlineData("using System.Threading; class C { void M(CancellationToken t) { var l = CancellationTokenSource.CreateLinkedTokenSource(t, ; l.CancelAfter( } }")]
    [InlineData("using System.Threading; class C { CancellationTokenSource _d = new CancellationTokenSource(System.TimeSpan.FromSeconds(; public void Dispose() { _d. } }")]
    [InlineData("using System.Threading; partial class C : System.IDisposable { CancellationTokenSource _l; C(CancellationToken t) => _l = CancellationTokenSource.CreateLinkedTokenSource(t } partial class C { public void Dispose() { _l?.Dispose( } }")]
    [InlineData("using System.Threading; class C { async System.Threading.Tasks.Task M() { while (true) { await unknown.ReceiveAsync(new CancellationTokenSource(5000).Token, ; } } }")]
    public async Task BrokenSnippet_AnalyzersThrowNothing(string source)
        => await AnalyzeAsync(new[] { CSharpSyntaxTree.ParseText(source, s_parseOptions, "/snippet.cs") });

    private static IEnumerable<string> SourceFiles(string folder)
        => Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    private static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(IReadOnlyList<SyntaxTree> trees)
    {
        var compilation = CSharpCompilation.Create(
            "Robustness",
            trees.Append(s_implicitUsings),
            s_references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var exceptions = new ConcurrentBag<string>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
            (exception, analyzer, _) => exceptions.Add($"{analyzer.GetType().Name}: {exception}"),
            concurrentAnalysis: true,
            logAnalyzerExecutionTime: false);
        var diagnostics = await compilation.WithAnalyzers(AllAnalyzers.Create(), options).GetAnalyzerDiagnosticsAsync();

        Assert.Empty(exceptions);
        Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
        return diagnostics;
    }
}
