using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;
using Supervision.Engine.Organisation;

namespace Supervision.Host.Api;

/// <summary>
/// Who is calling: programs send <c>Authorization: Bearer sv_…</c> (personal API tokens); people using the board
/// sign in with their password and carry a cookie. Both end as the same claims: the login, the role and the
/// department. Unauthenticated and forbidden calls get RFC 7807 bodies, never redirects.
/// </summary>
public static class Authentication
{
    public const string Scheme = "Supervision";
    public const string BearerScheme = "Bearer";
    public const string DepartmentClaim = "department";

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
                o.Events.OnRedirectToLogin = context => Problems.WriteAsync(context.HttpContext, StatusCodes.Status401Unauthorized, "Not signed in", "Sign in (POST /api/session) or send an API token (Authorization: Bearer …).");
                o.Events.OnRedirectToAccessDenied = context => Problems.WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden, "Forbidden", "Your role does not allow this.");
            });
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder(Scheme).RequireAuthenticatedUser().Build())
            .AddPolicy("admin", p => p.RequireRole("admin"))
            .AddPolicy("supervisor", p => p.RequireRole("supervisor"));
        return services;
    }

    /// <summary>The claims of a signed-in user.</summary>
    public static ClaimsPrincipal Principal(User user, string scheme)
    {
        ArgumentNullException.ThrowIfNull(user);
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, user.Login),
                new Claim(ClaimTypes.Role, user.Role),
                new Claim(DepartmentClaim, user.DepartmentId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ],
            scheme);
        return new ClaimsPrincipal(identity);
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
