namespace Supervision.Engine.Workflows;

/// <summary>Who acts at a step. Handlers act for their own department; leads also for its sub-departments;
/// supervisors for the subtree of their office (review steps); administrators manage the system.</summary>
public enum Role
{
    Handler,
    Lead,
    Supervisor,
    Admin,
}

/// <summary>The codes of <see cref="Role"/> as definitions, users and the command line write them.</summary>
public static class Roles
{
    /// <summary>Reads a role code: <c>handler</c>, <c>lead</c>, <c>supervisor</c> or <c>admin</c>; false for anything else.</summary>
    public static bool TryParse(string? code, out Role role)
    {
        role = code switch
        {
            "handler" => Role.Handler,
            "lead" => Role.Lead,
            "supervisor" => Role.Supervisor,
            "admin" => Role.Admin,
            _ => (Role)(-1),
        };
        return (int)role >= 0;
    }
}
