using Microsoft.AspNetCore.Http.HttpResults;
using Supervision.Host.Platform;

namespace Supervision.Host.People;

/// <summary>
/// <c>GET /api/admin/sign-in-locks</c>: the logins and client addresses that must wait before signing in again or are
/// locked, with their failures; <c>DELETE /api/admin/sign-in-locks?key=login:zhang</c> lifts one (administrators).
/// </summary>
public static class SignInLocksApi
{
    public static IEndpointRouteBuilder MapSignInLocks(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/admin/sign-in-locks").WithTags("Session").RequireAuthorization("admin");
        api.MapGet("/", async (SignInThrottle throttle, CancellationToken ct) => TypedResults.Ok(await throttle.HeldAsync(ct)));
        api.MapDelete("/", async Task<Results<NoContent, NotFoundProblem>> (string key, SignInThrottle throttle, CancellationToken ct) =>
            await throttle.ClearAsync(key, ct) ? TypedResults.NoContent() : new NotFoundProblem("Not found", $"No failed sign-ins are counted against '{key}'."));
        return endpoints;
    }
}
