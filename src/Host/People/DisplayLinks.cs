using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.HttpResults;
using Supervision.Engine.Workflows;
using Supervision.Host.Platform;
using Supervision.Host.Storage;

namespace Supervision.Host.People;

/// <summary>A display link as listed (never its key).</summary>
public sealed record DisplayLinkView(long Id, string Name, DepartmentRef Department, string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt);

/// <summary>A display link just made: <see cref="Url"/> opens the wall with its key, shown this once.</summary>
public sealed record CreatedDisplayLink(long Id, string Name, DepartmentRef Department, string Key, string Url);

/// <summary>POST /api/display-session: the key of a display link.</summary>
public sealed record DisplaySessionRequest(string? Key);

/// <summary>The display links (<c>display_links</c>), stored by the key's SHA-256 only.</summary>
public sealed class DisplayLinkStore(Database database, TimeProvider clock)
{
    private sealed record Row
    {
        public long Id { get; init; }
        public string Name { get; init; } = string.Empty;
        public long DepartmentId { get; init; }
        public string CreatedBy { get; init; } = string.Empty;
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset? RevokedAt { get; init; }
        public DateTimeOffset? LastUsedAt { get; init; }
    }

    private const string Columns = "id AS Id, name AS Name, department_id AS DepartmentId, created_by AS CreatedBy, created_at AS CreatedAt, revoked_at AS RevokedAt, last_used_at AS LastUsedAt";

    internal static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>Makes a link; answers its id and its key (<c>dk_…</c>), which is not stored.</summary>
    internal async Task<(long Id, string Key)> CreateAsync(string name, long departmentId, string by, CancellationToken cancellationToken)
    {
        var key = "dk_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        await using var connection = await database.OpenAsync(cancellationToken);
        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "INSERT INTO display_links (name, department_id, key_hash, created_by, created_at) VALUES (@name, @departmentId, @hash, @by, @now) RETURNING id",
            new { name, departmentId, hash = Hash(key), by, now = clock.GetUtcNow() }, cancellationToken: cancellationToken));
        return (id, key);
    }

    /// <summary>Every link, newest first, with the department each shows.</summary>
    internal async Task<IReadOnlyList<(long Id, string Name, long DepartmentId, string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt)>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<Row>(new CommandDefinition($"SELECT {Columns} FROM display_links ORDER BY id DESC", cancellationToken: cancellationToken)))
            .Select(r => (r.Id, r.Name, r.DepartmentId, r.CreatedBy, r.CreatedAt, r.RevokedAt, r.LastUsedAt)).ToList();
    }

    /// <summary>Revokes a live link; false when there is none.</summary>
    internal async Task<bool> RevokeAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition("UPDATE display_links SET revoked_at = @now WHERE id = @id AND revoked_at IS NULL",
            new { id, now = clock.GetUtcNow() }, cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>The live link with this key (its id, name, department), or null; records its use (to the minute).</summary>
    internal async Task<(long Id, string Name, long DepartmentId)?> OpenAsync(string key, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM display_links WHERE key_hash = @hash AND revoked_at IS NULL", new { hash = Hash(key) }, cancellationToken: cancellationToken));
        if (row is null)
        {
            return null;
        }

        await connection.ExecuteAsync(new CommandDefinition("UPDATE display_links SET last_used_at = @now WHERE id = @id", new { id = row.Id, now = clock.GetUtcNow() }, cancellationToken: cancellationToken));
        return (row.Id, row.Name, row.DepartmentId);
    }

    /// <summary>Whether the link is still live (a display's session is checked against it on every request).</summary>
    internal async Task<bool> IsLiveAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition("SELECT id FROM display_links WHERE id = @id AND revoked_at IS NULL", new { id }, cancellationToken: cancellationToken)) is not null;
    }
}

/// <summary>
/// Display links: a wall screen's read-only access to the light board, for weeks, without a person's password.
/// An administrator or supervisor makes one for a department (a supervisor within their own departments) and opens
/// its URL (<c>/wall#key=dk_…</c>; the key stays in the fragment, never in a server's log) on the screen: the page
/// trades the key for a display session (a cookie) that may read the board, its trends and its event stream and
/// nothing else (403), scoped to the department and those below it, and ends at once when the link is revoked.
/// </summary>
public static class DisplayLinks
{
    public const string Role = "display";
    public const string LinkClaim = "display_link";

