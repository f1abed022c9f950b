using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Governance.Analyzers.Editing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Governance.Analyzers.Tasks;

/// <summary>
/// The GOV1001 fix for projects that reference Governance: the loop runs inside
/// <c>await using (var group = new TaskGroup(limit, token)) { ...; await group.WaitAsync(); }</c> and the spawn becomes
/// <c>await group.GoAsync(ct =&gt; ...)</c>, which waits for a slot: backpressure instead of a task per item at once.
/// Unlike <c>Parallel.ForEachAsync</c> it keeps the loop and its other statements, so it also fits <c>for</c>,
/// <c>while</c> and <c>await foreach</c>. Where the method's awaits use <c>ConfigureAwait(false)</c>, so do the new
/// ones (<c>var group = ...; await using (group.ConfigureAwait(false)) { ... }</c>). Not offered for a loop that
/// leaves the method from inside (<c>return</c>, <c>goto</c>, <c>yield</c>): leaving the group cancels its work,
/// which the fire-and-forget code let run.
/// </summary>
internal static class TaskGroupRewriter
{
    public const string TaskGroupMetadataName = "Governance.TaskGroup";

    public static (StatementSyntax Loop, IReadOnlyList<StatementSyntax> Replacement)? Rewrite(SemanticModel model, SyntaxNode node, CancellationToken cancellationToken)
    {
        if (model.Compilation.GetTypeByMetadataName(TaskGroupMetadataName) is null
            || node.FirstAncestorOrSelf<InvocationExpressionSyntax>() is not { } spawn
            || spawn.FirstAncestorOrSelf<ExpressionStatementSyntax>() is not { } statement
            || !IsDiscarded(statement, spawn)
            || GetInnermostLoop(statement) is not { } loop
            || model.SyntaxTree.Options is not CSharpParseOptions { LanguageVersion: >= LanguageVersion.CSharp8 }
            || !ParallelForEachAsyncBuilder.IsInAsyncContext(loop)
            || LeavesFromInside(loop)
            || loop.DescendantTokens().Any(t => t.Text.IndexOf('\n') >= 0)
            || SpawnBodyConverter.Convert(model, spawn, cancellationToken) is not { } work
            || (!IsInsideLambda(work.Body, spawn) && ReadsVariableTheLoopChanges(model, loop, spawn, cancellationToken)))
        {
            return null;
        }

        var configure = AwaitConvention.UsesConfigureAwaitFalse(loop, statement);
        if (configure && loop.Parent is not BlockSyntax)
        {
            // `var group = ...; await using (group.ConfigureAwait(false))` is two statements.
            return null;
        }

        var suffix = configure ? ".ConfigureAwait(false)" : string.Empty;
        var newLine = loop.GetNewLine();
        var unit = Layout.IndentUnit(loop);
        var indentation = Layout.LineIndentation(loop.GetFirstToken());
        var tokenName = work.ChooseTokenName(model, loop.SpanStart, itemName: null);
        var group = ChooseGroupName(model, loop);

        var lambda = work.Render(tokenName, itemText: null, returnsValueTask: false, Layout.LineIndentation(statement.GetFirstToken()), unit, newLine, suffix);
        var go = SyntaxFactory.ParseStatement($"await {group}.GoAsync({lambda}){suffix};").WithTriviaFrom(statement);
        var loopText = Layout.Reindent(loop, indentation + unit, newLine, loop.ReplaceNode(statement, go));

        var tokenArgument = work.StartToken is null ? string.Empty : ", " + work.StartToken.WithoutTrivia();
        var creation = $"new global::Governance.TaskGroup(global::System.Environment.ProcessorCount{tokenArgument})";
        var body = $"{indentation}{{{newLine}{indentation}{unit}{loopText}{newLine}{newLine}{indentation}{unit}await {group}.WaitAsync(){suffix};{newLine}{indentation}}}";
        var statements = configure
            ? new[] { $"var {group} = {creation};", $"{indentation}await using ({group}.ConfigureAwait(false)){newLine}{body}" }
            : new[] { $"await using (var {group} = {creation}){newLine}{body}" };

        var replacement = new List<StatementSyntax>();
        for (var i = 0; i < statements.Length; i++)
        {
            var parsed = ParallelForEachAsyncBuilder.AnnotateForCleanup(SyntaxFactory.ParseStatement(statements[i]));
            parsed = i == 0 ? parsed.WithLeadingTrivia(loop.GetLeadingTrivia()) : parsed;
            parsed = i == statements.Length - 1 ? parsed.WithTrailingTrivia(loop.GetTrailingTrivia()) : parsed.WithTrailingTrivia(SyntaxFactory.EndOfLine(newLine));
            replacement.Add(parsed);
        }

        return (loop, replacement);
    }

