using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Governance.Analyzers.Editing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Governance.Analyzers.Tasks;

/// <summary>What a task-returning expression gives back.</summary>
internal enum TaskShape
{
    Task,
    TaskOfResult,
    ValueTask,
    ValueTaskOfResult,
}

/// <summary>How the work of one item is written in the original code.</summary>
internal enum WorkForm
{
    /// <summary>An expression that starts the work and returns its task: <c>SendAsync(x, token)</c>.</summary>
    TaskExpression,

    /// <summary>The body of an async lambda, kept as written.</summary>
    AsyncBody,

    /// <summary>Synchronous work: an expression statement or a block without <c>return</c>.</summary>
    SyncBody,
}

/// <summary>
/// The work done for one item of a fan-out (a <c>Select</c> lambda, a spawn in a loop), and how to write it: as
/// statements that await it (<see cref="RenderAwaited"/>, for the SemaphoreSlim fixes), or as the delegate of
/// <c>Parallel.ForEachAsync</c> (returning <c>ValueTask</c>) or <c>TaskGroup.GoAsync</c> (returning <c>Task</c>) without
/// needless async lambdas: <c>(x, _) =&gt; SendAsync(x, token)</c> for a <c>ValueTask</c>,
/// <c>(x, _) =&gt; new ValueTask(SendAsync(x, token))</c> for a <c>Task</c>. The work keeps the token it was given: the
/// loop's own token, which the loop cancels at the first failure, is not handed to it, so cancellation acts on each
/// item as before and the loop never throws <c>OperationCanceledException</c> for a token the work ignored.
/// </summary>
internal sealed class WorkItem
{
    private static readonly string[] s_tokenNames = { "ct", "token", "cancellation", "ct2" };

    private WorkItem(WorkForm form, SyntaxNode body, TaskShape shape, SyntaxNode region, bool isMethodGroup = false, ExpressionSyntax? startToken = null)
    {
        Form = form;
        Body = body;
        Shape = shape;
        Region = region;
        IsMethodGroup = isMethodGroup;
        StartToken = startToken;
    }

    public WorkForm Form { get; }

    /// <summary>The expression (<see cref="WorkForm.TaskExpression"/>) or lambda body, in the original tree.</summary>
    public SyntaxNode Body { get; }

    /// <summary>For <see cref="WorkForm.TaskExpression"/>, what the expression returns.</summary>
    public TaskShape Shape { get; }

    /// <summary>The original code the work replaces: the names it uses (which new names must avoid) and the awaits it holds (which do not count for the method's convention).</summary>
    public SyntaxNode Region { get; }

    /// <summary>A <c>Select</c> selector or Task.Run lambda: <c>x =&gt; SendAsync(x)</c>, <c>async x =&gt; { ... }</c>.</summary>
    public static WorkItem? FromLambda(SemanticModel model, AnonymousFunctionExpressionSyntax lambda, bool allowSync, CancellationToken cancellationToken)
    {
        var body = lambda.Body;
        if (lambda.AsyncKeyword.IsKind(SyntaxKind.AsyncKeyword))
        {
            // `async x => await SendAsync(x)` is `x => SendAsync(x)`: the async lambda only re-wraps the task.
            if (body is AwaitExpressionSyntax { Expression: var awaited })
            {
                var task = StripConfigureAwait(awaited);
                if (FromExpression(model, task, lambda, cancellationToken) is { } elided)
                {
                    return elided;
                }
            }

            return new WorkItem(WorkForm.AsyncBody, body, TaskShape.Task, lambda);
        }

        if (body is ExpressionSyntax expression && FromExpression(model, expression, lambda, cancellationToken) is { } work)
        {
            return work;
        }

        if (!allowSync)
        {
            return null;
        }

        return body switch
        {
            ExpressionSyntax => new WorkItem(WorkForm.SyncBody, body, TaskShape.Task, lambda),
            BlockSyntax block when !block.DescendantNodes().Any(n => n is ReturnStatementSyntax) => new WorkItem(WorkForm.SyncBody, block, TaskShape.Task, lambda),
            _ => null,
        };
    }

