using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Governance.Analyzers.Editing;
using Governance.Analyzers.Symbols;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Simplification;

namespace Governance.Analyzers.Tasks;

/// <summary>
/// GOV1004: the loop's <c>await Task.Delay(interval, token)</c> becomes a wait on one <c>PeriodicTimer</c> created
/// before the loop: <c>using var timer = new PeriodicTimer(interval);</c>. A delay that is the first statement of a
/// <c>while</c> loop moves into its condition (<c>while (cond &amp;&amp; await timer.WaitForNextTickAsync(token))</c>);
/// a delay that is the last statement is replaced in place, so that the loop's condition, its first turn and its
/// <c>continue</c>s keep their meaning.
/// </summary>
/// <remarks>
/// Offered only where the rewrite keeps the loop's behaviour but for what PeriodicTimer is for, which the title
/// says: the timer ticks at a fixed rate, so the time the work takes no longer adds to the interval. The interval
/// must be the same every turn (it is read once, before the loop); the delay must be a statement of the loop's own
/// body, first or last. A delay with no token takes the token the loop's condition reads, or the one in scope: the
/// wait then ends on cancellation with <c>OperationCanceledException</c> where the old one ran to its end, and the
/// title says that too. With no token to give it, no fix: a timer nothing can stop would only hide the warning. A
/// cancelled timer wait throws <c>OperationCanceledException</c>, not the <c>TaskCanceledException</c> of a cancelled
/// delay: the title says so, and a loop inside a <c>try</c> that catches <c>TaskCanceledException</c> gets no fix. The
/// interval must be known to be positive: <c>PeriodicTimer</c> rejects the zero that <c>Task.Delay</c> accepts.
/// </remarks>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(PollingWithDelayCodeFix)), Shared]
public sealed class PollingWithDelayCodeFix : CodeFixProvider
{
    private const string EquivalenceKey = "GOV1004.PeriodicTimer";

    private static readonly string[] s_timerNames = { "timer", "periodicTimer", "pollTimer" };

