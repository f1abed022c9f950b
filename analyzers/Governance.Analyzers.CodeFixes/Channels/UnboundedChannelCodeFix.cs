using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Governance.Analyzers.Editing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;

namespace Governance.Analyzers.Channels;

/// <summary>
/// GOV3002: <c>Channel.CreateUnbounded&lt;T&gt;(...)</c> becomes <c>Channel.CreateBounded&lt;T&gt;(XCapacity)</c> (or
/// <c>new BoundedChannelOptions(XCapacity) { ... }</c>, keeping the options the unbounded channel was given), with a
/// new constant <c>XCapacity</c> that the user is told to choose. Offered only where the analyzer found that a full
/// channel makes every writer wait rather than lose its item: every write is an awaited <c>WriteAsync</c> and nothing
/// else can write (see <see cref="UnboundedChannelAnalyzer.BoundableMemberProperty"/>). With <c>TryWrite</c> a full
/// channel refuses the item, and a writer that ignores the result drops it: there the bound, and what to do with the
/// item that does not fit, is the author's decision.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UnboundedChannelCodeFix)), Shared]
public sealed class UnboundedChannelCodeFix : CodeFixProvider
{
    /// <summary>
    /// The constant's starting value, not a recommendation: the right one is the backlog the reader can drain within
    /// the latency the writers accept, which only the author knows. The constant's comment and the title say so.
    /// </summary>
    public const int PlaceholderCapacity = 1000;

    /// <summary>Writers wait while the channel is full: backpressure.</summary>
    public const string WaitEquivalenceKey = "GOV3002.CreateBounded";

