using System.Globalization;
using Hangfire;
using Hangfire.Dashboard;
using Supervision.Host.Platform;

namespace Supervision.Host.Jobs;

/// <summary>
/// Hangfire's dashboard at <c>/jobs</c> (<c>/jobs/recurring</c> the recurring jobs), behind the product's own sign-in
/// (cookie or token): administrators may trigger, requeue and delete, supervisors only look, handlers and leads are
/// refused (403), and someone not signed in is sent to the board's sign-in, which brings them back. Chinese by default
/// like the board; English when the board's language switch says so (its <c>supervision.lang</c> cookie).
/// </summary>
public static class JobsDashboard
{
    public const string Path = "/jobs";

    /// <summary>The cookie the board's language switch sets (<c>zh</c> or <c>en</c>).</summary>
    public const string LanguageCookie = "supervision.lang";

    private static readonly CultureInfo Chinese = CultureInfo.GetCultureInfo("zh-CN");
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en-GB");

    public static WebApplication UseJobsDashboard(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.Services.GetService<IServiceProviderIsService>()?.IsService(typeof(IGlobalConfiguration)) != true)
        {
            // No jobs without a database setting; start-up stops with a plain message a moment later.
            return app;
        }

        app.UseWhen(context => context.Request.Path.StartsWithSegments(Path), branch => branch.Use(async (context, next) =>
        {
            var user = context.User;
            if (user.Identity?.IsAuthenticated != true)
            {
                if (HttpMethods.IsGet(context.Request.Method))
                {
                    context.Response.Redirect("/?next=" + Uri.EscapeDataString(context.Request.Path + context.Request.QueryString));
                    return;
                }

                await Problems.WriteAsync(context, StatusCodes.Status401Unauthorized, "Not signed in", "Sign in on the board first.");
                return;
            }

            if (!MaySee(context))
            {
                await Problems.WriteAsync(context, StatusCodes.Status403Forbidden, "Forbidden", "The jobs dashboard is for administrators and supervisors.");
                return;
            }

            var culture = string.Equals(context.Request.Cookies[LanguageCookie], "en", StringComparison.Ordinal) ? English : Chinese;
            CultureInfo.CurrentCulture = culture;
            CultureInfo.CurrentUICulture = culture;
            await next(context);
        }));
        var options = new DashboardOptions
        {
            // Checked again by Hangfire itself for every dashboard request, the page and its actions alike.
            Authorization = [new ProductRoles()],
            IsReadOnlyFunc = context => !context.GetHttpContext().User.IsInRole("admin"),
            AppPath = "/",
            DashboardTitle = "督办系统 · 后台任务 Jobs",
            DisplayStorageConnectionString = false,
            TimeZoneResolver = app.Services.GetRequiredService<ITimeZoneResolver>(),
        };

        // Hangfire's own UseHangfireDashboard opens the job storage while the pipeline is built, before the
        // migrations could say plainly what is wrong with the database (a read-only disk); this opens it at the first
        // dashboard request instead.
        ((IApplicationBuilder)app).Map(new PathString(Path), branch =>
        {
            AspNetCoreDashboardMiddleware? dashboard = null;
            branch.Run(context =>
            {
                var services = context.RequestServices;
                dashboard ??= new AspNetCoreDashboardMiddleware(
                    _ => Task.CompletedTask, services.GetRequiredService<JobStorage>(), options, services.GetRequiredService<Hangfire.Dashboard.RouteCollection>(), finalizeWhenNotFound: true);
                return dashboard.Invoke(context);
            });
        });
        return app;
    }

    private static bool MaySee(HttpContext context) => context.User.IsInRole("admin") || context.User.IsInRole("supervisor");

    private sealed class ProductRoles : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context) => MaySee(context.GetHttpContext());
    }
}
