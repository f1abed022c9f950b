using System.Collections.Immutable;
using System.Globalization;
using Governance.Analyzers.Operations;
using Governance.Analyzers.Symbols;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Governance.Analyzers.Http;

/// <summary>The System.Net.Http types of one compilation, resolved once at compilation start.</summary>
internal sealed class HttpSymbols
{
    private HttpSymbols(INamedTypeSymbol httpClient, Compilation compilation)
    {
        HttpClient = httpClient;
        MessageInvoker = compilation.GetTypeByMetadataName("System.Net.Http.HttpMessageInvoker");
        MessageHandler = compilation.GetTypeByMetadataName("System.Net.Http.HttpMessageHandler");
        DelegatingHandler = compilation.GetTypeByMetadataName("System.Net.Http.DelegatingHandler");
        ClientHandler = compilation.GetTypeByMetadataName("System.Net.Http.HttpClientHandler");
        SocketsHandler = compilation.GetTypeByMetadataName("System.Net.Http.SocketsHttpHandler");
        ClientFactory = compilation.GetTypeByMetadataName("System.Net.Http.IHttpClientFactory");
        CancellationToken = compilation.GetTypeByMetadataName("System.Threading.CancellationToken");
        Timeout = compilation.GetTypeByMetadataName("System.Threading.Timeout");
        TimeSpan = compilation.GetTypeByMetadataName("System.TimeSpan");
        Task = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task");
        TaskFactory = compilation.GetTypeByMetadataName("System.Threading.Tasks.TaskFactory");
        Thread = compilation.GetTypeByMetadataName("System.Threading.Thread");
        Lazy = compilation.GetTypeByMetadataName("System.Lazy`1");
        LazyInitializer = compilation.GetTypeByMetadataName("System.Threading.LazyInitializer");
    }

    public INamedTypeSymbol HttpClient { get; }

    /// <summary>The base of <c>HttpClient</c>, which declares <c>Send</c> and <c>SendAsync</c>.</summary>
    public INamedTypeSymbol? MessageInvoker { get; }

    public INamedTypeSymbol? MessageHandler { get; }

    public INamedTypeSymbol? DelegatingHandler { get; }

    public INamedTypeSymbol? ClientHandler { get; }

    public INamedTypeSymbol? SocketsHandler { get; }

    /// <summary><c>IHttpClientFactory</c> (Microsoft.Extensions.Http); null when the project does not reference it.</summary>
    public INamedTypeSymbol? ClientFactory { get; }

    public INamedTypeSymbol? CancellationToken { get; }

    public INamedTypeSymbol? Timeout { get; }

    public INamedTypeSymbol? TimeSpan { get; }

    public INamedTypeSymbol? Task { get; }

    public INamedTypeSymbol? TaskFactory { get; }

    public INamedTypeSymbol? Thread { get; }

    public INamedTypeSymbol? Lazy { get; }

    public INamedTypeSymbol? LazyInitializer { get; }

    /// <summary>Null when System.Net.Http is not referenced: the HTTP rules then register nothing.</summary>
    public static HttpSymbols? Create(Compilation compilation)
        => compilation.GetTypeByMetadataName("System.Net.Http.HttpClient") is { } httpClient
            ? new HttpSymbols(httpClient, compilation)
            : null;

    /// <summary><c>HttpClient</c> or a class derived from it; a user type that merely has the name is not one.</summary>
    public bool IsHttpClient(ITypeSymbol? type) => type.IsOrDerivesFrom(HttpClient);

    /// <summary>
    /// A handler with its own connection pool: <c>HttpClientHandler</c>, <c>SocketsHttpHandler</c> or a class derived
    /// from them. Other handlers (test fakes, mocks) open no connections; a <c>DelegatingHandler</c> opens those of its
    /// inner handler.
    /// </summary>
    public bool IsConnectionHandler(ITypeSymbol? type) => type.IsOrDerivesFrom(ClientHandler) || type.IsOrDerivesFrom(SocketsHandler);

    public bool IsDelegatingHandler(ITypeSymbol? type) => type.IsOrDerivesFrom(DelegatingHandler);

