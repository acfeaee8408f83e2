using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;
using Supervision.Engine.Organisation;
using Supervision.Host.Platform;

namespace Supervision.Host.People;

/// <summary>
/// Who is calling: programs send <c>Authorization: Bearer sv_…</c> (personal API tokens); people using the board
/// sign in with their password and carry a cookie. Both end as the same claims: the login, the role and the
/// department. Unauthenticated and forbidden calls get RFC 7807 bodies, never redirects.
/// A sign-in cookie is checked against the user's record on every request (<see cref="SessionCheck"/>): it ends when
/// the user signs out everywhere, gets a new password, is disabled or changes role or department, after 10 hours
/// without use, and at the latest <c>Supervision:Sessions:Lifetime</c> (default 12 hours) after signing in.
/// </summary>
public static class Authentication
{
    public const string Scheme = "Supervision";
    public const string BearerScheme = "Bearer";
    public const string DepartmentClaim = "department";
    public const string SessionClaim = "session";
    public const string SignedInClaim = "signed_in";

    public static IServiceCollection AddSupervisionAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "Bearer token or sign-in cookie", o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? BearerScheme
                    : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddScheme<AuthenticationSchemeOptions, BearerTokenHandler>(BearerScheme, null)
            .AddCookie(CookieAuthenticationDefaults.AuthenticationScheme, o =>
            {
                o.Cookie.Name = "supervision";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.ExpireTimeSpan = TimeSpan.FromHours(10);
                o.SlidingExpiration = true;
                o.Events.OnValidatePrincipal = SessionCheck.ValidateAsync;
                o.Events.OnRedirectToLogin = context => Problems.WriteAsync(context.HttpContext, StatusCodes.Status401Unauthorized, "Not signed in",
                    (context.HttpContext.Items[SessionCheck.EndedKey] is string ended ? $"Your session has ended ({ended}). " : string.Empty)
                    + "Sign in (POST /api/session) or send an API token (Authorization: Bearer …).");
                o.Events.OnRedirectToAccessDenied = context => Problems.WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden, "Forbidden", "Your role does not allow this.");
            });
        // Behind a reverse proxy that ends TLS the server itself sees plain HTTP; when the address people use is https
        // (Supervision:PublicUrl), the cookie is marked Secure regardless, so a browser never sends it unencrypted.
        services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme).Configure<IConfiguration>((o, configuration) =>
        {
            if (configuration["Supervision:PublicUrl"] is { } url && url.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            {
                o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            }
        });
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder(Scheme).RequireAuthenticatedUser().Build())
            .AddPolicy("admin", p => p.RequireRole("admin"))
            .AddPolicy("supervisor", p => p.RequireRole("supervisor"));
        return services;
    }

    /// <summary>The claims of a signed-in user; a sign-in session also carries the user's session stamp and when it
    /// began.</summary>
    public static ClaimsPrincipal Principal(User user, string scheme, DateTimeOffset? signedIn = null)
    {
        ArgumentNullException.ThrowIfNull(user);
        var claims = new List<Claim>
        {
            new(ClaimTypes.Name, user.Login),
            new(ClaimTypes.Role, user.Role),
            new(DepartmentClaim, user.DepartmentId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };
        if (signedIn is { } at)
        {
            claims.Add(new Claim(SessionClaim, user.SessionStamp.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            claims.Add(new Claim(SignedInClaim, at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme));
    }
}

/// <summary>
/// Checks a sign-in cookie against the user's record: the user still exists and is active, has the role and
/// department the cookie says, has not signed out everywhere or changed password since (the session stamp), and the
/// session began less than <c>Supervision:Sessions:Lifetime</c> ago. Anything else ends the session: the cookie is
/// cleared and the request answered 401 saying why.
/// </summary>
internal static class SessionCheck
{
    public const string EndedKey = "session-ended";

    /// <summary>Set on a request whose session belongs to a person who must choose their own password first.</summary>
    public const string MustChangeKey = "must-change-password";

    /// <summary>
    /// Until a person whose password an administrator set has chosen their own, their session may read who it is,
    /// sign out and change the password, nothing else (403 saying so); pages still load, to show the form.
    /// </summary>
    public static readonly SessionLimit PasswordFirst = new(
        context => context.Items.ContainsKey(MustChangeKey),
        [("GET", "/api/session"), ("DELETE", "/api/session"), ("PUT", "/api/session/password")],
        "Password change required",
        "Choose your own password first (PUT /api/session/password with the current and the new one).");

    /// <summary>Answers 403 to a limited session (<see cref="PasswordFirst"/>, a display link's <see cref="DisplayLinks.Screen"/>)
    /// calling an API route it may not; everything else goes on.</summary>
    public static WebApplication UseSessionLimits(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        SessionLimit[] limits = [PasswordFirst, DisplayLinks.Screen];
        app.Use(async (context, next) =>
        {
            if (limits.FirstOrDefault(l => l.Refuses(context)) is { } limit)
            {
                await Problems.WriteAsync(context, StatusCodes.Status403Forbidden, limit.Title, limit.Detail);
                return;
            }

            await next(context);
        });
        return app;
    }

    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal!;
        var services = context.HttpContext.RequestServices;
        // A wall screen's display session lives as long as its link: no person, no lifetime, ended when revoked.
        if (principal.FindFirst(DisplayLinks.LinkClaim)?.Value is { } link)
        {
            if (!long.TryParse(link, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var linkId)
                || !await services.GetRequiredService<DisplayLinkStore>().IsLiveAsync(linkId, context.HttpContext.RequestAborted))
            {
                context.HttpContext.Items[EndedKey] = "the display link was revoked";
                context.RejectPrincipal();
                await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            }

            return;
        }

        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var lifetime = services.GetRequiredService<IConfiguration>().GetValue("Supervision:Sessions:Lifetime", TimeSpan.FromHours(12));
        var user = principal.Identity?.Name is { } login ? await services.GetRequiredService<Supervision.Host.People.UserStore>().FindByLoginAsync(login, context.HttpContext.RequestAborted) : null;
        var stamp = principal.FindFirst(Authentication.SessionClaim)?.Value;
        var signedIn = long.TryParse(principal.FindFirst(Authentication.SignedInClaim)?.Value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds) : (DateTimeOffset?)null;
        var ended =
            user is null || !user.Active ? "the account is disabled or gone"
            : stamp != user.SessionStamp.ToString(System.Globalization.CultureInfo.InvariantCulture) ? "signed out everywhere, or the password was changed"
            : !principal.IsInRole(user.Role) || principal.FindFirst(Authentication.DepartmentClaim)?.Value != user.DepartmentId.ToString(System.Globalization.CultureInfo.InvariantCulture) ? "the account's role or department changed"
            : signedIn is not { } began || now - began > lifetime ? $"signed in more than {lifetime.TotalHours:0.#} hours ago"
            : null;
        if (ended is null && user!.MustChangePassword)
        {
            context.HttpContext.Items[MustChangeKey] = true;
        }

        if (ended is not null)
        {
            context.HttpContext.Items[EndedKey] = ended;
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        }
    }
}

/// <summary>Checks <c>Authorization: Bearer</c> tokens against their stored hashes.</summary>
internal sealed class BearerTokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, Credentials credentials)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var token = header["Bearer ".Length..].Trim();
        var user = token.Length == 0 ? null : await credentials.CheckTokenAsync(token, Context.RequestAborted);
        return user is null
            ? AuthenticateResult.Fail("The API token is unknown or revoked.")
            : AuthenticateResult.Success(new AuthenticationTicket(Authentication.Principal(user, Scheme.Name), Scheme.Name));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        Problems.WriteAsync(Context, StatusCodes.Status401Unauthorized, "Not authenticated",
            Request.Headers.Authorization.Count > 0 ? "The API token is unknown or revoked." : "Send an API token (Authorization: Bearer …) or sign in.");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.WriteAsync(Context, StatusCodes.Status403Forbidden, "Forbidden", "Your role does not allow this.");
}

/// <summary>
/// A kind of session that may call only some API routes (pages still load): whom it <see cref="Applies"/> to, the
/// routes it may call (method and exact path), and the problem every other API route answers it with.
/// </summary>
public sealed record SessionLimit(Func<HttpContext, bool> Applies, IReadOnlyList<(string Method, string Path)> Allowed, string Title, string Detail)
{
    /// <summary>Whether this request is one the limited session may not make.</summary>
    public bool Refuses(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        return request.Path.StartsWithSegments("/api") && Applies(context)
            && !Allowed.Any(a => string.Equals(a.Method, request.Method, StringComparison.OrdinalIgnoreCase) && request.Path.Equals(a.Path, StringComparison.OrdinalIgnoreCase));
    }
}