    public static IEndpointRouteBuilder MapDisplayLinks(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/display-links").WithTags("Board").RequireAuthorization(p => p.RequireRole("admin", "supervisor"));
        api.MapGet("/", async (ClaimsPrincipal user, Actors actors, DisplayLinkStore links, DepartmentStore departments, CancellationToken ct) =>
        {
            var actor = await actors.ForAsync(user, ct);
            var names = (await departments.ListAsync(ct)).ToDictionary(d => d.Id, d => d.Name);
            return TypedResults.Ok((await links.ListAsync(ct)).Where(l => actor.Role == Engine.Workflows.Role.Admin || actor.Scope.Contains(l.DepartmentId))
                .Select(l => new DisplayLinkView(l.Id, l.Name, new DepartmentRef(l.DepartmentId, names.GetValueOrDefault(l.DepartmentId) ?? string.Empty), l.CreatedBy, l.CreatedAt, l.RevokedAt, l.LastUsedAt)).ToList());
        });
        api.MapPost("/", (System.Text.Json.JsonElement body, HttpContext context, ClaimsPrincipal user, Actors actors, DisplayLinkStore links, DepartmentStore departments, CancellationToken ct) => Answer.Command(async () =>
        {
            var fields = JsonMembers.Read(body, ["name", "department"], "a display link");
            var name = JsonMembers.Text(fields, "name")?.Trim();
            var departmentText = JsonMembers.Text(fields, "department") ?? throw new WorkflowRefusedException(RefusalKind.Invalid, "department: required (name, alias or id of the department whose board the screen shows)");
            if (string.IsNullOrEmpty(name) || name.Length > 100)
            {
                throw new WorkflowRefusedException(RefusalKind.Invalid, "name: what the screen is, 1 to 100 characters (e.g. 会议室大屏)");
            }

            var actor = await actors.ForAsync(user, ct);
            var department = AdminDepartments.Find(await departments.ListAsync(ct), departmentText) ?? throw new WorkflowRefusedException(RefusalKind.Invalid, $"department: no department named '{departmentText}'");
            if (actor.Role != Engine.Workflows.Role.Admin && !actor.Scope.Contains(department.Id))
            {
                throw new WorkflowRefusedException(RefusalKind.Forbidden, $"department: {department.Name} is not one of your departments");
            }

            var (id, key) = await links.CreateAsync(name, department.Id, actor.Login, ct);
            AccessLog.Describe(context, string.Create(CultureInfo.InvariantCulture, $"display link {id} '{name}' made for {department.Name}"));
            return TypedResults.Created(string.Create(CultureInfo.InvariantCulture, $"/api/display-links/{id}"), new CreatedDisplayLink(id, name, new DepartmentRef(department.Id, department.Name), key, $"/wall#key={key}"));
        }));
        api.MapDelete("/{id:long}", (long id, HttpContext context, ClaimsPrincipal user, Actors actors, DisplayLinkStore links, CancellationToken ct) => Answer.Command(async () =>
        {
            var actor = await actors.ForAsync(user, ct);
            var link = (await links.ListAsync(ct)).FirstOrDefault(l => l.Id == id && l.RevokedAt is null && (actor.Role == Engine.Workflows.Role.Admin || actor.Scope.Contains(l.DepartmentId)));
            if (link.Id == 0 || !await links.RevokeAsync(id, ct))
            {
                throw new KeyNotFoundException($"No live display link {id} of yours.");
            }

            AccessLog.Describe(context, string.Create(CultureInfo.InvariantCulture, $"display link {id} '{link.Name}' revoked"));
            return TypedResults.NoContent();
        }));
        endpoints.MapPost("/api/display-session", OpenSessionAsync).WithTags("Board").AllowAnonymous();
        return endpoints;
    }

    private static async Task<Results<Ok<DepartmentRef>, UnauthorizedProblem, TooManyProblem>> OpenSessionAsync(DisplaySessionRequest body, HttpContext context, DisplayLinkStore links,
        DepartmentStore departments, SignInThrottle throttle, TimeProvider clock, CancellationToken ct)
    {
        string[] keys = [SignInThrottle.AddressKey(context.Connection.RemoteIpAddress)];
        if (await throttle.WaitAsync(keys, ct) is { } wait)
        {
            return new TooManyProblem("Too many failed attempts", $"Too many unknown display keys from this address; try again in {Math.Ceiling(wait.TotalSeconds)} seconds.", wait);
        }

        if (string.IsNullOrWhiteSpace(body.Key) || await links.OpenAsync(body.Key.Trim(), ct) is not { } link)
        {
            await throttle.FailedAsync(keys, ct);
            return new UnauthorizedProblem("Display link not valid", "The display link is unknown or was revoked; ask an administrator or supervisor for a new one.");
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.Name, string.Create(CultureInfo.InvariantCulture, $"display:{link.Id}")),
            new Claim(ClaimTypes.Role, Role),
            new Claim(Authentication.DepartmentClaim, link.DepartmentId.ToString(CultureInfo.InvariantCulture)),
            new Claim(LinkClaim, link.Id.ToString(CultureInfo.InvariantCulture)),
        ], CookieAuthenticationDefaults.AuthenticationScheme));
        // A wall screen stays signed in: a persistent cookie, renewed while the page reads.
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal, new AuthenticationProperties { IsPersistent = true });
        AccessLog.Describe(context, string.Create(CultureInfo.InvariantCulture, $"display link {link.Id} '{link.Name}' opened"));
        var department = await departments.GetAsync(link.DepartmentId, ct);
        return TypedResults.Ok(new DepartmentRef(link.DepartmentId, department?.Name ?? string.Empty));
    }

    /// <summary>
    /// A display session reads the board, its trends and its events, may open itself again or end; every other API
    /// route answers it 403. Pages still load (the wall).
    /// </summary>
    public static readonly SessionLimit Screen = new(
        context => context.User.IsInRole(Role),
        [("GET", "/api/board"), ("GET", "/api/board/trends"), ("GET", "/api/events"), ("POST", "/api/display-session"), ("DELETE", "/api/session")],
        "Forbidden",
        "A display link shows the light board only.");
}
