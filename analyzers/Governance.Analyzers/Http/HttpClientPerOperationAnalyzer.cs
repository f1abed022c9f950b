using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using Governance.Analyzers.Operations;
using Governance.Analyzers.Options;
using Governance.Analyzers.Symbols;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Governance.Analyzers.Http;

/// <summary>
/// GOV4001: <c>new HttpClient(...)</c> that a method uses and drops (a local, often in <c>using</c>, or a client
/// created inline for one call), so that every call of the method opens new connections.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class HttpClientPerOperationAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.HttpClientPerOperation);

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

            var testProject = start.Compilation.IsTestProject();
            start.RegisterSymbolStartAction(typeStart => new TypeAnalysis(symbols, testProject).Register(typeStart), SymbolKind.NamedType);
        });
    }

    /// <summary>
    /// One type's creations and the calls to its private methods: a client made in a private method that only
    /// start-up code calls (a method behind a <c>??=</c>, a static constructor, <c>Main</c>) is made once, not per
    /// operation. Every partial declaration's calls count.
    /// </summary>
    private sealed class TypeAnalysis
    {
        private readonly HttpSymbols _symbols;
        private readonly bool _testProject;
        private readonly ConcurrentBag<(IOperation Creation, IMethodSymbol Method)> _pending = new();
        private readonly ConcurrentBag<(IMethodSymbol Callee, RunKind Kind, ISymbol Caller)> _calls = new();

        public TypeAnalysis(HttpSymbols symbols, bool testProject)
        {
            _symbols = symbols;
            _testProject = testProject;
        }

        public void Register(SymbolStartAnalysisContext context)
        {
            var type = (INamedTypeSymbol)context.Symbol;
            context.RegisterOperationAction(OnCreation, OperationKind.ObjectCreation, OperationKind.Invalid);
            context.RegisterOperationAction(c => OnCall(c, type), OperationKind.Invocation, OperationKind.MethodReference);
            context.RegisterSymbolEndAction(OnTypeEnd);
        }

        private void OnCreation(OperationAnalysisContext context)
        {
            var creation = context.Operation;
            var opensOwnConnections = creation switch
            {
                IObjectCreationOperation created => _symbols.IsHttpClient(created.Type) && OpensOwnConnections(created),
                IInvalidOperation unbound => OpensOwnConnections(unbound),
                _ => false,
            };
            if (!opensOwnConnections || !IsUsedAndDropped(creation))
            {
                return;
            }

            var member = context.ContainingSymbol;
            if ((_testProject || TestCode.IsTestCode(member))
                && !GovernanceOptions.For(context.Options, creation.Syntax.SyntaxTree).HttpClientInTestCode)
            {
                // A test's client never meets production load.
                return;
            }

            var place = RunFrequency.Classify(creation, _symbols);
            switch (place.Kind)
            {
                case RunKind.Once:
                    return;
                case RunKind.Repeated:
                    context.ReportDiagnostic(Create(creation, member, place.Where));
                    return;
            }

            switch (RunFrequency.Member(member))
            {
                case RunKind.Repeated:
                    context.ReportDiagnostic(Create(creation, member, "call"));
                    break;
                case RunKind.PerCall:
                    _pending.Add((creation, (IMethodSymbol)member));
                    break;
            }
        }

        private void OnCall(OperationAnalysisContext context, INamedTypeSymbol type)
        {
            var callee = context.Operation switch
            {
                IInvocationOperation invocation => invocation.TargetMethod,
                IMethodReferenceOperation reference => reference.Method,
                _ => null,
            };
            if (callee is null
                || callee.DeclaredAccessibility != Accessibility.Private
                || !SymbolEqualityComparer.Default.Equals(callee.ContainingType?.OriginalDefinition, type.OriginalDefinition))
            {
                return;
            }

            var kind = context.Operation is IMethodReferenceOperation
                ? Combine(RunFrequency.ClassifyDelegate(context.Operation, _symbols), RunFrequency.Classify(context.Operation, _symbols).Kind)
                : RunFrequency.Classify(context.Operation, _symbols).Kind;
            _calls.Add((callee.OriginalDefinition, kind, context.ContainingSymbol));
        }

        // A method group handed on as a delegate runs as its consumer decides, and then as often as the code around it.
        private static RunKind Combine(RunKind asDelegate, RunKind around)
            => asDelegate == RunKind.PerCall ? around : asDelegate;

        private void OnTypeEnd(SymbolAnalysisContext context)
        {
            if (_pending.IsEmpty)
            {
                return;
            }

            var calls = new Dictionary<IMethodSymbol, List<(RunKind Kind, ISymbol Caller)>>(SymbolEqualityComparer.Default);
            foreach (var (callee, kind, caller) in _calls)
            {
                if (!calls.TryGetValue(callee, out var list))
                {
                    calls[callee] = list = new List<(RunKind, ISymbol)>();
                }

                list.Add((kind, caller));
            }

            var memo = new Dictionary<ISymbol, bool>(SymbolEqualityComparer.Default);
            foreach (var (creation, method) in _pending)
            {
                if (!RunsOnce(method, calls, memo))
                {
                    context.ReportDiagnostic(Create(creation, method, "call"));
                }
            }
        }

        /// <summary>
        /// A private method runs once when it has callers in its type and each of them calls it from start-up code,
        /// from the value side of a <c>??=</c>, or from another private method that runs once.
        /// </summary>
        private static bool RunsOnce(IMethodSymbol method, Dictionary<IMethodSymbol, List<(RunKind Kind, ISymbol Caller)>> calls, Dictionary<ISymbol, bool> memo)
        {
            method = method.OriginalDefinition;
            if (memo.TryGetValue(method, out var known))
            {
                return known;
            }

            // A cycle (recursion) is not start-up code.
            memo[method] = false;
            var once = calls.TryGetValue(method, out var sites) && sites.Count > 0;
            foreach (var (kind, caller) in once ? sites! : new List<(RunKind, ISymbol)>())
            {
                var callerOnce = kind switch
                {
                    RunKind.Once => true,
                    RunKind.Repeated => false,
                    _ => RunFrequency.Member(caller) switch
                    {
                        RunKind.Once => true,
                        RunKind.PerCall => caller is IMethodSymbol callingMethod && RunsOnce(callingMethod, calls, memo),
                        _ => false,
                    },
                };
                if (!callerOnce)
                {
                    once = false;
                    break;
                }
            }

            memo[method] = once;
            return once;
        }

        private static Diagnostic Create(IOperation creation, ISymbol member, string where)
        {
            var name = DisplayName(member);
            var subject = where switch
            {
                "iteration" => $"A loop in {name}",
                "run" => $"A callback in {name}",
                _ => name,
            };
            return Diagnostic.Create(Descriptors.HttpClientPerOperation, creation.Syntax.GetLocation(), subject, $"on every {where}");
        }

        private static string DisplayName(ISymbol member)
            => member switch
            {
                IMethodSymbol { Name: "<Main>$" } => "the top-level statements",
                IMethodSymbol { MethodKind: MethodKind.Constructor or MethodKind.StaticConstructor } constructor => $"the constructor of '{constructor.ContainingType.Name}'",
                IMethodSymbol { AssociatedSymbol: { } property } => $"'{property.Name}'",
                _ => $"'{member.Name}'",
            };

        /// <summary>
        /// Whether the new client has a connection pool of its own: the default handler, or a handler created for it
        /// here. A client given a shared handler (a field, a parameter) reuses that handler's connections; one given
        /// a fake handler opens none.
        /// </summary>
        private bool OpensOwnConnections(IObjectCreationOperation creation)
        {
            if (creation.Constructor is not { } constructor)
            {
                return false;
            }

            foreach (var argument in creation.Arguments)
            {
                if (argument.Parameter is { } parameter && parameter.Type.IsOrDerivesFrom(_symbols.MessageHandler))
                {
                    return IsHandlerMadeHere(argument.Value, creation.GetRoot(), depth: 0);
                }
            }

            if (constructor.ContainingType.IsType(_symbols.HttpClient))
            {
                return true;
            }

            // A class derived from HttpClient: its constructor must reach HttpClient's default one.
            return ReachesDefaultBaseConstructor(constructor);
        }

        /// <summary>
        /// <c>new HttpClient(handler)</c> that did not bind because a folder scan does not resolve the handler's type (a
        /// third-party handler): the handler decides, as for a bound creation.
        /// </summary>
        private bool OpensOwnConnections(IInvalidOperation unbound)
        {
            if (unbound.Syntax is not ObjectCreationExpressionSyntax { ArgumentList.Arguments.Count: 1 or 2 }
                || !unbound.Type.IsType(_symbols.HttpClient))
            {
                return false;
            }

            foreach (var child in unbound.ChildOperations)
            {
                return IsHandlerMadeHere(child, unbound.GetRoot(), depth: 0);
            }

            return false;
        }

        private bool ReachesDefaultBaseConstructor(IMethodSymbol constructor)
        {
            if (!constructor.ContainingType.BaseType.IsType(_symbols.HttpClient))
            {
                return false;
            }

            if (constructor.IsImplicitlyDeclared)
            {
                return true;
            }

            foreach (var reference in constructor.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax() is ConstructorDeclarationSyntax declaration)
                {
                    return declaration.Initializer is null
                        || (declaration.Initializer.ThisOrBaseKeyword.ValueText == "base" && declaration.Initializer.ArgumentList.Arguments.Count == 0);
                }
            }

            return false;
        }

        private bool IsHandlerMadeHere(IOperation value, IOperation root, int depth)
        {
            value = value.WalkDownConversions();
            if (depth > 4)
            {
                return false;
            }

            switch (value)
            {
                case IObjectCreationOperation handler:
                    if (_symbols.IsConnectionHandler(handler.Type))
                    {
                        return true;
                    }

                    return _symbols.IsDelegatingHandler(handler.Type) && InnerHandlers(handler, null, root).Exists(inner => IsHandlerMadeHere(inner, root, depth + 1));
                case ILocalReferenceOperation local when FindInitializer(local.Local, root) is IObjectCreationOperation { Type.TypeKind: not TypeKind.Error } created:
                    if (_symbols.IsConnectionHandler(created.Type))
                    {
                        return true;
                    }

                    return _symbols.IsDelegatingHandler(created.Type) && InnerHandlers(created, local.Local, root).Exists(inner => IsHandlerMadeHere(inner, root, depth + 1));
                case ILocalReferenceOperation local when FindInitializer(local.Local, root) is { Syntax: ObjectCreationExpressionSyntax }:
                    // A handler whose type a folder scan cannot resolve (a third-party DelegatingHandler): it is one of
                    // the client's own when the code gives it an inner handler made here.
                    return InnerHandlers(null, local.Local, root).Exists(inner => IsHandlerMadeHere(inner, root, depth + 1));
                default:
                    return false;
            }
        }

        /// <summary>The inner handlers a delegating handler is given: in its constructor, its initializer, or set on the local that holds it.</summary>
        private List<IOperation> InnerHandlers(IObjectCreationOperation? handler, ILocalSymbol? local, IOperation root)
        {
            var inner = new List<IOperation>();
            foreach (var argument in handler?.Arguments ?? ImmutableArray<IArgumentOperation>.Empty)
            {
                if (argument.Parameter is { } parameter && parameter.Type.IsOrDerivesFrom(_symbols.MessageHandler))
                {
                    inner.Add(argument.Value);
                }
            }

            foreach (var initializer in handler?.Initializer?.Initializers ?? ImmutableArray<IOperation>.Empty)
            {
                if (initializer is ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Property.Name: "InnerHandler" } } assignment)
                {
                    inner.Add(assignment.Value);
                }
            }

            if (local is not null)
            {
                foreach (var operation in root.Descendants())
                {
                    if (operation is ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Property.Name: "InnerHandler", Instance: ILocalReferenceOperation target } } assignment
                        && SymbolEqualityComparer.Default.Equals(target.Local, local))
                    {
                        inner.Add(assignment.Value);
                    }
                    else if (operation is ISimpleAssignmentOperation { Target: IInvalidOperation { Syntax: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "InnerHandler", Expression: IdentifierNameSyntax receiver } } } unresolved
                        && receiver.Identifier.ValueText == local.Name)
                    {
                        // `handler.InnerHandler = ...` on a handler whose type is not resolved.
                        inner.Add(unresolved.Value);
                    }
                }
            }

            return inner;
        }

        private static IOperation? FindInitializer(ILocalSymbol local, IOperation root)
        {
            foreach (var operation in root.Descendants())
            {
                if (operation is IVariableDeclaratorOperation declarator && SymbolEqualityComparer.Default.Equals(declarator.Symbol, local))
                {
                    return declarator.GetVariableInitializer()?.Value.WalkDownConversions();
                }
            }

            return null;
        }

        /// <summary>
        /// The client is used here and nowhere else: a local (or a client created inline for one call) whose every use is
        /// a send, a property, a helper on the client or its disposal, and that is never returned, passed on, stored
        /// elsewhere or captured by a lambda that may outlive the method.
        /// </summary>
        private bool IsUsedAndDropped(IOperation creation)
        {
            var consumer = creation.GetConsumer(out var child);
            switch (consumer)
            {
                case IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator }:
                    var isUsing = declarator.Parent?.Parent is IUsingDeclarationOperation
                        || declarator.Parent?.Parent?.Parent is IUsingOperation or IUsingDeclarationOperation;
                    return IsLocalUsedAndDropped(creation, declarator.Symbol, isUsing);
                case ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } assignment when assignment.Value == child && assignment.Parent is IExpressionStatementOperation:
                    return IsLocalUsedAndDropped(creation, target.Local, isUsing: false);
                case IInvocationOperation invocation when invocation.Instance == child:
                    return _symbols.IsSend(invocation, out _);
                case IArgumentOperation { Parent: IInvocationOperation invocation } argument when argument.Value == child:
                    return _symbols.IsClientExtension(invocation, child);
                default:
                    return false;
            }
        }

        private bool IsLocalUsedAndDropped(IOperation creation, ILocalSymbol local, bool isUsing)
        {
            var function = creation.GetEnclosingFunction();
            var used = false;
            var disposed = isUsing;
            var captured = false;
            foreach (var operation in creation.GetRoot().Descendants())
            {
                if (operation is not ILocalReferenceOperation reference || !SymbolEqualityComparer.Default.Equals(reference.Local, local))
                {
                    continue;
                }

                switch (HttpClientReferenceClassifier.Classify(reference, _symbols, out _))
                {
                    case HttpClientUse.Escaped:
                        return false;
                    case HttpClientUse.Send:
                    case HttpClientUse.Helper:
                        used = true;
                        break;
                    case HttpClientUse.Disposed:
                        disposed |= reference.GetEnclosingFunction() == function;
                        break;
                }

                captured |= reference.GetEnclosingFunction() != function;
            }

            // A lambda that captures the client may outlive the method, unless the method disposes the client itself.
            return used && (!captured || disposed);
        }
    }
}
