using System.Security.Claims;
using Mediator;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.HttpResults;
using Supervision.Host.Platform;

namespace Supervision.Host.People;

/// <summary>POST /api/session.</summary>
public sealed record SignIn(string? Login, string? Password);

/// <summary>Who is signed in; <see cref="MustChangePassword"/>: they must choose their own password before anything else.</summary>
public sealed record SessionUser(string Login, string DisplayName, string Role, DepartmentRef Department, bool MustChangePassword = false);

/// <summary>PUT /api/session/password: the current password and the new one.</summary>
public sealed record PasswordChange(string? Current, string? New);

/// <summary>Signing in with a password (a cookie for the board), signing out, and who am I.</summary>
public static class SessionApi
{
    public static IEndpointRouteBuilder MapSession(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/session").WithTags("Session");
        api.MapPost("/", SignInAsync).AllowAnonymous();
        // Signing out ends this browser's session; with ?everywhere=true every session of the user (other browsers,
        // a cookie that may have been copied) ends too.
        api.MapDelete("/", async (HttpContext context, ClaimsPrincipal principal, ISender sender, CancellationToken ct, bool everywhere = false) =>
        {
            if (everywhere)
            {
                await sender.Send(new ChangeAccess(principal.Identity!.Name!, AccessChange.SignOut), ct);
            }

            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return TypedResults.NoContent();
        });
        api.MapGet("/", MeAsync);
        api.MapPut("/password", ChangePasswordAsync);
        return endpoints;
    }

    private static async Task<Results<Ok<SessionUser>, UnauthorizedProblem, TooManyProblem>> SignInAsync(SignIn body, HttpContext context, Credentials credentials, SignInThrottle throttle, DepartmentStore departments, TimeProvider clock, CancellationToken ct)
    {
        // Counted per login (known or not, alike) and per client address, before any password is looked at.
        string[] keys = [SignInThrottle.LoginKey(body.Login ?? string.Empty), SignInThrottle.AddressKey(context.Connection.RemoteIpAddress)];
        if (await throttle.WaitAsync(keys, ct) is { } wait)
        {
            return new TooManyProblem("Too many failed sign-ins", $"Too many failed sign-ins for this user or from this address; try again in {Math.Ceiling(wait.TotalSeconds)} seconds, or ask an administrator to lift the lock.", wait);
        }

        var user = string.IsNullOrWhiteSpace(body.Login) || string.IsNullOrEmpty(body.Password) ? null : await credentials.CheckPasswordAsync(body.Login, body.Password, ct);
        if (user is null)
        {
            await throttle.FailedAsync(keys, ct);
            return new UnauthorizedProblem("Sign-in failed", "Unknown user or wrong password.");
        }

        await throttle.ClearAsync(keys[0], ct);
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, Authentication.Principal(user, CookieAuthenticationDefaults.AuthenticationScheme, clock.GetUtcNow()));
        var department = await departments.GetAsync(user.DepartmentId, ct);
        return TypedResults.Ok(new SessionUser(user.Login, user.DisplayName, user.Role, new DepartmentRef(user.DepartmentId, department?.Name ?? string.Empty), user.MustChangePassword));
    }

    // The signed-in person replaces their own password: this session goes on (its cookie is issued anew under the new
    // stamp), every other session of theirs ends, and a change the administrator asked for is done.
    private static async Task<Results<NoContent, InvalidProblem, ForbiddenProblem>> ChangePasswordAsync(PasswordChange body, HttpContext context, ClaimsPrincipal principal, Credentials credentials, TimeProvider clock, CancellationToken ct)
    {
        var login = principal.Identity!.Name!;
        if (string.IsNullOrEmpty(body.New) || PasswordPolicy.Problems(login, body.New) is { Count: > 0 })
        {
            return new InvalidProblem("Invalid request", $"new: the password must be {string.Join(", ", PasswordPolicy.Problems(login, body.New ?? string.Empty))}");
        }

        if (string.Equals(body.New, body.Current, StringComparison.Ordinal))
        {
            return new InvalidProblem("Invalid request", "new: must differ from the current password");
        }

        var user = string.IsNullOrEmpty(body.Current) ? null : await credentials.ChangeOwnPasswordAsync(login, body.Current, body.New, ct);
        if (user is null)
        {
            return new InvalidProblem("Invalid request", "current: not your current password");
        }

        if (principal.Identity.AuthenticationType == CookieAuthenticationDefaults.AuthenticationScheme)
        {
            await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, Authentication.Principal(user, CookieAuthenticationDefaults.AuthenticationScheme, clock.GetUtcNow()));
        }

        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<SessionUser>, NotFoundProblem>> MeAsync(ClaimsPrincipal principal, UserStore users, DepartmentStore departments, CancellationToken ct)
    {
        if (await users.FindByLoginAsync(principal.Identity!.Name!, ct) is not { } user)
        {
            return new NotFoundProblem("Not found", "The signed-in user no longer exists.");
        }

        var department = await departments.GetAsync(user.DepartmentId, ct);
        return TypedResults.Ok(new SessionUser(user.Login, user.DisplayName, user.Role, new DepartmentRef(user.DepartmentId, department?.Name ?? string.Empty), user.MustChangePassword));
    }
}