    /// <summary>
    /// A call that sends a request on an <c>HttpClient</c>, and the client it sends on: an instance method of
    /// <c>HttpClient</c> / <c>HttpMessageInvoker</c> that sends (<c>SendAsync</c>, <c>GetAsync</c>, <c>GetStringAsync</c>, ...),
    /// or an extension method on <c>HttpClient</c> from System.Net.Http (<c>GetFromJsonAsync</c>, <c>PostAsJsonAsync</c>, ...),
    /// or any other extension method on <c>HttpClient</c> that takes a <c>CancellationToken</c> (a helper that sends).
    /// </summary>
    public bool IsSend(IInvocationOperation invocation, out IOperation client)
    {
        var method = invocation.TargetMethod;
        if (invocation.Instance is { } instance
            && (method.ContainingType.IsType(HttpClient) || method.ContainingType.IsType(MessageInvoker))
            && IsSendName(method.Name))
        {
            client = instance;
            return true;
        }

        if (method.IsExtensionMethod && invocation.Arguments.Length > 0 && method.Parameters.Length > 0
            && IsHttpClient(method.Parameters[0].Type)
            && GetThisArgument(invocation) is { } receiver
            && (IsFrameworkNamespace(method.ContainingNamespace) || TokenParameter(method) is not null))
        {
            client = receiver;
            return true;
        }

        client = null!;
        return false;
    }

    /// <summary>
    /// An extension method whose <c>this</c> parameter is an <c>HttpClient</c> (a helper such as <c>GetFromJsonAsync</c>):
    /// it uses the client, it does not take it over.
    /// </summary>
    public bool IsClientExtension(IInvocationOperation invocation, IOperation argumentValue)
        => invocation.TargetMethod is { IsExtensionMethod: true } method
            && method.Parameters.Length > 0
            && IsHttpClient(method.Parameters[0].Type)
            && GetThisArgument(invocation) == argumentValue;

