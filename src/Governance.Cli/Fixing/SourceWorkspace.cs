using Governance.Cli.Scanning;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Governance.Cli.Fixing;

/// <summary>
/// Source mode as a workspace, for code fixes: one project per project file found in the tree (with its implicit
/// usings, the framework references and the tree's <c>.editorconfig</c> files as analyzer config documents).
/// </summary>
internal static class SourceWorkspace
{
    /// <exception cref="ScanException">No C# files, or a file cannot be read.</exception>
    internal static (AdhocWorkspace Workspace, IReadOnlyList<ProjectId> Projects) Create(string root, Action<string>? progress, CancellationToken cancellationToken)
    {
        var files = SourceFiles.Find(root);
        if (files.Count == 0)
        {
            throw new ScanException($"no C# files under {root}");
        }

        var configs = EditorConfigOptions.FindFiles(root);
        var workspace = new AdhocWorkspace();
        var ids = new List<ProjectId>();
        var solution = workspace.CurrentSolution;
        foreach (var (projectFile, projectFiles) in SourceProject.Group(root, files))
        {
            progress?.Invoke($"parsing {(projectFile is null ? "loose files" : Path.GetRelativePath(root, projectFile))} ({projectFiles.Count} files)");
            var project = SourceProject.Load(root, projectFile, projectFiles, cancellationToken);
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
            solution = solution.AddProject(ProjectInfo.Create(
                    id,
                    VersionStamp.Create(),
                    project.Name,
                    project.Name,
                    LanguageNames.CSharp,
                    filePath: projectFile,
                    compilationOptions: project.CompilationOptions(cancellationToken),
                    parseOptions: SourceProject.ParseOptions,
                    documents: documents,
                    metadataReferences: FrameworkReferences.All)
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
