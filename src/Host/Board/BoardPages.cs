using Microsoft.Net.Http.Headers;

namespace Supervision.Host.Board;

/// <summary>
/// The light board's page and its script and style, served from <c>wwwroot</c> beside the program. The page itself
/// holds no data (it signs in and reads the API), so it is served without sign-in; <c>/items/{id}</c> (the links in
/// notices) opens the same page on that item, <c>/imports</c> and <c>/imports/{id}</c> on the plan imports, <c>/reports</c>
/// on the reports (statistics, scores, exports and circulations; the period is in its query). Pages carry a strict
/// Content-Security-Policy: scripts, styles and connections only from this server, nothing inline, no framing.
/// </summary>
public static class BoardPages
{
    private const string Policy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static WebApplication UseBoardPages(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            if (!path.StartsWithSegments("/api") && !path.StartsWithSegments("/health") && !path.StartsWithSegments("/openapi"))
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = Policy;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
            }

            // The board's own addresses show the page; the script reads the path.
            if (HttpMethods.IsGet(context.Request.Method) && IsPage(path))
            {
                context.Request.Path = "/index.html";
            }

            await next(context);
        });
        app.UseStaticFiles(new StaticFileOptions
        {
            OnPrepareResponse = file =>
            {
                // Always revalidate, so a new version of the board is picked up at the next load.
                file.Context.Response.Headers[HeaderNames.CacheControl] = "no-cache";
            },
        });
        return app;
    }

    // "/", "/items/{id}", "/imports", "/imports/{id}" and "/reports": the addresses the script routes on.
    private static bool IsPage(PathString path) =>
        path == "/" || path == "/imports" || path == "/reports" || IsNumbered(path, "/items") || IsNumbered(path, "/imports");

    private static bool IsNumbered(PathString path, string prefix) =>
        path.StartsWithSegments(prefix, out var rest) && long.TryParse(rest.Value?.TrimStart('/'), out _);
}
