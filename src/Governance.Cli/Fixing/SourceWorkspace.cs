using Governance.Cli.Scanning;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Governance.Cli.Fixing;

/// <summary>
/// Source mode as a workspace, for code fixes: one project per project of the <see cref="SourcePlan"/> (with the usings
/// and references <see cref="SourceCompiler"/> chose for it, sibling projects as project references, and the tree's
/// <c>.editorconfig</c> files as analyzer config documents).
/// </summary>
internal static class SourceWorkspace
{
    /// <exception cref="ScanException">A file cannot be read.</exception>
    internal static (AdhocWorkspace Workspace, IReadOnlyList<ProjectId> Projects) Create(SourcePlan plan, Action<string>? progress, CancellationToken cancellationToken)
    {
        var configs = EditorConfigOptions.FindFiles(plan.Root);
        var workspace = new AdhocWorkspace();
        var ids = new List<ProjectId>();
        var solution = workspace.CurrentSolution;
        foreach (var compiled in new SourceCompiler(plan).Compile(progress, cancellationToken))
        {
            var project = compiled.Project;
            var id = ProjectId.CreateNewId(project.Name);
            var documents = project.AllTrees.Select(tree => DocumentInfo.Create(
                DocumentId.CreateNewId(id, tree.FilePath),
                Path.GetFileName(tree.FilePath),
                loader: TextLoader.From(TextAndVersion.Create(tree.GetText(cancellationToken), VersionStamp.Create(), tree.FilePath)),
                filePath: tree.FilePath,
                isGenerated: ReferenceEquals(tree, project.GlobalUsings)));
            var configDocuments = configs.Select(config => DocumentInfo.Create(
                DocumentId.CreateNewId(id, config),
                Path.GetFileName(config),
                loader: TextLoader.From(TextAndVersion.Create(SourceText.From(File.ReadAllText(config)), VersionStamp.Create(), config)),
                filePath: config));
            // The workspace holds every project anyway: siblings are project references (fixed text flows on), not compilations.
            solution = solution.AddProject(ProjectInfo.Create(
                    id,
                    VersionStamp.Create(),
                    project.Name,
                    project.Name,
                    LanguageNames.CSharp,
                    filePath: project.ProjectFile,
                    compilationOptions: compiled.Compilation.Options,
                    parseOptions: SourceProject.ParseOptions,
                    documents: documents,
                    projectReferences: plan.Projects[compiled.Index].References.Select(r => new ProjectReference(ids[r])),
                    metadataReferences: compiled.References.Where(r => r is not CompilationReference))
                .WithAnalyzerConfigDocuments(configDocuments));
            ids.Add(id);
        }

        if (!workspace.TryApplyChanges(solution))
        {
            throw new InvalidOperationException("the source-mode workspace refused its projects");
        }

        return (workspace, ids);
    }
}