    /// <summary>An expression that returns the task of the work, such as a call to an async method.</summary>
    public static WorkItem? FromExpression(SemanticModel model, ExpressionSyntax expression, SyntaxNode region, CancellationToken cancellationToken)
    {
        // `Notify(x).AsTask()` on a ValueTask: the loop takes the ValueTask itself.
        if (expression is InvocationExpressionSyntax { ArgumentList.Arguments.Count: 0, Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "AsTask", Expression: var valueTask } }
            && GetShape(model.GetTypeInfo(valueTask, cancellationToken).Type) == TaskShape.ValueTask)
        {
            return new WorkItem(WorkForm.TaskExpression, valueTask, TaskShape.ValueTask, region);
        }

        return GetShape(model.GetTypeInfo(expression, cancellationToken).Type) is { } shape
            ? new WorkItem(WorkForm.TaskExpression, expression, shape, region)
            : null;
    }

    /// <summary>A method group selector, <c>Select(SendAsync)</c>: the call is written out for the item.</summary>
    public static WorkItem? FromMethodGroup(IMethodSymbol method, ExpressionSyntax methodGroup)
        => GetShape(method.ReturnType) is { } shape ? new WorkItem(WorkForm.TaskExpression, methodGroup, shape, methodGroup, isMethodGroup: true) : null;

    /// <summary>
    /// The token that kept the work from starting once cancelled (<c>Task.Run(work, token)</c>): the loop is given it,
    /// so that it starts no item once the token is cancelled either.
    /// </summary>
    public ExpressionSyntax? StartToken { get; }

    /// <summary>The same work, as part of a wider piece of the original code (the whole spawn), started under <paramref name="startToken"/>.</summary>
    public WorkItem WithRegion(SyntaxNode region, ExpressionSyntax? startToken) => new(Form, Body, Shape, region, IsMethodGroup, startToken);

    /// <summary>A method group selector: the call is written out with the item as its argument.</summary>
    public bool IsMethodGroup { get; }

    /// <summary>
    /// The name of the delegate's token parameter, which the work does not use (it keeps the token it was given):
    /// <c>_</c>, or a name that is neither in scope nor used in the work where <c>_</c> is.
    /// </summary>
    public string ChooseTokenName(SemanticModel model, int position, string? itemName)
    {
        var used = new HashSet<string>(Region.DescendantTokens().Where(t => t.IsKind(SyntaxKind.IdentifierToken)).Select(t => t.ValueText));
        if (itemName is not null)
        {
            used.Add(itemName);
        }

        if (!used.Contains("_") && model.LookupSymbols(position, name: "_").IsEmpty)
        {
            return "_";
        }

        foreach (var name in s_tokenNames)
        {
            if (!used.Contains(name) && model.LookupSymbols(position, name: name).IsEmpty)
            {
                return name;
            }
        }

        return "cancellationToken2";
    }

    /// <summary>
    /// The delegate, as text: its parameters (<c>(x, ct)</c> or <c>ct</c>), arrow and body, laid out for a lambda whose
    /// first line is indented by <paramref name="indentation"/>.
    /// </summary>
    /// <param name="returnsValueTask">True for <c>Parallel.ForEachAsync</c>, false for <c>Func&lt;CancellationToken, Task&gt;</c>.</param>
    /// <param name="itemText">The item, for a method group selector.</param>
    /// <param name="awaitSuffix">Appended to an await the delegate has to write (<c>.ConfigureAwait(false)</c>).</param>
    public string Render(
        string parameters,
        string? itemText,
        bool returnsValueTask,
        string indentation,
        string unit,
        string newLine,
        string awaitSuffix)
    {
        var body = Body;
        var taskNamespace = "global::System.Threading.Tasks.";
        switch (Form)
        {
            case WorkForm.TaskExpression:
                var call = IsMethodGroup ? $"{body.WithoutTrivia()}({itemText})" : Layout.Reindent(Body, indentation, newLine, body);
                return (returnsValueTask, Shape) switch
                {
                    (true, TaskShape.ValueTask) => $"{parameters} => {call}",
                    (true, TaskShape.ValueTaskOfResult) => $"async {parameters} => await {call}{awaitSuffix}",
                    (true, _) => $"{parameters} => new {taskNamespace}ValueTask({call})",
                    (false, TaskShape.ValueTask or TaskShape.ValueTaskOfResult) => $"{parameters} => {call}.AsTask()",
                    (false, _) => $"{parameters} => {call}",
                };
            case WorkForm.AsyncBody:
                return $"async {parameters} =>{Separator(Body, indentation, newLine)}{Layout.Reindent(Body, indentation, newLine, body)}";
            default:
                var completed = taskNamespace + (returnsValueTask ? "ValueTask" : "Task") + ".CompletedTask";
                if (Body is BlockSyntax && Layout.Reindent(Body, indentation, newLine, body) is var blockText
                    && blockText.LastIndexOf(newLine, System.StringComparison.Ordinal) is var lastBreak and > 0)
                {
                    // A block on several lines keeps its comments and layout; the return goes before its closing brace.
                    var closing = blockText.Substring(lastBreak + newLine.Length);
                    var closingIndentation = closing.Substring(0, closing.Length - closing.TrimStart(' ', '\t').Length);
                    return $"{parameters} =>{Separator(Body, indentation, newLine)}{blockText.Substring(0, lastBreak + newLine.Length)}"
                        + $"{closingIndentation}{unit}return {completed};{newLine}{closing}";
                }

                return $"{parameters} =>{newLine}{indentation}{{{newLine}{SyncStatements(Body, body, indentation + unit, newLine)}{indentation + unit}return {completed};{newLine}{indentation}}}";
        }
    }

    /// <summary>
    /// The work as statements that await it, for the body of an async lambda: <c>await SendAsync(x);</c>, or the
    /// statements of an async block as written. Each line is indented by <paramref name="indentation"/> and ends with
    /// a line break.
    /// </summary>
    public string RenderAwaited(string? itemText, string indentation, string newLine, string awaitSuffix)
    {
        switch (Form)
        {
            case WorkForm.TaskExpression:
                var call = IsMethodGroup ? $"{Body.WithoutTrivia()}({itemText})" : Layout.Reindent(Body, indentation, newLine);
                return $"{indentation}await {call}{awaitSuffix};{newLine}";
            case WorkForm.AsyncBody when Body is BlockSyntax block:
                return Layout.InnerLines(block, indentation, newLine);
            default:
                return $"{indentation}{Layout.Reindent(Body, indentation, newLine)};{newLine}";
        }
    }

    /// <summary>A block that started on the arrow's line stays there; one on its own line (or an expression) moves to the next.</summary>
    private static string Separator(SyntaxNode body, string indentation, string newLine)
    {
        if (body is not BlockSyntax block)
        {
            return " ";
        }

        var text = block.SyntaxTree.GetText();
        var arrow = block.GetFirstToken().GetPreviousToken();
        return text.Lines.GetLineFromPosition(arrow.SpanStart).LineNumber == text.Lines.GetLineFromPosition(block.SpanStart).LineNumber
            ? " "
            : newLine + indentation;
    }

    /// <summary>The statements of synchronous work, one per line, each ending with a line break.</summary>
    private static string SyncStatements(SyntaxNode original, SyntaxNode rewritten, string indentation, string newLine)
    {
        if (original is ExpressionSyntax)
        {
            return indentation + Layout.Reindent(original, indentation, newLine, rewritten) + ";" + newLine;
        }

        var statements = ((BlockSyntax)original).Statements;
        var rewrittenStatements = ((BlockSyntax)rewritten).Statements;
        var text = string.Empty;
        for (var i = 0; i < statements.Count; i++)
        {
            text += indentation + Layout.Reindent(statements[i], indentation, newLine, rewrittenStatements[i]) + newLine;
        }

        return text;
    }

    private static ExpressionSyntax StripConfigureAwait(ExpressionSyntax expression)
        => expression is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ConfigureAwait" } access, ArgumentList.Arguments.Count: 1 }
            ? access.Expression
            : expression;

    public static TaskShape? GetShape(ITypeSymbol? type)
    {
        if (type is not INamedTypeSymbol named || named.ContainingNamespace?.ToDisplayString() != "System.Threading.Tasks")
        {
            return null;
        }

        return (named.Name, named.Arity) switch
        {
            ("Task", 0) => TaskShape.Task,
            ("Task", 1) => TaskShape.TaskOfResult,
            ("ValueTask", 0) => TaskShape.ValueTask,
            ("ValueTask", 1) => TaskShape.ValueTaskOfResult,
            _ => null,
        };
    }
}
