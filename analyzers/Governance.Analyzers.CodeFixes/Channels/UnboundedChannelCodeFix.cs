using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace Governance.Analyzers.Channels;

/// <summary>
/// GOV3002: <c>Channel.CreateUnbounded&lt;T&gt;(...)</c> becomes
/// <c>Channel.CreateBounded&lt;T&gt;(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.Wait, ... })</c>,
/// keeping the options the unbounded channel was given; a second action uses <c>FullMode = DropOldest</c> instead.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UnboundedChannelCodeFix)), Shared]
public sealed class UnboundedChannelCodeFix : CodeFixProvider
{
    /// <summary>
    /// A starting capacity, not a recommendation: the right one is the backlog the reader can drain within the
    /// latency the writers accept, which only the author knows. The title says so.
    /// </summary>
    public const int DefaultCapacity = 1000;

    /// <summary>Writers wait while the channel is full: backpressure.</summary>
    public const string WaitEquivalenceKey = "GOV3002.CreateBounded";

    /// <summary>
    /// A full channel drops its oldest item: for a writer that must never wait, such as a connection's shared read
    /// loop feeding subscribers, where <c>Wait</c> would stall everyone behind one slow reader.
    /// </summary>
    public const string DropOldestEquivalenceKey = "GOV3002.CreateBoundedDropOldest";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.UnboundedChannel);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is InvocationExpressionSyntax invocation
                && CreateBounded(invocation, "Wait") is not null)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(
                        $"Use a bounded channel that makes writers wait (capacity {DefaultCapacity}: adjust it)",
                        ct => FixAsync(context.Document, invocation, "Wait", ct),
                        WaitEquivalenceKey),
                    diagnostic);
                context.RegisterCodeFix(
                    CodeAction.Create(
                        $"Use a bounded channel that drops the oldest item when full, for writers that must never wait (capacity {DefaultCapacity}: adjust it)",
                        ct => FixAsync(context.Document, invocation, "DropOldest", ct),
                        DropOldestEquivalenceKey),
                    diagnostic);
            }
        }
    }

    private static async Task<Document> FixAsync(Document document, InvocationExpressionSyntax invocation, string fullMode, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        return CreateBounded(invocation, fullMode) is { } replacement
            ? document.WithSyntaxRoot(root!.ReplaceNode(invocation, replacement))
            : document;
    }

    /// <summary>The bounded form, or null for a shape the fix does not rewrite (prioritized channels, options in a variable).</summary>
    private static InvocationExpressionSyntax? CreateBounded(InvocationExpressionSyntax invocation, string fullMode)
    {
        if (invocation.Expression is not MemberAccessExpressionSyntax { Name: GenericNameSyntax { Identifier.ValueText: "CreateUnbounded" } name } access)
        {
            return null;
        }

        var initializers = SyntaxFactory.SeparatedList<ExpressionSyntax>().Add(
            SyntaxFactory.AssignmentExpression(
                SyntaxKind.SimpleAssignmentExpression,
                SyntaxFactory.IdentifierName("FullMode"),
                SyntaxFactory.ParseExpression("global::System.Threading.Channels.BoundedChannelFullMode." + fullMode).WithAdditionalAnnotations(Simplifier.Annotation)));
        switch (invocation.ArgumentList.Arguments.Count)
        {
            case 0:
                break;
            case 1 when invocation.ArgumentList.Arguments[0].Expression is BaseObjectCreationExpressionSyntax options && (options.ArgumentList is null || options.ArgumentList.Arguments.Count == 0):
                foreach (var assignment in options.Initializer?.Expressions ?? default)
                {
                    initializers = initializers.Add(assignment.WithoutTrivia());
                }

                break;
            default:
                return null;
        }

        var boundedOptions = SyntaxFactory.ObjectCreationExpression(
                QualifiedName("BoundedChannelOptions"),
                SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(
                    SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(DefaultCapacity))))),
                SyntaxFactory.InitializerExpression(SyntaxKind.ObjectInitializerExpression, initializers))
            .WithAdditionalAnnotations(Formatter.Annotation);

        return invocation
            .WithExpression(access.WithName(name.WithIdentifier(SyntaxFactory.Identifier("CreateBounded").WithTriviaFrom(name.Identifier))))
            .WithArgumentList(invocation.ArgumentList.WithArguments(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(boundedOptions))));
    }

    private static TypeSyntax QualifiedName(string name)
        => SyntaxFactory.ParseTypeName("global::System.Threading.Channels." + name).WithAdditionalAnnotations(Simplifier.Annotation);
}
