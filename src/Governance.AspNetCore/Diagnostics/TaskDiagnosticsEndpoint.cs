using System.Net;
using Microsoft.AspNetCore.Http;

namespace Governance.AspNetCore;

/// <summary>
/// Serves the task census as pprof serves <c>/debug/pprof/goroutine</c>: <c>?debug=1</c> groups the live units by
/// creation site, <c>?debug=2</c> lists every unit, <c>?format=json</c> answers in JSON.
/// </summary>
/// <remarks>
/// The response holds only what the census holds — sites, owners, ages, states, explicit labels and the runtime's
/// figures — never anything of a request. It is never cached.
/// </remarks>
internal static class TaskDiagnosticsEndpoint
{
    private const string Usage = "use debug=1 (grouped by site) or debug=2 (every unit), and format=text or format=json";

    internal static RequestDelegate Create(bool loopbackOnly) => context => HandleAsync(context, loopbackOnly);

    private static Task HandleAsync(HttpContext context, bool loopbackOnly)
    {
        var response = context.Response;

        // Before anything else, so that a remote caller learns nothing: not the methods, not the parameters.
        if (loopbackOnly && !IsLoopback(context.Connection.RemoteIpAddress))
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";
        var request = context.Request;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            response.Headers.Allow = "GET, HEAD";
            return Task.CompletedTask;
        }

        if (!TryParse(request.Query, out var detail, out var json, out var error))
        {
            response.StatusCode = StatusCodes.Status400BadRequest;
            response.ContentType = "text/plain; charset=utf-8";
            return response.WriteAsync(error + "\n", context.RequestAborted);
        }

        var snapshot = TaskCensus.Snapshot();
        string body;
        if (json)
        {
            response.ContentType = "application/json; charset=utf-8";
            body = snapshot.ToJson(includeUnits: detail == CensusTextDetail.Units);
        }
        else
        {
            response.ContentType = "text/plain; charset=utf-8";
            body = snapshot.ToText(detail);
        }

        return HttpMethods.IsHead(request.Method) ? Task.CompletedTask : response.WriteAsync(body, context.RequestAborted);
    }

    /// <summary>Whether the peer is this machine. No address (an in-memory or Unix-socket transport) is not loopback: the endpoint fails closed.</summary>
    internal static bool IsLoopback(IPAddress? remote) =>
        remote is not null && IPAddress.IsLoopback(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote);

    /// <summary>
    /// Reads <c>debug</c> and <c>format</c> (names in any case, each at most once); anything else is refused with a
    /// one-line reason. The reason never repeats what the caller sent: nothing of a request is ever written back.
    /// </summary>
    private static bool TryParse(IQueryCollection query, out CensusTextDetail detail, out bool json, out string? error)
    {
        detail = CensusTextDetail.Grouped;
        json = false;
        error = null;
        foreach (var (name, values) in query)
        {
            var value = values.Count == 1 ? values[0] : null;
            if (string.Equals(name, "debug", StringComparison.OrdinalIgnoreCase))
            {
                switch (value)
                {
                    case "1": detail = CensusTextDetail.Grouped; break;
                    case "2": detail = CensusTextDetail.Units; break;
                    default: error = $"Bad parameter debug: {Usage}."; return false;
                }
            }
            else if (string.Equals(name, "format", StringComparison.OrdinalIgnoreCase))
            {
                switch (value)
                {
                    case "text": json = false; break;
                    case "json": json = true; break;
                    default: error = $"Bad parameter format: {Usage}."; return false;
                }
            }
            else
            {
                error = $"Unknown parameter (only debug and format are read): {Usage}.";
                return false;
            }
        }

        return true;
    }
}