    /// <summary>
    /// A call (not a <c>Task.Run</c> lambda, which already read its variables when it ran) evaluates its arguments at
    /// once; in <c>GoAsync(_ =&gt; Call(x))</c> they are read when the unit starts, maybe after the loop has moved on. So
    /// the call may read no variable that the loop changes: a <c>for</c> counter, or a variable declared outside the
    /// loop and assigned inside it.
    /// </summary>
    private static bool ReadsVariableTheLoopChanges(SemanticModel model, StatementSyntax loop, InvocationExpressionSyntax call, CancellationToken cancellationToken)
    {
        var flow = model.AnalyzeDataFlow(loop);
        if (flow is null || !flow.Succeeded)
        {
            return true;
        }

        var body = loop switch
        {
            CommonForEachStatementSyntax forEach => forEach.Statement,
            ForStatementSyntax @for => @for.Statement,
            WhileStatementSyntax @while => @while.Statement,
            DoStatementSyntax @do => @do.Statement,
            _ => loop,
        };
        foreach (var name in call.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>())
        {
            if (model.GetSymbolInfo(name, cancellationToken).Symbol is not { } symbol || symbol is not (ILocalSymbol or IParameterSymbol))
            {
                continue;
            }

            var declaredInBody = symbol.DeclaringSyntaxReferences.Any(r => r.SyntaxTree == body.SyntaxTree && body.Span.Contains(r.Span));
            var declaredByForEach = loop is ForEachStatementSyntax forEachLoop && SymbolEqualityComparer.Default.Equals(model.GetDeclaredSymbol(forEachLoop, cancellationToken), symbol);
            var declaredInWhileCondition = loop is WhileStatementSyntax whileLoop
                && symbol.DeclaringSyntaxReferences.Any(r => r.SyntaxTree == whileLoop.SyntaxTree && whileLoop.Condition.Span.Contains(r.Span));
            if (!declaredInBody && !declaredByForEach && !declaredInWhileCondition && flow.WrittenInside.Contains(symbol, SymbolEqualityComparer.Default))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsInsideLambda(SyntaxNode body, SyntaxNode spawn)
        => body.Ancestors().TakeWhile(a => a != spawn).Any(a => a is AnonymousFunctionExpressionSyntax);

    private static bool IsDiscarded(ExpressionStatementSyntax statement, InvocationExpressionSyntax spawn)
        => statement.Expression == spawn
            || statement.Expression is AssignmentExpressionSyntax { Left: IdentifierNameSyntax { Identifier.ValueText: "_" } } discard && discard.Right == spawn;

    private static StatementSyntax? GetInnermostLoop(SyntaxNode statement)
    {
        foreach (var ancestor in statement.Ancestors())
        {
            switch (ancestor)
            {
                case CommonForEachStatementSyntax or ForStatementSyntax or WhileStatementSyntax or DoStatementSyntax:
                    return (StatementSyntax)ancestor;
                case AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or MemberDeclarationSyntax:
                    return null;
            }
        }

        return null;
    }

    /// <summary>A <c>return</c>, <c>goto</c> or <c>yield</c> of the method inside the loop: leaving the group early would cancel its work.</summary>
    private static bool LeavesFromInside(StatementSyntax loop)
        => loop.DescendantNodes(n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax))
            .Any(n => n is ReturnStatementSyntax or GotoStatementSyntax or YieldStatementSyntax);

    private static string ChooseGroupName(SemanticModel model, StatementSyntax loop)
    {
        var used = new HashSet<string>(loop.DescendantTokens().Where(t => t.IsKind(SyntaxKind.IdentifierToken)).Select(t => t.ValueText));
        foreach (var name in new[] { "group", "taskGroup", "spawnGroup" })
        {
            if (!used.Contains(name) && model.LookupSymbols(loop.SpanStart, name: name).IsEmpty)
            {
                return name;
            }
        }

        return "taskGroup2";
    }
}
