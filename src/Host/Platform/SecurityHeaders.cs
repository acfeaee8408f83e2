namespace Supervision.Host.Platform;

/// <summary>
/// What every answer says about how to keep it: <c>/api/*</c> answers carry <c>X-Content-Type-Options: nosniff</c>
/// and <c>Cache-Control: no-store</c> (they hold an office's work; no shared or browser cache may keep them), and over
/// https every answer carries HSTS (a year), loopback included, so an office served over TLS is never reached in the
/// clear again. The pages set their own policy (see <c>BoardPages</c>).
/// </summary>
public static class SecurityHeaders
{
    public static IServiceCollection AddSupervisionSecurityHeaders(this IServiceCollection services) =>
        services.AddHsts(o =>
        {
            o.MaxAge = TimeSpan.FromDays(365);
            o.ExcludedHosts.Clear();
        });

    public static WebApplication UseSupervisionSecurityHeaders(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseHsts();
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/api"))
            {
                var response = context.Response;
                response.OnStarting(() =>
                {
                    response.Headers.XContentTypeOptions = "nosniff";
                    response.Headers.CacheControl = "no-store";
                    return Task.CompletedTask;
                });
            }

            await next(context);
        });
        return app;
    }
}
