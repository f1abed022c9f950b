using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Governance.Cli.Scanning;

/// <summary>One project of a <see cref="SourcePlan"/>, parsed and compiled against the frameworks and the projects it references.</summary>
/// <param name="Index">Its position in the plan.</param>
/// <param name="References">Everything <paramref name="Compilation"/> references: the frameworks and the compiled sibling projects.</param>
internal sealed record CompiledSourceProject(int Index, SourceProject Project, CSharpCompilation Compilation, IReadOnlyList<MetadataReference> References);