    private static readonly SequentialFixAllProvider s_fixAll = new(FixAsync, (_, key) => key == EquivalenceKey);

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.PollingWithDelay);

    public override FixAllProvider GetFixAllProvider() => s_fixAll;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            if (Plan.Create(model, node, context.CancellationToken) is not { } plan)
            {
                continue;
            }

            var title = plan.TokenAdded
                ? $"Wait with a PeriodicTimer stopped by '{plan.TokenName}' (fixed-rate ticks; cancellation now ends the wait with OperationCanceledException)"
                : "Wait with a PeriodicTimer (fixed-rate ticks; a cancelled wait throws OperationCanceledException, not TaskCanceledException)";
            context.RegisterCodeFix(CodeAction.Create(title, ct => s_fixAll.FixOneAsync(context.Document, diagnostic, ct), EquivalenceKey), diagnostic);
        }
    }

    private static async Task<Solution> FixAsync(Solution solution, DocumentId documentId, SyntaxAnnotation mark, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var context = await FixContext.CreateAsync(solution, documentId, mark, cancellationToken).ConfigureAwait(false);
        if (context is null || Plan.Create(context.Model, context.Node, cancellationToken) is not { } plan)
        {
            return solution;
        }

        var newLine = context.Root.GetElasticNewLine();
        var interval = plan.IntervalIsMilliseconds
            ? $"global::System.TimeSpan.FromMilliseconds({plan.Interval.WithoutTrivia()})"
            : plan.Interval.WithoutTrivia().ToString();
        var arguments = plan.TimeProvider is null ? interval : $"{interval}, {plan.TimeProvider.WithoutTrivia()}";
        var declaration = ParallelForEachAsyncBuilder.AnnotateForCleanup(
                SyntaxFactory.ParseStatement($"using var {plan.TimerName} = new global::System.Threading.PeriodicTimer({arguments});"))
            .WithLeadingTrivia(plan.Loop.GetLeadingTrivia())
            .WithTrailingTrivia(newLine);
        var wait = SyntaxFactory.ParseExpression(
                $"await {plan.TimerName}.WaitForNextTickAsync({plan.Token}){(plan.ConfigureAwait is null ? string.Empty : ".ConfigureAwait" + plan.ConfigureAwait.WithoutTrivia())}")
            .WithAdditionalAnnotations(Formatter.Annotation);

        // The loop's comments stay above the first statement that replaces it; the loop keeps its indentation.
        var indentation = plan.Loop.GetLeadingTrivia().Reverse().TakeWhile(t => t.IsKind(SyntaxKind.WhitespaceTrivia)).Reverse();
        var loop = plan.FoldIntoCondition
            ? FoldIntoCondition(plan, wait)
            : plan.Loop.ReplaceNode(plan.Statement, plan.Statement.WithExpression(wait.WithTriviaFrom(plan.Statement.Expression)));
        loop = loop.WithLeadingTrivia(indentation);

        var block = (BlockSyntax)plan.Loop.Parent!;
        var index = block.Statements.IndexOf(plan.Loop);
        var statements = block.Statements.RemoveAt(index).InsertRange(index, new[] { declaration, loop });
        var root = context.Root.ReplaceNode(block, block.WithStatements(statements));
        var document = context.Document.WithSyntaxRoot(root);
        document = await ImportEditor.AddImportsAsync(document, cancellationToken).ConfigureAwait(false);
        return document.Project.Solution;
    }

    /// <summary><c>while (cond) { await Task.Delay(...); rest }</c> → <c>while (cond &amp;&amp; await timer.WaitForNextTickAsync(token)) { rest }</c>.</summary>
    private static StatementSyntax FoldIntoCondition(Plan plan, ExpressionSyntax wait)
    {
        var body = (BlockSyntax)plan.Statement.Parent!;
        var rest = body.Statements.RemoveAt(0);
        if (rest.Count > 0)
        {
            // The statement after the delay now opens the body: no blank line under the brace.
            rest = rest.Replace(rest[0], rest[0].WithLeadingTrivia(WithoutBlankLines(rest[0].GetLeadingTrivia())));
        }

        var newBody = body.WithStatements(rest);
        switch (plan.Loop)
        {
            case WhileStatementSyntax whileLoop:
                var condition = LoopFacts.IsEndless(plan.LoopOperation)
                    ? wait
                    : SyntaxFactory.BinaryExpression(SyntaxKind.LogicalAndExpression, Parenthesize(whileLoop.Condition.WithoutTrivia()), wait);
                return whileLoop.WithCondition(condition.WithTriviaFrom(whileLoop.Condition)).WithStatement(newBody);
            case ForStatementSyntax forLoop:
                return SyntaxFactory.WhileStatement(
                    SyntaxFactory.Token(SyntaxKind.WhileKeyword).WithTriviaFrom(forLoop.ForKeyword),
                    forLoop.OpenParenToken,
                    wait,
                    forLoop.CloseParenToken,
                    newBody);
            default:
                return plan.Loop;
        }
    }

    private static SyntaxTriviaList WithoutBlankLines(SyntaxTriviaList trivia)
    {
        var start = 0;
        for (var i = 0; i < trivia.Count; i++)
        {
            if (trivia[i].IsKind(SyntaxKind.EndOfLineTrivia))
            {
                start = i + 1;
            }
            else if (!trivia[i].IsKind(SyntaxKind.WhitespaceTrivia))
            {
                break;
            }
        }

        return SyntaxFactory.TriviaList(trivia.Skip(start));
    }

    /// <summary>The condition as the left operand of <c>&amp;&amp;</c>: parenthesised where <c>&amp;&amp;</c> would bind into it.</summary>
    private static ExpressionSyntax Parenthesize(ExpressionSyntax condition)
        => condition is BinaryExpressionSyntax { RawKind: (int)SyntaxKind.LogicalOrExpression or (int)SyntaxKind.CoalesceExpression }
            or ConditionalExpressionSyntax or AssignmentExpressionSyntax or LambdaExpressionSyntax or IsPatternExpressionSyntax { Pattern: BinaryPatternSyntax }
            ? SyntaxFactory.ParenthesizedExpression(condition)
            : condition;

    private sealed class Plan
    {
        private Plan(
            StatementSyntax loop,
            ILoopOperation loopOperation,
            ExpressionStatementSyntax statement,
            bool foldIntoCondition,
            ExpressionSyntax interval,
            bool intervalIsMilliseconds,
            ExpressionSyntax? timeProvider,
            string token,
            string? tokenName,
            ArgumentListSyntax? configureAwait,
            string timerName)
        {
            Loop = loop;
            LoopOperation = loopOperation;
            Statement = statement;
            FoldIntoCondition = foldIntoCondition;
            Interval = interval;
            IntervalIsMilliseconds = intervalIsMilliseconds;
            TimeProvider = timeProvider;
            Token = token;
            TokenName = tokenName;
            ConfigureAwait = configureAwait;
            TimerName = timerName;
        }

        public StatementSyntax Loop { get; }

        public ILoopOperation LoopOperation { get; }

        /// <summary>The <c>await Task.Delay(...);</c> statement.</summary>
        public ExpressionStatementSyntax Statement { get; }

        public bool FoldIntoCondition { get; }

        public ExpressionSyntax Interval { get; }

        public bool IntervalIsMilliseconds { get; }

        public ExpressionSyntax? TimeProvider { get; }

        /// <summary>The token for <c>WaitForNextTickAsync</c>, as code.</summary>
        public string Token { get; }

        /// <summary>The name of the token the fix adds to a wait that had none; null when the delay had one.</summary>
        public string? TokenName { get; }

        public bool TokenAdded => TokenName is not null;

        /// <summary>The arguments of the delay's <c>.ConfigureAwait(...)</c>, kept for the new wait.</summary>
        public ArgumentListSyntax? ConfigureAwait { get; }

        public string TimerName { get; }

        public static Plan? Create(SemanticModel model, SyntaxNode node, CancellationToken cancellationToken)
        {
            if (node.FirstAncestorOrSelf<InvocationExpressionSyntax>() is not { } delay
                || model.Compilation.GetTypeByMetadataName("System.Threading.PeriodicTimer") is not { } periodicTimer
                || model.SyntaxTree.Options is not CSharpParseOptions { LanguageVersion: >= LanguageVersion.CSharp8 }
                || model.GetOperation(delay, cancellationToken) is not IInvocationOperation { TargetMethod: { Name: "Delay", IsStatic: true } } delayOperation
                || delayOperation.TargetMethod.ContainingType.ToDisplayString() != "System.Threading.Tasks.Task")
            {
                return null;
            }

            // await Task.Delay(...)[.ConfigureAwait(...)]; as a statement of the loop's own block, first or last.
            ArgumentListSyntax? configureAwait = null;
            ExpressionSyntax awaited = delay;
            if (delay.Parent is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ConfigureAwait", Parent: InvocationExpressionSyntax configured } access && access.Expression == delay)
            {
                configureAwait = configured.ArgumentList;
                awaited = configured;
            }

            if (awaited.Parent is not AwaitExpressionSyntax { Parent: ExpressionStatementSyntax statement }
                || statement.Parent is not BlockSyntax { Parent: StatementSyntax loop } body
                || loop is not (WhileStatementSyntax or DoStatementSyntax or ForStatementSyntax { Declaration: null, Initializers.Count: 0, Incrementors.Count: 0 })
                || loop.Parent is not BlockSyntax
                || model.GetOperation(loop, cancellationToken) is not ILoopOperation loopOperation
                || (loop is ForStatementSyntax && !LoopFacts.IsEndless(loopOperation)))
            {
                return null;
            }

            // A cancelled timer wait throws OperationCanceledException where Task.Delay threw TaskCanceledException: a
            // handler for the latter around the loop would no longer run.
            if (CatchesTaskCanceled(model, loop, cancellationToken))
            {
                return null;
            }

            var first = body.Statements[0] == statement;
            var last = body.Statements[body.Statements.Count - 1] == statement;
            if (!first && !last)
            {
                return null;
            }

            // The interval is read once, before the loop: it must be the same every turn, and valid for a timer, which
            // (unlike Task.Delay) rejects zero.
            if (delayOperation.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0) is not { Syntax: ArgumentSyntax intervalArgument } interval
                || !IsLoopInvariant(interval.Value, model.AnalyzeDataFlow(loop), 0)
                || !PositiveInterval.IsKnown(interval.Value, loopOperation, cancellationToken))
            {
                return null;
            }

            var timeProviderArgument = delayOperation.Arguments.FirstOrDefault(a => a.Parameter?.Type.Name == "TimeProvider" && a.ArgumentKind == ArgumentKind.Explicit);
            if (timeProviderArgument is not null && !periodicTimer.Constructors.Any(c => c.Parameters.Length == 2))
            {
                return null;
            }

            var tokenArgument = delayOperation.Arguments.FirstOrDefault(a => a.ArgumentKind == ArgumentKind.Explicit
                && a.Value.Type?.ToDisplayString() == "System.Threading.CancellationToken" && !IsNoneToken(a.Value));
            string token;
            string? tokenName = null;
            if (tokenArgument is { Syntax: ArgumentSyntax tokenSyntax })
            {
                token = tokenSyntax.Expression.WithoutTrivia().ToString();
            }
            else if (FindConditionToken(loopOperation) is { } conditionToken)
            {
                token = conditionToken.Token;
                tokenName = conditionToken.Name;
            }
            else if (CancellationTokenInScope.Find(model, loop, cancellationToken) is { } inScope)
            {
                token = inScope.TokenExpression;
                tokenName = inScope.Name;
            }
            else
            {
                return null;
            }

            var names = CancellationTokenInScope.NamesInUse(model, loop, loop.Parent);
            var timerName = s_timerNames.FirstOrDefault(n => !names.Contains(n));
            for (var suffix = 2; timerName is null; suffix++)
            {
                var candidate = "timer" + suffix.ToString(System.Globalization.CultureInfo.InvariantCulture);
                timerName = names.Contains(candidate) ? null : candidate;
            }

            var fold = first && loop is WhileStatementSyntax or ForStatementSyntax && !HasComments(statement);
            return new Plan(
                loop,
                loopOperation,
                statement,
                fold,
                intervalArgument.Expression,
                interval.Value.Type?.SpecialType == SpecialType.System_Int32,
                (timeProviderArgument?.Syntax as ArgumentSyntax)?.Expression,
                token,
                tokenName,
                configureAwait,
                timerName);
        }

        private static bool CatchesTaskCanceled(SemanticModel model, SyntaxNode loop, CancellationToken cancellationToken)
        {
            foreach (var ancestor in loop.Ancestors())
            {
                if (ancestor is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or MemberDeclarationSyntax)
                {
                    return false;
                }

                if (ancestor is TryStatementSyntax @try && @try.Block.Span.Contains(loop.Span)
                    && @try.Catches.Any(c => c.Declaration is { Type: var type }
                        && model.GetTypeInfo(type, cancellationToken).Type?.ToDisplayString() == "System.Threading.Tasks.TaskCanceledException"))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool HasComments(SyntaxNode node)
            => node.GetLeadingTrivia().Concat(node.GetTrailingTrivia()).Any(t => !t.IsKind(SyntaxKind.WhitespaceTrivia) && !t.IsKind(SyntaxKind.EndOfLineTrivia));

        private static bool IsNoneToken(IOperation value)
            => StopSignals.IsNoneToken(value);

        /// <summary><c>while (!stoppingToken.IsCancellationRequested)</c>: the token (or source) the loop already stops on.</summary>
        private static (string Token, string Name)? FindConditionToken(ILoopOperation loop)
        {
            if (loop is not IWhileLoopOperation { Condition: { } condition })
            {
                return null;
            }

            foreach (var check in condition.DescendantsAndSelf().OfType<IPropertyReferenceOperation>())
            {
                if (check.Property.Name == "IsCancellationRequested" && check.Instance is { Syntax: ExpressionSyntax receiver } instance
                    && instance is ILocalReferenceOperation or IParameterReferenceOperation or IFieldReferenceOperation or IPropertyReferenceOperation)
                {
                    var text = receiver.WithoutTrivia().ToString();
                    return check.Property.ContainingType.Name == "CancellationTokenSource" ? (text + ".Token", text) : (text, text);
                }
            }

            return null;
        }

        /// <summary>
        /// A value the loop cannot change: constants, <c>TimeSpan</c> and <c>Math</c> arithmetic on such values, read-only
        /// fields, get-only auto-properties, and locals and parameters the loop does not write.
        /// </summary>
        private static bool IsLoopInvariant(IOperation value, DataFlowAnalysis? flow, int depth)
        {
            if (depth > 8)
            {
                return false;
            }

            if (value.ConstantValue.HasValue)
            {
                return true;
            }

            depth++;
            switch (value)
            {
                case IConversionOperation conversion:
                    return IsLoopInvariant(conversion.Operand, flow, depth);
                case IParenthesizedOperation parenthesized:
                    return IsLoopInvariant(parenthesized.Operand, flow, depth);
                case IBinaryOperation binary:
                    return IsLoopInvariant(binary.LeftOperand, flow, depth) && IsLoopInvariant(binary.RightOperand, flow, depth);
                case IUnaryOperation unary:
                    return IsLoopInvariant(unary.Operand, flow, depth);
                case ILocalReferenceOperation local:
                    return flow is { Succeeded: true } && local.Local.RefKind == RefKind.None && !flow.WrittenInside.Contains(local.Local);
                case IParameterReferenceOperation parameter:
                    return flow is { Succeeded: true } && parameter.Parameter.RefKind is RefKind.None or RefKind.In && !flow.WrittenInside.Contains(parameter.Parameter);
                case IFieldReferenceOperation field:
                    return (field.Field.IsConst || field.Field.IsReadOnly) && (field.Instance is null || IsLoopInvariant(field.Instance, flow, depth));
                case IInstanceReferenceOperation:
                    return true;
                case IPropertyReferenceOperation property when IsTimeSpan(property.Property.ContainingType):
                    return property.Instance is null || IsLoopInvariant(property.Instance, flow, depth);
                case IPropertyReferenceOperation property:
                    return (property.Property.SetMethod is null || property.Property.SetMethod.IsInitOnly)
                        && property.Property.IsAutoProperty()
                        && (property.Instance is null || IsLoopInvariant(property.Instance, flow, depth));
                case IInvocationOperation { TargetMethod.IsStatic: true } call when IsTimeSpan(call.TargetMethod.ContainingType) || IsSystemType(call.TargetMethod.ContainingType, "Math"):
                    return call.Arguments.All(a => IsLoopInvariant(a.Value, flow, depth));
                case IObjectCreationOperation creation when IsTimeSpan(creation.Type):
                    return creation.Initializer is null && creation.Arguments.All(a => IsLoopInvariant(a.Value, flow, depth));
                default:
                    return false;
            }
        }

        private static bool IsTimeSpan(ITypeSymbol? type) => IsSystemType(type, "TimeSpan");

        private static bool IsSystemType(ITypeSymbol? type, string name)
            => type is { ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } && type.Name == name;
    }
}
