namespace Supervision.Host.Platform;

/// <summary>
/// What every answer says about how to treat it: <c>/api/*</c> answers carry <c>X-Content-Type-Options: nosniff</c>
/// and <c>Cache-Control: no-store</c> (they hold an office's work; no shared or browser cache may keep them); pages
/// (the board, the jobs dashboard, printable circulations) a strict Content-Security-Policy (scripts, styles and
/// connections only from this server, nothing inline, no framing; a page may tighten it), nosniff, no framing and no
/// referrer; and over https every answer carries HSTS (a year), loopback included, so an office served over TLS is
/// never reached in the clear again.
/// </summary>
public static class SecurityHeaders
{
    private const string PagePolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static IServiceCollection AddSupervisionSecurityHeaders(this IServiceCollection services) =>
        services.AddHsts(o =>
        {
            o.MaxAge = TimeSpan.FromDays(365);
            o.ExcludedHosts.Clear();
        });

    /// <summary>The configuration key naming the reverse proxies (IP addresses, comma-separated) whose
    /// <c>X-Forwarded-For</c>/<c>X-Forwarded-Proto</c> are believed; none by default, so a client cannot choose the
    /// address its failed sign-ins are counted against.</summary>
    public const string TrustedProxiesKey = "Supervision:TrustedProxies";

    public static WebApplication UseTrustedProxies(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var proxies = (app.Configuration[TrustedProxiesKey] ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (proxies.Length == 0)
        {
            return app;
        }

        var options = new ForwardedHeadersOptions { ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto };
        options.KnownIPNetworks.Clear();
        options.KnownProxies.Clear();
        foreach (var proxy in proxies)
        {
            options.KnownProxies.Add(System.Net.IPAddress.TryParse(proxy, out var address)
                ? address
                : throw new InvalidOperationException($"{TrustedProxiesKey}: '{proxy}' is not an IP address"));
        }

        app.UseForwardedHeaders(options);
        return app;
    }

    public static WebApplication UseSupervisionSecurityHeaders(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseHsts();
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            var response = context.Response;
            if (path.StartsWithSegments("/api"))
            {
                response.OnStarting(() =>
                {
                    response.Headers.XContentTypeOptions = "nosniff";
                    response.Headers.CacheControl = "no-store";
                    return Task.CompletedTask;
                });
            }
            else if (!path.StartsWithSegments("/health") && !path.StartsWithSegments("/openapi"))
            {
                // Set now, so that a page answering with a stricter policy of its own replaces it.
                response.Headers.ContentSecurityPolicy = PagePolicy;
                response.Headers.XContentTypeOptions = "nosniff";
                response.Headers.XFrameOptions = "DENY";
                response.Headers["Referrer-Policy"] = "no-referrer";
            }

            await next(context);
        });
        return app;
    }
}
