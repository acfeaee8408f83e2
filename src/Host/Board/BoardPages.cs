using Microsoft.Net.Http.Headers;

namespace Supervision.Host.Board;

/// <summary>
/// The light board's page and its script and style, served from <c>wwwroot</c> beside the program. The page itself
/// holds no data (it signs in and reads the API), so it is served without sign-in; <c>/items/{id}</c> (the links in
/// notices) opens the same page on that item, <c>/imports</c> and <c>/imports/{id}</c> on the plan imports, <c>/reports</c>
/// on the reports (statistics, scores, exports and circulations; the period is in its query), <c>/displays</c> on the
/// wall's display links (supervisors and administrators); <c>/admin</c> and
/// <c>/admin/{section}</c> show the administration's page (<c>admin.html</c>). Pages carry a strict
/// Content-Security-Policy (see <c>Platform/SecurityHeaders</c>).
/// </summary>
public static class BoardPages
{
    public static WebApplication UseBoardPages(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            // The board's own addresses show the page; the script reads the path.
            if (HttpMethods.IsGet(context.Request.Method) && IsPage(path))
            {
                context.Request.Path = "/index.html";
            }
            else if (HttpMethods.IsGet(context.Request.Method) && IsAdministration(path))
            {
                context.Request.Path = "/admin.html";
            }
            else if (HttpMethods.IsGet(context.Request.Method) && path == "/wall")
            {
                // The big screen (a display link's key in the fragment, or a signed-in supervisor).
                context.Request.Path = "/wall.html";
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

    // "/", "/board", "/my", "/items/{id}", "/imports", "/imports/{id}", "/reports" and "/displays": the addresses the script routes on.
    private static bool IsPage(PathString path) =>
        path == "/" || path == "/board" || path == "/my" || path == "/imports" || path == "/reports" || path == "/displays" || IsNumbered(path, "/items") || IsNumbered(path, "/imports");

    // "/admin" and "/admin/{section}": the administration's page (its script asks the API, which only answers administrators).
    private static bool IsAdministration(PathString path) =>
        path == "/admin" || (path.StartsWithSegments("/admin", out var rest) && rest.Value is { Length: > 1 } section && section.IndexOf('/', 1) < 0 && section[1..].All(c => char.IsAsciiLetterLower(c) || c == '-'));

    private static bool IsNumbered(PathString path, string prefix) =>
        path.StartsWithSegments(prefix, out var rest) && long.TryParse(rest.Value?.TrimStart('/'), out _);
}
