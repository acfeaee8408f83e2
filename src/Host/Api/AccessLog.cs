using Dapper;
using Supervision.Host.Storage;

namespace Supervision.Host.Api;

/// <summary>
/// Records every attempt to act through the API (any method but GET and HEAD): who, what, the status, allowed or
/// not, and the refusal's reason. Written after the response, in its own statement, so a refused action's rollback
/// does not take its record with it.
/// </summary>
internal sealed class AccessLog(RequestDelegate next, Database database, TimeProvider clock, ILogger<AccessLog> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method) || !context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
        {
            await next(context);
            return;
        }

        await next(context);
        var status = context.Response.StatusCode;
        try
        {
            await using var connection = await database.OpenAsync(CancellationToken.None);
            await connection.ExecuteAsync(
                "INSERT INTO access_log (at, actor, method, path, status, allowed, reason) VALUES (@at, @actor, @method, @path, @status, @allowed, @reason)",
                new
                {
                    at = clock.GetUtcNow(),
                    actor = context.User.Identity?.IsAuthenticated == true ? context.User.Identity.Name : "anonymous",
                    method = context.Request.Method,
                    path = context.Request.Path.Value,
                    status,
                    allowed = status < 400,
                    reason = status is 401 or 403 or 409 or 422 ? context.Items["problem"] as string : null,
                });
        }
        catch (System.Data.Common.DbException e)
        {
            logger.LogError(e, "Could not record access to {Path}", context.Request.Path);
        }
    }
}
