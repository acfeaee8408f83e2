using System.Security.Claims;
using Supervision.Engine.Organisation;
using Supervision.Engine.Workflows;

namespace Supervision.Host.People;

/// <summary>
/// Who is acting: a signed-in person's role, department and the departments their scope takes in (a handler their
/// own department; a lead, supervisor or administrator their department and every department below it). Decided here
/// once, for the API, the command line and the importer alike.
/// </summary>
public sealed class Actors(UserStore users, DepartmentStore departments)
{
    /// <summary>The actor behind a signed-in principal.</summary>
    public async Task<Actor> ForAsync(ClaimsPrincipal principal, CancellationToken cancellationToken) =>
        await ForAsync(principal, await departments.ListAsync(cancellationToken), cancellationToken);

    /// <summary>
    /// The actor behind a signed-in principal, with the department directory the caller already holds. Signing in
    /// has just read the person for this very request (an API token with its active user in one query; a sign-in
    /// cookie checked against the person's record, active, role, department and session, on every request), so the
    /// principal's role and department are the record as of now and are not read again.
    /// </summary>
    public async Task<Actor> ForAsync(ClaimsPrincipal principal, IReadOnlyList<Department> directory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(principal);
        ArgumentNullException.ThrowIfNull(directory);
        var login = principal.Identity?.Name ?? throw new InvalidOperationException("Nobody is signed in.");
        return principal.Identity.IsAuthenticated
            && principal.FindFirst(ClaimTypes.Role)?.Value is { } role
            && long.TryParse(principal.FindFirst(Authentication.DepartmentClaim)?.Value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var departmentId)
            ? Of(login, role, departmentId, directory)
            : await ForAsync(login, directory, cancellationToken);
    }

    /// <summary>The actor for a login.</summary>
    public async Task<Actor> ForAsync(string login, CancellationToken cancellationToken) =>
        await ForAsync(login, await departments.ListAsync(cancellationToken), cancellationToken);

    /// <summary>The actor for a login, with the department directory the caller already holds.</summary>
    public async Task<Actor> ForAsync(string login, IReadOnlyList<Department> directory, CancellationToken cancellationToken)
    {
        var user = await users.FindByLoginAsync(login, cancellationToken) ?? throw new KeyNotFoundException($"No user '{login}'.");
        if (!user.Active)
        {
            throw new WorkflowRefusedException(RefusalKind.Forbidden, $"user '{login}' is no longer active");
        }

        return Of(user.Login, user.Role, user.DepartmentId, directory);
    }

    // The actor of a person with this role in this department: a handler's scope is their department, anyone
    // else's their department and every department below it.
    private static Actor Of(string login, string roleText, long departmentId, IReadOnlyList<Department> directory)
    {
        // A wall screen's display link reads the board of its department and those below it, as a supervisor there
        // would (it may call nothing else: see DisplayLinks.Screen).
        if (roleText == DisplayLinks.Role)
        {
            return new Actor(login, Role.Supervisor, departmentId, directory.Subtree(departmentId));
        }

        if (!Roles.TryParse(roleText, out var role))
        {
            throw new WorkflowRefusedException(RefusalKind.Forbidden, $"user '{login}' has no known role");
        }

        var scope = directory.Subtree(departmentId);
        return new Actor(login, role, departmentId, role == Role.Handler ? new HashSet<long> { departmentId } : scope);
    }
}
