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
/// <c>await group.GoAsync(...)</c>, which waits for a slot: backpressure instead of a task per item at once. Unlike
/// <c>Parallel.ForEachAsync</c> it keeps the loop and its other statements, so it also fits <c>for</c>, <c>while</c> and
/// <c>await foreach</c>.
/// </summary>
internal static class TaskGroupRewriter
{
    public const string TaskGroupMetadataName = "Governance.TaskGroup";

    public static (StatementSyntax Loop, StatementSyntax Replacement)? Rewrite(SemanticModel model, SyntaxNode node, CancellationToken cancellationToken)
    {
        if (model.Compilation.GetTypeByMetadataName(TaskGroupMetadataName) is null
            || node.FirstAncestorOrSelf<InvocationExpressionSyntax>() is not { } spawn
            || spawn.FirstAncestorOrSelf<ExpressionStatementSyntax>() is not { } statement
            || !IsDiscarded(statement, spawn)
            || GetInnermostLoop(statement) is not { } loop
            || model.SyntaxTree.Options is not CSharpParseOptions { LanguageVersion: >= LanguageVersion.CSharp8 }
            || !ParallelForEachAsyncBuilder.IsInAsyncContext(loop)
            || SpawnBodyConverter.Convert(model, spawn, "global::System.Threading.Tasks.Task.CompletedTask", cancellationToken) is not { } body)
        {
            return null;
        }

        var scopeToken = ParallelForEachAsyncBuilder.FindTokenInScope(model, loop.SpanStart);
        var tokenParameter = ParallelForEachAsyncBuilder.ChooseTokenParameterName(model, loop.SpanStart, scopeToken);
        var group = ChooseGroupName(model, loop.SpanStart);

        var go = SyntaxFactory.ParseStatement($"await {group}.GoAsync({(body.IsAsync ? "async " : string.Empty)}{tokenParameter} => {body.Text});")
            .WithTriviaFrom(statement);
        var newLoop = loop.ReplaceNode(statement, go).WithoutLeadingTrivia().WithoutTrailingTrivia();

        var tokenArgument = scopeToken is null ? string.Empty : ", " + scopeToken;
        var skeleton = SyntaxFactory.ParseStatement(
            $"await using (var {group} = new global::Governance.TaskGroup(global::System.Environment.ProcessorCount{tokenArgument}))\n{{\n    __loop__;\n\n    await {group}.WaitAsync();\n}}\n"
                .Replace("\n", loop.GetNewLine()));
        var placeholder = skeleton.DescendantNodes().OfType<ExpressionStatementSyntax>().First();
        var replacement = skeleton.ReplaceNode(placeholder, newLoop.WithTriviaFrom(placeholder));
        return (loop, ParallelForEachAsyncBuilder.AnnotateForCleanup(replacement).WithTriviaFrom(loop));
    }

    private static bool IsDiscarded(ExpressionStatementSyntax statement, InvocationExpressionSyntax spawn)
        => statement.Expression == spawn
            || statement.Expression is AssignmentExpressionSyntax { Left: IdentifierNameSyntax { Identifier.ValueText: "_" } } discard && discard.Right == spawn;

    private static StatementSyntax? GetInnermostLoop(SyntaxNode statement)
    {
        foreach (var ancestor in statement.Ancestors())
        {
            switch (ancestor)
            {
                case ForEachStatementSyntax or ForStatementSyntax or WhileStatementSyntax or DoStatementSyntax:
                    return (StatementSyntax)ancestor;
                case AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or MemberDeclarationSyntax:
                    return null;
            }
        }

        return null;
    }

    private static string ChooseGroupName(SemanticModel model, int position)
    {
        foreach (var name in new[] { "group", "taskGroup", "spawnGroup" })
        {
            if (model.LookupSymbols(position, name: name).IsEmpty)
            {
                return name;
            }
        }

        return "taskGroup2";
    }
}
