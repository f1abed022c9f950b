using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Governance.Cli.Scanning;

/// <summary>
/// Compiles the projects of a <see cref="SourcePlan"/> one at a time, in dependency order, each against the shared
/// frameworks and the already compiled projects it references, so that calls on a sibling project's types bind.
/// </summary>
/// <remarks>
/// Memory: a project's compilation is kept (as a <see cref="CompilationReference"/>, which binds only its declarations
/// when a later project uses it) until the last project that references it is done, then released; a project nothing
/// references is kept by nobody once its consumer moves on. What stays alive is the project at hand and the projects
/// it and the remaining ones still need, not the whole tree. A compilation reference and not an emitted image: source
/// mode compiles code with unresolved types, and the compiler emits nothing for a declaration with errors.
/// </remarks>
internal sealed class SourceCompiler(SourcePlan plan)
{
    private readonly List<string> _assumed = [];
    private int _filesUsingCoreTypes;
    private int _filesUnresolved;
    private readonly Dictionary<string, int> _unresolvedByName = new(StringComparer.Ordinal);
    private readonly List<string> _unresolvedFiles = [];

    /// <summary>How well the projects compiled so far bound.</summary>
    internal BindingReport Binding => new(_filesUsingCoreTypes, _filesUnresolved, new Dictionary<string, int>(_unresolvedByName), _assumed.ToList(), _unresolvedFiles.ToList());

    /// <summary>The projects, compiled lazily: the next one is read only when the caller asks for it.</summary>
    /// <param name="progress">Hears which project is being compiled.</param>
    /// <exception cref="ScanException">A file cannot be read.</exception>
    internal IEnumerable<CompiledSourceProject> Compile(Action<string>? progress, CancellationToken cancellationToken)
    {
        var kept = new Dictionary<int, CompilationReference>();
        for (var index = 0; index < plan.Projects.Count; index++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var planned = plan.Projects[index];
            progress?.Invoke($"[{index + 1}/{plan.Projects.Count}] {(planned.ProjectFile is null ? "loose files" : Path.GetRelativePath(plan.Root, planned.ProjectFile))} ({planned.Files.Count} files)");

            var project = SourceProject.Load(plan.Root, planned.ProjectFile, planned.Files, cancellationToken);
            var siblings = planned.References.Where(kept.ContainsKey).Select(r => kept[r]).ToList();
            var references = FrameworkReferences.Except(siblings.Select(s => s.Compilation.AssemblyName!)).Concat(siblings).ToList();
            var compilation = Create(project, references, cancellationToken);
            var check = BindingCheck.Run(compilation, project.Trees, cancellationToken);
            if (check.Any(f => f.Unresolved.Count > 0) && ProjectUsings.CanAssumeImplicitUsings(project.ProjectFile))
            {
                var assumed = project.WithAssumedImplicitUsings(cancellationToken);
                var assumedCompilation = Create(assumed, references, cancellationToken);
                var assumedCheck = BindingCheck.Run(assumedCompilation, assumed.Trees, cancellationToken);
                if (assumedCheck.Count(f => f.Unresolved.Count > 0) < check.Count(f => f.Unresolved.Count > 0))
                {
                    (project, compilation, check) = (assumed, assumedCompilation, assumedCheck);
                    _assumed.Add(project.Name);
                }
            }

            Record(check);
            if (planned.LastUse > index)
            {
                kept[index] = compilation.ToMetadataReference();
            }

            yield return new CompiledSourceProject(index, project, compilation, references);

            foreach (var done in kept.Keys.Where(k => plan.Projects[k].LastUse <= index).ToList())
            {
                kept.Remove(done);
            }
        }
    }

    private static CSharpCompilation Create(SourceProject project, IReadOnlyList<MetadataReference> references, CancellationToken cancellationToken) =>
        CSharpCompilation.Create(project.Name, project.AllTrees, references, project.CompilationOptions(cancellationToken));

    private void Record(List<(SyntaxTree Tree, List<string> Unresolved)> check)
    {
        _filesUsingCoreTypes += check.Count;
        foreach (var (tree, unresolved) in check)
        {
            if (unresolved.Count > 0)
            {
                _filesUnresolved++;
                if (_unresolvedFiles.Count < BindingReport.MaxListedFiles)
                {
                    _unresolvedFiles.Add(Path.GetRelativePath(plan.ReportRoot, tree.FilePath).Replace('\\', '/'));
                }

                foreach (var name in unresolved)
                {
                    _unresolvedByName[name] = _unresolvedByName.GetValueOrDefault(name) + 1;
                }
            }
        }
    }
}
