using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Governance.Analyzers.Editing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Governance.Analyzers.Tasks;

/// <summary>
/// The GOV1002 fix that keeps <c>Task.WhenAll</c>'s behaviour and only bounds it: every item still runs and every
/// failure is still reported, at most <c>Environment.ProcessorCount</c> at a time.
/// <code>
/// using (var gate = new SemaphoreSlim(Environment.ProcessorCount))
/// {
///     await Task.WhenAll(source.Select(async item =&gt;
///     {
///         await gate.WaitAsync().ConfigureAwait(false);
///         try
///         {
///             await WorkAsync(item).ConfigureAwait(false);
///         }
///         finally
///         {
///             gate.Release();
///         }
///     })).ConfigureAwait(false);
/// }
/// </code>
/// The awaits it writes follow the method's <c>ConfigureAwait(false)</c> convention; the work's own statements stay
/// as written.
/// </summary>
internal static class GatedWhenAllBuilder
{
    /// <param name="anchor">The first statement replaced: where the new one starts, and its indentation.</param>
    /// <param name="whenAll">The <c>Task.WhenAll</c> as the code names it.</param>
    /// <param name="source">The collection, in the original tree.</param>
    /// <param name="itemName">The item's name; null for a method group (a free name is chosen).</param>
    /// <param name="awaitSuffix">What followed the original <c>Task.WhenAll(...)</c> inside its await.</param>
    public static StatementSyntax Build(SemanticModel model, StatementSyntax anchor, ExpressionSyntax whenAll, ExpressionSyntax source, string? itemName, WorkItem work, string awaitSuffix)
    {
        var newLine = anchor.GetNewLine();
        var indentation = Layout.LineIndentation(anchor.GetFirstToken());
        var unit = Layout.IndentUnit(anchor);
        var inner = indentation + unit;
        var lambda = inner + unit;
        var body = lambda + unit;
        var item = itemName ?? ParallelForEachAsyncBuilder.ChooseItemName(model, anchor.SpanStart);
        var gate = ChooseGateName(model, anchor.SpanStart, work, item);
        var configure = AwaitConvention.Suffix(anchor, work.Region);

        var text = $"using (var {gate} = new global::System.Threading.SemaphoreSlim(global::System.Environment.ProcessorCount)){newLine}"
            + $"{indentation}{{{newLine}"
            + $"{inner}await {whenAll.WithoutTrivia()}({Layout.Reindent(source, inner, newLine)}.Select(async {item} =>{newLine}"
            + $"{inner}{{{newLine}"
            + $"{lambda}await {gate}.WaitAsync(){configure};{newLine}"
            + $"{lambda}try{newLine}"
            + $"{lambda}{{{newLine}"
            + work.RenderAwaited(item, body, newLine, configure)
            + $"{lambda}}}{newLine}"
            + $"{lambda}finally{newLine}"
            + $"{lambda}{{{newLine}"
            + $"{body}{gate}.Release();{newLine}"
            + $"{lambda}}}{newLine}"
            + $"{inner}}})){awaitSuffix};{newLine}"
            + $"{indentation}}}";
        return ParallelForEachAsyncBuilder.AnnotateForCleanup(SyntaxFactory.ParseStatement(text));
    }

    private static string ChooseGateName(SemanticModel model, int position, WorkItem work, string item)
    {
        var used = new HashSet<string>(work.Region.DescendantTokens().Where(t => t.IsKind(SyntaxKind.IdentifierToken)).Select(t => t.ValueText)) { item };
        foreach (var name in new[] { "gate", "throttle", "semaphore" })
        {
            if (!used.Contains(name) && model.LookupSymbols(position, name: name).IsEmpty)
            {
                return name;
            }
        }

        return "gate2";
    }
}