    /// <summary>The value passed as the <c>this</c> parameter of an extension method invoked in reduced form.</summary>
    private static IOperation? GetThisArgument(IInvocationOperation invocation)
    {
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter is { Ordinal: 0 })
            {
                return argument.Value;
            }
        }

        return null;
    }

    private static bool IsSendName(string name)
        => name is "Send" or "SendAsync" or "GetAsync" or "PostAsync" or "PutAsync" or "DeleteAsync" or "PatchAsync"
            or "GetStringAsync" or "GetStreamAsync" or "GetByteArrayAsync";

    private static bool IsFrameworkNamespace(INamespaceSymbol? ns)
        => ns?.ToDisplayString() is { } name && (name == "System.Net.Http" || name.StartsWith("System.Net.Http.", System.StringComparison.Ordinal));

    private IParameterSymbol? TokenParameter(IMethodSymbol method)
    {
        foreach (var parameter in method.Parameters)
        {
            if (parameter.Type.IsType(CancellationToken))
            {
                return parameter;
            }
        }

        return null;
    }

    /// <summary>
    /// Whether a send passes a token that can fire: an argument for its <c>CancellationToken</c> parameter that is
    /// not omitted, <c>CancellationToken.None</c>, <c>default</c> or <c>new CancellationToken()</c>.
    /// </summary>
    public bool PassesRealToken(IInvocationOperation send)
    {
        foreach (var argument in send.Arguments)
        {
            if (argument.Parameter is not { } parameter || !parameter.Type.IsType(CancellationToken))
            {
                continue;
            }

            if (argument.ArgumentKind == ArgumentKind.DefaultValue)
            {
                return false;
            }

            return !IsNoneToken(argument.Value);
        }

        return false;
    }

    private bool IsNoneToken(IOperation value)
    {
        value = value.WalkDownConversions();
        return value switch
        {
            IDefaultValueOperation => true,
            IPropertyReferenceOperation { Property.Name: "None", Property.IsStatic: true } none => none.Property.ContainingType.IsType(CancellationToken),
            IObjectCreationOperation { Arguments.Length: 0 } created => created.Type.IsType(CancellationToken),
            IObjectCreationOperation { Arguments.Length: 1 } created => created.Type.IsType(CancellationToken)
                && created.Arguments[0].Value.ConstantValue is { HasValue: true, Value: false },
            _ => false,
        };
    }

    /// <summary>
    /// A time span that means "never": <c>Timeout.InfiniteTimeSpan</c>, <c>TimeSpan.MaxValue</c>,
    /// <c>TimeSpan.FromMilliseconds(-1)</c> (also written <c>Timeout.Infinite</c>), or <c>new TimeSpan(...)</c> of
    /// constants worth -1 ms. Values that are merely large, or read from configuration, are not "never".
    /// </summary>
    public bool IsInfiniteTimeSpan(IOperation value)
    {
        value = value.WalkDownConversions();
        switch (value)
        {
            case IFieldReferenceOperation { Field.Name: "InfiniteTimeSpan" } infiniteField:
                return infiniteField.Field.ContainingType.IsType(Timeout);
            case IFieldReferenceOperation { Field.Name: "MaxValue" } max:
                return max.Field.ContainingType.IsType(TimeSpan);
            case IInvocationOperation { TargetMethod: { Name: "FromMilliseconds", IsStatic: true } method } fromMilliseconds
                when method.ContainingType.IsType(TimeSpan):
                // FromMilliseconds(-1), and on .NET 9 and later FromMilliseconds(-1, 0): the first argument is the
                // milliseconds, any other one (microseconds) must be zero.
                var infinite = false;
                foreach (var argument in fromMilliseconds.Arguments)
                {
                    if (argument.ArgumentKind == ArgumentKind.DefaultValue)
                    {
                        continue;
                    }

                    var number = AsNumber(argument.Value);
                    if (argument.Parameter is { Ordinal: 0 })
                    {
                        infinite = number == -1;
                    }
                    else if (number != 0)
                    {
                        return false;
                    }
                }

                return infinite;
            case IObjectCreationOperation { Arguments.Length: > 0 } created when created.Type.IsType(TimeSpan):
                // `new TimeSpan(0, 0, 0, 0, -1)`: the value of Timeout.InfiniteTimeSpan, -1 ms (-10,000 ticks).
                return TotalTicks(created.Arguments) == -10_000;
            default:
                return false;
        }
    }

    /// <summary>The ticks a <c>TimeSpan</c> constructor call with constant arguments makes; null when any is not constant.</summary>
    private static double? TotalTicks(ImmutableArray<IArgumentOperation> arguments)
    {
        double total = 0;
        foreach (var argument in arguments)
        {
            if (AsNumber(argument.Value) is not { } number || argument.Parameter is null)
            {
                return null;
            }

            var ticksPerUnit = (arguments.Length, argument.Parameter.Name) switch
            {
                (1, "ticks") => 1d,
                (_, "days") => 864_000_000_000d,
                (_, "hours") => 36_000_000_000d,
                (_, "minutes") => 600_000_000d,
                (_, "seconds") => 10_000_000d,
                (_, "milliseconds") => 10_000d,
                (_, "microseconds") => 10d,
                _ => double.NaN,
            };
            total += number * ticksPerUnit;
        }

        return double.IsNaN(total) ? null : total;
    }

    private static double? AsNumber(IOperation value)
        => value.WalkDownConversions().ConstantValue is { HasValue: true, Value: int or long or double or float or short } constant
            ? System.Convert.ToDouble(constant.Value, CultureInfo.InvariantCulture)
            : null;

    /// <summary>An assignment to <c>HttpClient.Timeout</c> of a value that means "never", and the client it is set on.</summary>
    public bool IsInfiniteTimeoutAssignment(IOperation operation, out IOperation client)
    {
        if (operation is ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Property.Name: "Timeout", Instance: { } instance } target } assignment
            && target.Property.ContainingType.IsType(HttpClient)
            && IsInfiniteTimeSpan(assignment.Value))
        {
            client = instance;
            return true;
        }

        client = null!;
        return false;
    }
}
