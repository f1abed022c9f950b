using Governance.Analyzers.Operations;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Governance.Analyzers.Http;

/// <summary>What one reference to a variable or member holding an <c>HttpClient</c> does with the client.</summary>
internal enum HttpClientUse
{
    /// <summary>Uses the client without handing it on: reads or sets a property, calls a method that is not a send.</summary>
    Neutral,

    /// <summary>Sends a request on the client.</summary>
    Send,

    /// <summary>Hands the client to an extension method on <c>HttpClient</c> that is not a known send: a helper that uses it.</summary>
    Helper,

    /// <summary>Disposes the client: <c>Dispose()</c>, or <c>using (client)</c>.</summary>
    Disposed,

    /// <summary>Stores a new value in the variable or member.</summary>
    Assigned,

    /// <summary>Hands the client to someone else: returned, passed, stored elsewhere, converted to another type.</summary>
    Escaped,
}

internal static class HttpClientReferenceClassifier
{
    /// <summary>
    /// Classifies one reference to a local, field or property that holds an <c>HttpClient</c>; <paramref name="send"/> is
    /// the send when the use is one. Anything not recognised is an escape: a false "escaped" costs a missed report, a
    /// false "neutral" a wrong one.
    /// </summary>
    public static HttpClientUse Classify(IOperation reference, HttpSymbols symbols, out IInvocationOperation? send)
    {
        send = null;
        var consumer = reference.GetConsumer(out var child);
        switch (consumer)
        {
            case IInvocationOperation invocation when invocation.Instance == child:
                if (symbols.IsSend(invocation, out _))
                {
                    send = invocation;
                    return HttpClientUse.Send;
                }

                return invocation.TargetMethod.Name is "Dispose" ? HttpClientUse.Disposed : HttpClientUse.Neutral;
            case IArgumentOperation { Parent: IInvocationOperation invocation } argument when argument.Value == child:
                if (symbols.IsSend(invocation, out var client) && client == child)
                {
                    send = invocation;
                    return HttpClientUse.Send;
                }

                return symbols.IsClientExtension(invocation, child) ? HttpClientUse.Helper : HttpClientUse.Escaped;
            case IMemberReferenceOperation member when member.Instance == child:
                return HttpClientUse.Neutral;
            case IConditionalAccessOperation conditional when conditional.Operation == child:
                if (conditional.WhenNotNull.WalkDownConversions() is IInvocationOperation { Instance: IConditionalAccessInstanceOperation } call)
                {
                    if (symbols.IsSend(call, out _))
                    {
                        send = call;
                        return HttpClientUse.Send;
                    }

                    return call.TargetMethod.Name is "Dispose" ? HttpClientUse.Disposed : HttpClientUse.Neutral;
                }

                return conditional.WhenNotNull.WalkDownConversions() is IMemberReferenceOperation { Instance: IConditionalAccessInstanceOperation }
                    ? HttpClientUse.Neutral
                    : HttpClientUse.Escaped;
            case IAssignmentOperation assignment when assignment.Target == child:
                return HttpClientUse.Assigned;
            case IUsingOperation:
                return HttpClientUse.Disposed;
            case IBinaryOperation:
            case IIsPatternOperation:
            case IIsTypeOperation:
            case INameOfOperation:
            case IExpressionStatementOperation:
                return HttpClientUse.Neutral;
            default:
                return HttpClientUse.Escaped;
        }
    }
}
