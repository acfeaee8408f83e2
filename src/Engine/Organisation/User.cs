namespace Supervision.Engine.Organisation;

/// <summary>
/// A person who signs in: a handler acting on items of their department, a department lead, a supervisor watching
/// the board of their office's subtree, or an administrator.
/// </summary>
public sealed record User
{
    /// <summary>Storage identity; 0 before the user is first saved.</summary>
    public long Id { get; init; }

    /// <summary>The sign-in name, unique.</summary>
    public required string Login { get; init; }

    /// <summary>The name shown to others.</summary>
    public required string DisplayName { get; init; }

    /// <summary>The department the user belongs to.</summary>
    public required long DepartmentId { get; init; }

    /// <summary>What the user may do: <c>handler</c>, <c>lead</c>, <c>supervisor</c> or <c>admin</c>.</summary>
    public required string Role { get; init; }

    /// <summary>False once the user has left; history keeps their login.</summary>
    public bool Active { get; init; } = true;

    /// <summary>Moves on whenever the user's sign-in sessions must end (signed out everywhere, a new password, the
    /// account disabled); a session started under an older stamp is refused.</summary>
    public int SessionStamp { get; init; }

    /// <summary>An administrator set the password: the person chooses their own before doing anything else.</summary>
    public bool MustChangePassword { get; init; }
}
