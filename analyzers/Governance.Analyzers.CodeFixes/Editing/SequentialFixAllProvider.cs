using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;

namespace Governance.Analyzers.Editing;

/// <summary>
/// Fix All for fixes that edit shared places (a type's <c>Dispose</c> method, its base list): the batch fixer
/// merges independent text changes and drops overlapping ones, so two timers in one type would get two
/// <c>Dispose</c> methods or lose one fix. This provider marks every diagnostic's node first and then applies the
/// fixes one after another, each seeing the previous one's result.
/// </summary>
internal sealed class SequentialFixAllProvider : FixAllProvider
{
    private readonly Func<Solution, DocumentId, SyntaxAnnotation, Diagnostic, CancellationToken, Task<Solution>> _fix;
    private readonly Func<Diagnostic, string?, bool> _offersFix;

    /// <param name="fix">Applies one diagnostic's fix; the diagnostic's node carries the annotation.</param>
    /// <param name="offersFix">Whether a diagnostic's fix has the given equivalence key, so that Fix All applies only that kind of fix.</param>
    public SequentialFixAllProvider(
        Func<Solution, DocumentId, SyntaxAnnotation, Diagnostic, CancellationToken, Task<Solution>> fix,
        Func<Diagnostic, string?, bool> offersFix)
    {
        _fix = fix;
        _offersFix = offersFix;
    }

    public override async Task<CodeAction?> GetFixAsync(FixAllContext fixAllContext)
    {
        var diagnosticsByDocument = new List<(Document Document, ImmutableArray<Diagnostic> Diagnostics)>();
        foreach (var document in GetDocuments(fixAllContext))
        {
            var diagnostics = (await fixAllContext.GetDocumentDiagnosticsAsync(document).ConfigureAwait(false))
                .Where(d => _offersFix(d, fixAllContext.CodeActionEquivalenceKey))
                .ToImmutableArray();
            if (!diagnostics.IsEmpty)
            {
                diagnosticsByDocument.Add((document, diagnostics));
            }
        }

        if (diagnosticsByDocument.Count == 0)
        {
            return null;
        }

        return CodeAction.Create(
            fixAllContext.CodeActionEquivalenceKey ?? "FixAll",
            cancellationToken => FixAllAsync(fixAllContext.Solution, diagnosticsByDocument, cancellationToken),
            fixAllContext.CodeActionEquivalenceKey);
    }

    /// <summary>Applies the fix for one diagnostic: the same path as Fix All, with a single mark.</summary>
    public async Task<Solution> FixOneAsync(Document document, Diagnostic diagnostic, CancellationToken cancellationToken)
        => await FixAllAsync(document.Project.Solution, new[] { (document, ImmutableArray.Create(diagnostic)) }, cancellationToken).ConfigureAwait(false);

    private async Task<Solution> FixAllAsync(Solution solution, IReadOnlyList<(Document Document, ImmutableArray<Diagnostic> Diagnostics)> work, CancellationToken cancellationToken)
    {
        var marks = new List<(DocumentId DocumentId, SyntaxAnnotation Mark, Diagnostic Diagnostic)>();
        foreach (var (document, diagnostics) in work)
        {
            var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            if (root is null)
            {
                continue;
            }

            var nodes = new Dictionary<SyntaxNode, SyntaxAnnotation>();
            foreach (var diagnostic in diagnostics.OrderBy(d => d.Location.SourceSpan.Start))
            {
                var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
                if (!nodes.ContainsKey(node))
                {
                    var mark = new SyntaxAnnotation();
                    nodes[node] = mark;
                    marks.Add((document.Id, mark, diagnostic));
                }
            }

            root = root.ReplaceNodes(nodes.Keys, (original, rewritten) => rewritten.WithAdditionalAnnotations(nodes[original]));
            solution = solution.WithDocumentSyntaxRoot(document.Id, root);
        }

        foreach (var (documentId, mark, diagnostic) in marks)
        {
            cancellationToken.ThrowIfCancellationRequested();
            solution = await _fix(solution, documentId, mark, diagnostic, cancellationToken).ConfigureAwait(false);
        }

        return solution;
    }

    private static IEnumerable<Document> GetDocuments(FixAllContext context)
        => context.Scope switch
        {
            FixAllScope.Document when context.Document is not null => new[] { context.Document },
            FixAllScope.Project => context.Project.Documents,
            FixAllScope.Solution => context.Solution.Projects.SelectMany(p => p.Documents),
            _ => context.Document is not null ? new[] { context.Document } : Array.Empty<Document>(),
        };
}
