using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;

namespace Governance.Analyzers.Editing;

/// <summary>A marked node of the current solution, with the semantic model of its document.</summary>
internal sealed class FixContext
{
    private FixContext(Document document, SyntaxNode root, SemanticModel model, SyntaxNode node)
    {
        Document = document;
        Root = root;
        Model = model;
        Node = node;
    }

    public Document Document { get; }

    public SyntaxNode Root { get; }

    public SemanticModel Model { get; }

    public SyntaxNode Node { get; }

    public static async Task<FixContext?> CreateAsync(Solution solution, DocumentId documentId, SyntaxAnnotation mark, CancellationToken cancellationToken)
    {
        var document = solution.GetDocument(documentId);
        if (document is null)
        {
            return null;
        }

        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var node = root?.GetAnnotatedNodes(mark).FirstOrDefault();
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        return root is null || node is null || model is null ? null : new FixContext(document, root, model, node);
    }
}
