using Governance.AspNetCore;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the task census endpoint, the .NET counterpart of Go's <c>/debug/pprof/goroutine</c>.</summary>
public static class TaskDiagnosticsEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Serves the task census (<see cref="Governance.TaskCensus"/>) at <paramref name="pattern"/>:
    /// <c>?debug=1</c> (the default) groups the live governed units by creation site with their count, oldest age and
    /// states; <c>?debug=2</c> lists every unit with its owner, state, age and labels; <c>?format=json</c> answers in
    /// JSON (with <c>debug=2</c>, the units too). The runtime's figures (thread pool, timers, GC heap, working set) come
    /// with each answer. Responses are <c>text/plain</c> or <c>application/json</c> with <c>Cache-Control: no-store</c>;
    /// any other parameter is refused with 400 and a one-line reason.
    /// </summary>
    /// <remarks>
    /// <para>Nothing is served unless this is called. Once mapped, only loopback callers are answered and any other
    /// caller gets 404, whatever the method, as if nothing were mapped — unless
    /// <see cref="TaskDiagnosticsOptions.AuthorizationPolicy"/> is set: then the endpoint requires that policy and
    /// answers every caller who satisfies it.</para>
    /// <para>The answer holds sites, owners, ages, states, the labels code set on purpose and runtime figures — never
    /// headers, query strings, bodies or arguments of any request.</para>
    /// </remarks>
    /// <param name="endpoints">The endpoint route builder (the app).</param>
    /// <param name="pattern">The route, such as <c>"/debug/tasks"</c>.</param>
    /// <param name="configure">Sets the authorization policy; optional.</param>
    /// <returns>The endpoint's convention builder, to add metadata.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="endpoints"/> or <paramref name="pattern"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><see cref="TaskDiagnosticsOptions.AuthorizationPolicy"/> is empty or white space.</exception>
    public static IEndpointConventionBuilder MapTaskDiagnostics(
        this IEndpointRouteBuilder endpoints, string pattern, Action<TaskDiagnosticsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);
        var options = new TaskDiagnosticsOptions();
        configure?.Invoke(options);
        if (options.AuthorizationPolicy is { } policy && string.IsNullOrWhiteSpace(policy))
        {
            throw new ArgumentException("TaskDiagnosticsOptions.AuthorizationPolicy must be null (loopback only) or a policy name.", nameof(configure));
        }

        // Every method is routed here, so that a remote caller gets 404 for all of them rather than a 405 that would
        // reveal the route; the handler answers 405 to local or authorized callers.
        var builder = endpoints.Map(pattern, TaskDiagnosticsEndpoint.Create(loopbackOnly: options.AuthorizationPolicy is null))
            .WithDisplayName("Governance task census")
            .ExcludeFromDescription();
        if (options.AuthorizationPolicy is { } name)
        {
            builder.RequireAuthorization(name);
        }

        return builder;
    }
}
