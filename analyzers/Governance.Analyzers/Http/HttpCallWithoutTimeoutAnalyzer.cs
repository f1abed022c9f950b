using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Governance.Analyzers.Operations;
using Governance.Analyzers.Symbols;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Governance.Analyzers.Http;

/// <summary>
/// GOV4002: an <c>HttpClient</c> given an infinite <c>Timeout</c> whose sends, in the same method (a local) or the same
/// type (a private field or auto-property, every partial declaration), pass no <c>CancellationToken</c> that can fire.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class HttpCallWithoutTimeoutAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.HttpCallWithoutTimeout);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var symbols = HttpSymbols.Create(start.Compilation);
            if (symbols is null)
            {
                return;
            }

            start.RegisterSymbolStartAction(typeStart => new TypeAnalysis(symbols, (INamedTypeSymbol)typeStart.Symbol).Register(typeStart), SymbolKind.NamedType);
        });
    }

    private sealed class TypeAnalysis
    {
        private readonly HttpSymbols _symbols;
        private readonly INamedTypeSymbol _type;
        private readonly ConcurrentBag<(ISymbol Member, ISimpleAssignmentOperation Assignment)> _infinite = new();
        private readonly ConcurrentBag<(ISymbol Member, IInvocationOperation Send)> _unboundedSends = new();
        private readonly ConcurrentBag<ISymbol> _escaped = new();

        public TypeAnalysis(HttpSymbols symbols, INamedTypeSymbol type)
        {
            _symbols = symbols;
            _type = type;
        }

        public void Register(SymbolStartAnalysisContext context)
        {
            context.RegisterOperationAction(OnAssignment, OperationKind.SimpleAssignment);

            // Perf: only a type with a private HttpClient member needs its member references followed.
            if (HasTrackedMembers())
            {
                context.RegisterOperationAction(OnMemberReference, OperationKind.FieldReference, OperationKind.PropertyReference);
                context.RegisterSymbolEndAction(OnTypeEnd);
            }
        }

        private bool HasTrackedMembers()
        {
            foreach (var member in _type.GetMembers())
            {
                if (IsTracked(member))
                {
                    return true;
                }
            }

            return false;
        }

        private bool IsTracked(ISymbol? member)
            => member is not null
                && member.IsPrivateToType()
                && SymbolEqualityComparer.Default.Equals(member.ContainingType, _type)
                && _symbols.IsHttpClient(member switch { IFieldSymbol field => field.Type, IPropertySymbol property => property.Type, _ => null })
                && member.IsTrackableStorage();

        private void OnAssignment(OperationAnalysisContext context)
        {
            var assignment = (ISimpleAssignmentOperation)context.Operation;
            if (!_symbols.IsInfiniteTimeoutAssignment(assignment, out var client))
            {
                return;
            }

            switch (client.WalkDownConversions())
            {
                case ILocalReferenceOperation local:
                    AnalyzeLocal(context, assignment, local.Local);
                    break;
                case IMemberReferenceOperation { Instance: null or IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } } member
                    when IsTracked(member.Member):
                    _infinite.Add((member.Member, assignment));
                    break;
                case IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ImplicitReceiver }
                    when assignment.Parent is IObjectOrCollectionInitializerOperation { Parent: IObjectCreationOperation creation }:
                    AnalyzeCreation(context, assignment, creation);
                    break;
            }
        }

        // `new HttpClient { Timeout = Timeout.InfiniteTimeSpan }`: followed to where the new client goes.
        private void AnalyzeCreation(OperationAnalysisContext context, ISimpleAssignmentOperation assignment, IObjectCreationOperation creation)
        {
            var consumer = creation.GetConsumer(out var child);
            switch (consumer)
            {
                case IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator }:
                    AnalyzeLocal(context, assignment, declarator.Symbol);
                    break;
                case ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } store when store.Value == child:
                    AnalyzeLocal(context, assignment, target.Local);
                    break;
                case IFieldInitializerOperation initializer when initializer.InitializedFields.Length == 1 && IsTracked(initializer.InitializedFields[0]):
                    _infinite.Add((initializer.InitializedFields[0], assignment));
                    break;
                case IPropertyInitializerOperation initializer when initializer.InitializedProperties.Length == 1 && IsTracked(initializer.InitializedProperties[0]):
                    _infinite.Add((initializer.InitializedProperties[0], assignment));
                    break;
                case ISimpleAssignmentOperation { Target: IMemberReferenceOperation { Instance: null or IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } } target } store
                    when store.Value == child && IsTracked(target.Member):
                    _infinite.Add((target.Member, assignment));
                    break;
                case IInvocationOperation invocation when invocation.Instance == child && _symbols.IsSend(invocation, out _) && !_symbols.PassesRealToken(invocation):
                    context.ReportDiagnostic(Create(assignment, "new HttpClient", invocation));
                    break;
                case IArgumentOperation { Parent: IInvocationOperation invocation } argument
                    when argument.Value == child && _symbols.IsSend(invocation, out var sent) && sent == child && !_symbols.PassesRealToken(invocation):
                    context.ReportDiagnostic(Create(assignment, "new HttpClient", invocation));
                    break;
            }
        }

        /// <summary>A client in a local: its sends are in the same method, and if it escapes they cannot all be seen.</summary>
        private void AnalyzeLocal(OperationAnalysisContext context, ISimpleAssignmentOperation assignment, ILocalSymbol local)
        {
            IInvocationOperation? unbounded = null;
            foreach (var operation in assignment.GetRoot().Descendants())
            {
                if (operation is not ILocalReferenceOperation reference || !SymbolEqualityComparer.Default.Equals(reference.Local, local))
                {
                    continue;
                }

                switch (HttpClientReferenceClassifier.Classify(reference, _symbols, out var send))
                {
                    case HttpClientUse.Escaped:
                        return;
                    case HttpClientUse.Send when send is not null && !_symbols.PassesRealToken(send):
                        unbounded ??= send;
                        break;
                }
            }

            if (unbounded is not null)
            {
                context.ReportDiagnostic(Create(assignment, local.Name, unbounded));
            }
        }

        private void OnMemberReference(OperationAnalysisContext context)
        {
            var reference = (IMemberReferenceOperation)context.Operation;
            if (!IsTracked(reference.Member))
            {
                return;
            }

            // A client reached through another object is that object's member, not this one's.
            if (reference.Instance is not (null or IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance }))
            {
                _escaped.Add(reference.Member);
                return;
            }

            switch (HttpClientReferenceClassifier.Classify(reference, _symbols, out var send))
            {
                case HttpClientUse.Escaped:
                    _escaped.Add(reference.Member);
                    break;
                case HttpClientUse.Send when send is not null && !_symbols.PassesRealToken(send):
                    _unboundedSends.Add((reference.Member, send));
                    break;
            }
        }

        private void OnTypeEnd(SymbolAnalysisContext context)
        {
            if (_infinite.IsEmpty)
            {
                return;
            }

            var escaped = new HashSet<ISymbol>(_escaped, SymbolEqualityComparer.Default);
            foreach (var group in _infinite.GroupBy(i => i.Member, SymbolEqualityComparer.Default))
            {
                var member = (ISymbol)group.Key!;
                if (escaped.Contains(member) || _type.IsNamedInNestedTypes(member.Name, context.CancellationToken))
                {
                    continue;
                }

                var send = _unboundedSends.Where(s => SymbolEqualityComparer.Default.Equals(s.Member, member)).Select(s => s.Send)
                    .OrderBy(s => s.Syntax.SyntaxTree.FilePath, System.StringComparer.Ordinal)
                    .ThenBy(s => s.Syntax.SpanStart)
                    .FirstOrDefault();
                if (send is null)
                {
                    continue;
                }

                foreach (var (_, assignment) in group)
                {
                    context.ReportDiagnostic(Create(assignment, member.Name, send));
                }
            }
        }

        private static Diagnostic Create(ISimpleAssignmentOperation assignment, string client, IInvocationOperation send)
        {
            var span = send.Syntax.GetLocation().GetLineSpan();
            var where = "line " + (span.StartLinePosition.Line + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (send.Syntax.SyntaxTree != assignment.Syntax.SyntaxTree)
            {
                // Another partial declaration's file.
                where += " of " + System.IO.Path.GetFileName(span.Path);
            }

            return Diagnostic.Create(
                Descriptors.HttpCallWithoutTimeout,
                assignment.Syntax.GetLocation(),
                additionalLocations: new[] { send.Syntax.GetLocation() },
                client,
                "Timeout = " + assignment.Value.Syntax,
                send.TargetMethod.Name,
                where);
        }
    }
}