    private static readonly SequentialFixAllProvider s_fixAll = new(FixAsync, (diagnostic, key) => key == WaitEquivalenceKey && GetMemberName(diagnostic) is not null);

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.UnboundedChannel);

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
            if (GetMemberName(diagnostic) is not { } memberName
                || root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not InvocationExpressionSyntax invocation
                || CreateBounded(invocation, "Capacity") is null
                || invocation.FirstAncestorOrSelf<TypeDeclarationSyntax>() is null)
            {
                continue;
            }

            var constant = ChooseConstantName(model, invocation, memberName, context.CancellationToken);
            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Use a bounded channel whose writers wait when it is full (capacity to choose: '{constant}')",
                    ct => s_fixAll.FixOneAsync(context.Document, diagnostic, ct),
                    WaitEquivalenceKey),
                diagnostic);
        }
    }

    private static string? GetMemberName(Diagnostic diagnostic)
        => diagnostic.Properties.TryGetValue(UnboundedChannelAnalyzer.BoundableMemberProperty, out var name) && !string.IsNullOrEmpty(name) ? name : null;

    private static async Task<Solution> FixAsync(Solution solution, DocumentId documentId, SyntaxAnnotation mark, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var context = await FixContext.CreateAsync(solution, documentId, mark, cancellationToken).ConfigureAwait(false);
        if (context is null
            || GetMemberName(diagnostic) is not { } memberName
            || context.Node is not InvocationExpressionSyntax invocation
            || invocation.FirstAncestorOrSelf<TypeDeclarationSyntax>() is not { } typeDeclaration)
        {
            return solution;
        }

        var constant = ChooseConstantName(context.Model, invocation, memberName, cancellationToken);
        if (CreateBounded(invocation, constant) is not { } replacement)
        {
            return solution;
        }

        // The constant goes just before the channel's member when this declaration holds it, else first in the type.
        var anchor = typeDeclaration.Members.FirstOrDefault(m => DeclaresMember(m, memberName)) ?? typeDeclaration.Members.FirstOrDefault();
        var root = anchor is null ? context.Root.TrackNodes(invocation, typeDeclaration) : context.Root.TrackNodes(invocation, typeDeclaration, anchor);

        root = root.ReplaceNode(root.GetCurrentNode(invocation)!, replacement);
        var declaration = root.GetCurrentNode(typeDeclaration)!;
        var newLine = context.Root.GetNewLine();
        TypeDeclarationSyntax updated;
        if (anchor is not null && root.GetCurrentNode(anchor) is { } currentAnchor)
        {
            var index = declaration.Members.IndexOf(currentAnchor);
            var (constantMember, anchorTrivia) = CreateConstant(constant, memberName, currentAnchor.GetLeadingTrivia(), newLine, separate: index > 0, WritesPrivate(declaration));
            var members = declaration.Members.Replace(currentAnchor, currentAnchor.WithLeadingTrivia(anchorTrivia)).Insert(index, constantMember);
            updated = declaration.WithMembers(members);
        }
        else
        {
            var indentation = IndentationOf(declaration) + "    ";
            var (constantMember, _) = CreateConstant(constant, memberName, SyntaxFactory.TriviaList(SyntaxFactory.Whitespace(indentation)), newLine, separate: declaration.Members.Count > 0, WritesPrivate(declaration));
            updated = declaration.WithMembers(declaration.Members.Add(constantMember));
        }

        return solution.WithDocumentSyntaxRoot(documentId, root.ReplaceNode(declaration, updated));
    }

    /// <summary>Whether the type writes <c>private</c> on its fields: code that leaves it out (the default) gets none either.</summary>
    private static bool WritesPrivate(TypeDeclarationSyntax declaration)
    {
        var fields = declaration.Members.OfType<FieldDeclarationSyntax>().ToList();
        return fields.Count == 0
            || fields.Any(f => f.Modifiers.Any(SyntaxKind.PrivateKeyword))
            || fields.All(f => f.Modifiers.Any(m => m.IsKind(SyntaxKind.PublicKeyword) || m.IsKind(SyntaxKind.InternalKeyword) || m.IsKind(SyntaxKind.ProtectedKeyword)));
    }

    private static bool DeclaresMember(MemberDeclarationSyntax member, string name)
        => member switch
        {
            BaseFieldDeclarationSyntax field => field.Declaration.Variables.Any(v => v.Identifier.ValueText == name),
            PropertyDeclarationSyntax property => property.Identifier.ValueText == name,
            _ => false,
        };

    /// <summary>
    /// The constant, with the blank lines and indentation that preceded the channel's member, and the member's new
    /// leading trivia: a blank line, then its own comments. With <paramref name="separate"/>, a blank line also separates
    /// the constant from the member before it.
    /// </summary>
    private static (MemberDeclarationSyntax Constant, SyntaxTriviaList AnchorTrivia) CreateConstant(string name, string memberName, SyntaxTriviaList anchorTrivia, string newLine, bool separate, bool writePrivate)
    {
        // Split the member's leading trivia: the blank lines before it, then the indentation of its first line and its comments.
        var split = 0;
        for (var i = 0; i < anchorTrivia.Count; i++)
        {
            if (anchorTrivia[i].IsKind(SyntaxKind.EndOfLineTrivia))
            {
                split = i + 1;
            }
            else if (!anchorTrivia[i].IsKind(SyntaxKind.WhitespaceTrivia))
            {
                break;
            }
        }

        var blankLines = string.Concat(anchorTrivia.Take(split).Select(t => t.ToFullString()));
        if (blankLines.Length == 0 && separate)
        {
            blankLines = newLine;
        }

        var own = anchorTrivia.Skip(split).ToList();
        var indentation = own.Count > 0 && own[0].IsKind(SyntaxKind.WhitespaceTrivia) ? own[0].ToFullString() : string.Empty;
        var text = blankLines
            + indentation + "/// <summary>" + newLine
            + indentation + $"/// The most items <see cref=\"{memberName}\"/> holds before its writers wait. {PlaceholderCapacity} is a placeholder:" + newLine
            + indentation + "/// choose the backlog its reader may fall behind by (memory, and latency for the writers)." + newLine
            + indentation + "/// </summary>" + newLine
            + indentation + (writePrivate ? "private " : string.Empty) + $"const int {name} = {PlaceholderCapacity};" + newLine;
        var constant = SyntaxFactory.ParseMemberDeclaration(text)!;
        var memberTrivia = SyntaxFactory.TriviaList(SyntaxFactory.EndOfLine(newLine)).AddRange(own);
        return (constant, memberTrivia);
    }

    private static string IndentationOf(SyntaxNode node)
    {
        var trivia = node.GetLeadingTrivia();
        return trivia.Count > 0 && trivia[trivia.Count - 1].IsKind(SyntaxKind.WhitespaceTrivia) ? trivia[trivia.Count - 1].ToFullString() : string.Empty;
    }

    /// <summary><c>_replies</c> → <c>RepliesCapacity</c>; a name the type and the creation's scope do not use yet.</summary>
    private static string ChooseConstantName(SemanticModel model, SyntaxNode creation, string memberName, CancellationToken cancellationToken)
    {
        var stem = memberName;
        foreach (var prefix in new[] { "m_", "s_", "t_", "_" })
        {
            if (stem.Length > prefix.Length && stem.StartsWith(prefix, System.StringComparison.Ordinal))
            {
                stem = stem.Substring(prefix.Length);
                break;
            }
        }

        stem = char.ToUpperInvariant(stem[0]) + stem.Substring(1);
        var type = model.GetEnclosingSymbol(creation.SpanStart, cancellationToken)?.ContainingType;
        var name = stem + "Capacity";
        for (var suffix = 2; IsTaken(model, creation, type, name); suffix++)
        {
            name = stem + "Capacity" + suffix.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return name;
    }

    private static bool IsTaken(SemanticModel model, SyntaxNode creation, INamedTypeSymbol? type, string name)
        => !model.LookupSymbols(creation.SpanStart, name: name).IsEmpty || (type is not null && !type.GetMembers(name).IsEmpty);

    /// <summary>The bounded form, or null for a shape the fix does not rewrite (prioritized channels, options in a variable).</summary>
    private static InvocationExpressionSyntax? CreateBounded(InvocationExpressionSyntax invocation, string capacity)
    {
        if (invocation.Expression is not MemberAccessExpressionSyntax { Name: GenericNameSyntax { Identifier.ValueText: "CreateUnbounded" } name } access)
        {
            return null;
        }

        ArgumentSyntax argument;
        switch (invocation.ArgumentList.Arguments.Count)
        {
            case 0:
                // CreateBounded(int): writers wait while the channel is full.
                argument = SyntaxFactory.Argument(SyntaxFactory.IdentifierName(capacity));
                break;
            case 1 when invocation.ArgumentList.Arguments[0] is { NameColon: null, Expression: BaseObjectCreationExpressionSyntax { ArgumentList: null or { Arguments.Count: 0 } } options } original:
                // The same options, bounded: BoundedChannelOptions' FullMode is Wait unless set.
                var bounded = SyntaxFactory.ObjectCreationExpression(
                        SyntaxFactory.Token(SyntaxKind.NewKeyword).WithTriviaFrom(options.NewKeyword).WithTrailingTrivia(SyntaxFactory.Space),
                        QualifiedName("BoundedChannelOptions"),
                        SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(SyntaxFactory.IdentifierName(capacity)))),
                        options.Initializer);
                if (options.Initializer is not null)
                {
                    // `new() { ... }` and `new UnboundedChannelOptions { ... }` keep the line break or space before the brace.
                    var beforeBrace = options switch
                    {
                        ObjectCreationExpressionSyntax { ArgumentList: { } list } => list.CloseParenToken.TrailingTrivia,
                        ObjectCreationExpressionSyntax explicitType => explicitType.Type.GetTrailingTrivia(),
                        ImplicitObjectCreationExpressionSyntax implicitType => implicitType.ArgumentList.CloseParenToken.TrailingTrivia,
                        _ => SyntaxFactory.TriviaList(SyntaxFactory.Space),
                    };
                    bounded = bounded.WithArgumentList(bounded.ArgumentList!.WithTrailingTrivia(beforeBrace.Count == 0 ? SyntaxFactory.TriviaList(SyntaxFactory.Space) : beforeBrace));
                }

                argument = original.WithExpression(bounded.WithTrailingTrivia(options.GetTrailingTrivia()));
                break;
            default:
                return null;
        }

        return invocation
            .WithExpression(access.WithName(name.WithIdentifier(SyntaxFactory.Identifier("CreateBounded").WithTriviaFrom(name.Identifier))))
            .WithArgumentList(invocation.ArgumentList.WithArguments(SyntaxFactory.SingletonSeparatedList(argument)));
    }

    private static TypeSyntax QualifiedName(string name)
        => SyntaxFactory.ParseTypeName("global::System.Threading.Channels." + name).WithAdditionalAnnotations(Simplifier.Annotation);
}
