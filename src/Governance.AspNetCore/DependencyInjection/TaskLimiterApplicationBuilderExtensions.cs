using Governance.AspNetCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds the request-limiting middleware to the pipeline.</summary>
public static class TaskLimiterApplicationBuilderExtensions
{
    /// <summary>
    /// Holds a slot of the global policy (if any) and of the endpoint's policy (from <see cref="TaskLimitAttribute"/>
    /// or <c>.RequireTaskLimit(name)</c>) for the duration of each request. Place it after <c>UseRouting()</c> so that
    /// the endpoint is known. Options come from <c>services.Configure&lt;TaskLimiterMiddlewareOptions&gt;</c>.
    /// </summary>
    /// <param name="app">The application builder.</param>
    /// <returns>The application builder.</returns>
    public static IApplicationBuilder UseTaskLimiter(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = app.ApplicationServices.GetService<IOptions<TaskLimiterMiddlewareOptions>>()?.Value ?? new TaskLimiterMiddlewareOptions();
        return app.UseMiddleware<TaskLimiterMiddleware>(options);
    }

    /// <summary>Adds the request-limiting middleware with the given options (see <see cref="UseTaskLimiter(IApplicationBuilder)"/>).</summary>
    /// <param name="app">The application builder.</param>
    /// <param name="options">The middleware settings.</param>
    /// <returns>The application builder.</returns>
    public static IApplicationBuilder UseTaskLimiter(this IApplicationBuilder app, TaskLimiterMiddlewareOptions options)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(options);
        return app.UseMiddleware<TaskLimiterMiddleware>(options);
    }

    /// <summary>Puts the endpoints under the named limiter policy (registered with <c>services.AddTaskLimiter(name, ...)</c>).</summary>
    /// <typeparam name="TBuilder">The endpoint convention builder type.</typeparam>
    /// <param name="builder">The endpoints.</param>
    /// <param name="policyName">The limiter's name.</param>
    /// <returns>The builder.</returns>
    public static TBuilder RequireTaskLimit<TBuilder>(this TBuilder builder, string policyName)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var metadata = new TaskLimitAttribute(policyName);
        builder.Add(endpoint => endpoint.Metadata.Add(metadata));
        return builder;
    }
}
