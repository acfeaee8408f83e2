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
    public Task<Actor> ForAsync(ClaimsPrincipal principal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(principal);
        return ForAsync(principal.Identity?.Name ?? throw new InvalidOperationException("Nobody is signed in."), cancellationToken);
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

        if (!Roles.TryParse(user.Role, out var role))
        {
            throw new WorkflowRefusedException(RefusalKind.Forbidden, $"user '{login}' has no known role");
        }

        var scope = directory.Subtree(user.DepartmentId);
        return new Actor(user.Login, role, user.DepartmentId, role == Role.Handler ? new HashSet<long> { user.DepartmentId } : scope);
    }
}
