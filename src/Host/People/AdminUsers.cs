using System.Globalization;
using System.Text.Json;
using Mediator;
using Supervision.Engine.Workflows;
using Supervision.Host.Pipeline;
using Supervision.Host.Platform;

namespace Supervision.Host.People;

/// <summary>A person as the administration shows them (never a password); <see cref="ActiveTokens"/>: API tokens not revoked.</summary>
public sealed record AdminUser(string Login, string DisplayName, string Role, DepartmentRef Department, string? Email, bool Disabled, bool MustChangePassword, long ActiveTokens, DateTimeOffset CreatedAt);

/// <summary>A token just created: <see cref="Token"/> is shown this once and stored only as a hash.</summary>
public sealed record CreatedToken(long Id, string User, string Name, string Token);

/// <summary>
/// Changes a person, each field only when given: the name shown, the role, the department (name, alias or id), the
/// address notices are mailed to (<see cref="EmailGiven"/> with null: none), whether they are disabled, and a new
/// password (the administrator's choice: they choose their own at the next sign-in). Disabling, a new password, a new
/// role or department end their sessions at once. The last active administrator can be neither disabled nor given
/// another role (409): someone must still be able to administer.
/// </summary>
public sealed record ChangeUser(string Login, string? DisplayName, string? Role, string? Department, string? Email, bool EmailGiven, bool? Disabled, string? Password)
    : ICommand<string>, IValidated
{
    public IEnumerable<FieldProblem> Validate()
    {
        if (DisplayName is not null && (string.IsNullOrWhiteSpace(DisplayName) || DisplayName.Length > 100))
        {
            yield return new FieldProblem("displayName", "between 1 and 100 characters");
        }

        if (Role is not null && !Roles.TryParse(Role, out _))
        {
            yield return new FieldProblem("role", $"'{Role}' is not a role; expected handler, lead, supervisor or admin");
        }

        if (Email is not null && !UserStore.IsEmail(Email))
        {
            yield return new FieldProblem("email", $"'{Email}' is not an e-mail address.");
        }

        if (Password is not null && PasswordPolicy.Problems(Login, Password) is { Count: > 0 } problems)
        {
            yield return new FieldProblem("password", "must be " + string.Join(", ", problems));
        }
    }
}

/// <summary>What <see cref="ChangeUser"/> changed, in words for the access log (never the password itself).</summary>
public sealed class ChangeUserHandler(DepartmentStore departments) : ICommandHandler<ChangeUser, string>
{
    public async ValueTask<string> Handle(ChangeUser command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var work = Transactions.Work;
        var user = await UserStore.FindByLoginInAsync(work, command.Login, cancellationToken) ?? throw new KeyNotFoundException($"No user '{command.Login}'.");
        var all = await departments.ListAsync(work, cancellationToken);
        var department = command.Department is null ? null
            : AdminDepartments.Find(all, command.Department) ?? throw new WorkflowRefusedException(RefusalKind.Invalid, $"department: no department named '{command.Department}'");
        var changed = user with
        {
            DisplayName = command.DisplayName?.Trim() ?? user.DisplayName,
            Role = command.Role ?? user.Role,
            DepartmentId = department?.Id ?? user.DepartmentId,
            Active = command.Disabled is { } disabled ? !disabled : user.Active,
        };
        var email = await UserStore.EmailInAsync(work, user.Id, cancellationToken);
        var newEmail = command.EmailGiven ? command.Email?.Trim() : email;
        if (user.Role == "admin" && user.Active && (changed.Role != "admin" || !changed.Active) && await UserStore.OtherActiveAdminsInAsync(work, user.Id, cancellationToken) == 0)
        {
            throw new WorkflowRefusedException(RefusalKind.Conflict, $"{user.Login} is the last active administrator; make someone else an administrator first");
        }

        var said = new List<string>();
        string Name(long id) => all.FirstOrDefault(d => d.Id == id)?.Name ?? id.ToString(CultureInfo.InvariantCulture);
        if (changed.DisplayName != user.DisplayName)
        {
            said.Add($"displayName: {user.DisplayName} → {changed.DisplayName}");
        }

        if (changed.Role != user.Role)
        {
            said.Add($"role: {user.Role} → {changed.Role}");
        }

        if (changed.DepartmentId != user.DepartmentId)
        {
            said.Add($"department: {Name(user.DepartmentId)} → {Name(changed.DepartmentId)}");
        }

        if (!string.Equals(newEmail, email, StringComparison.Ordinal))
        {
            said.Add($"email: {email ?? "none"} → {newEmail ?? "none"}");
        }

        if (changed.Active != user.Active)
        {
            said.Add(changed.Active ? "enabled" : "disabled");
        }

        // Who they are or what they may see changed: every session they hold ends now (the cookie check would end it at
        // its next request too, the stamp makes it certain and immediate).
        var endSessions = changed.Role != user.Role || changed.DepartmentId != user.DepartmentId || changed.Active != user.Active;
        await UserStore.UpdateInAsync(work, changed, newEmail, endSessions, cancellationToken);
        if (command.Password is { } password)
        {
            await Credentials.SetPasswordInAsync(work, user.Login, password, cancellationToken, mustChange: true);
            said.Add("password reset (they choose their own at the next sign-in)");
        }

        return said.Count == 0 ? "nothing changed" : string.Join("; ", said);
    }
}

/// <summary>
/// <c>/api/admin/users</c> (administrators): the people who sign in, their API tokens and their sessions.
/// GET lists them (<c>text</c> in login, name or address; <c>role</c>; <c>department</c> by name, alias or id;
/// <c>disabled</c>); POST adds one (<c>login</c>, <c>displayName</c>, <c>role</c>, <c>department</c>, <c>password</c>,
/// optionally <c>email</c>; they choose their own password at the first sign-in); PATCH changes the members given;
/// <c>POST /{login}/sign-out</c> ends their sessions. <c>GET/POST /{login}/tokens</c> lists and creates API tokens
/// (the token is answered once), <c>DELETE /api/admin/tokens/{id}</c> revokes one.
/// </summary>
public static class AdminUsers
{
    private static readonly string[] AddMembers = ["login", "displayName", "role", "department", "password", "email"];
    private static readonly string[] ChangeMembers = ["displayName", "role", "department", "password", "email", "disabled"];

    public static IEndpointRouteBuilder MapAdminUsers(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/admin/users").WithTags("Administration").RequireAuthorization("admin");
        api.MapGet("/", (UserStore users, DepartmentStore departments, CancellationToken ct, string? text = null, string? role = null, string? department = null, bool? disabled = null) => Answer.Read(async () =>
        {
            if (role is not null && !Roles.TryParse(role, out _))
            {
                throw new WorkflowRefusedException(RefusalKind.Invalid, $"role: '{role}' is not a role; expected handler, lead, supervisor or admin");
            }

            long? departmentId = department is null ? null
                : (AdminDepartments.Find(await departments.ListAsync(ct), department) ?? throw new WorkflowRefusedException(RefusalKind.Invalid, $"department: no department named '{department}'")).Id;
            var rows = await users.ListAsync(text, role, departmentId, disabled, ct);
            return TypedResults.Ok(rows.Select(View).ToList());
        }));
        api.MapPost("/", (JsonElement body, HttpContext context, ISender sender, UserStore users, CancellationToken ct) => Answer.Command(async () =>
        {
            var fields = JsonMembers.Read(body, AddMembers, "a person");
            var password = JsonMembers.Text(fields, "password");
            if (password is null)
            {
                throw new WorkflowRefusedException(RefusalKind.Invalid, "password: required (the person chooses their own at the first sign-in)");
            }

            var (user, department) = await sender.Send(new AddUser(JsonMembers.Text(fields, "login") ?? string.Empty, JsonMembers.Text(fields, "role") ?? string.Empty, JsonMembers.Text(fields, "department") ?? string.Empty,
                JsonMembers.Text(fields, "displayName"), password, JsonMembers.Text(fields, "email")), ct);
            AccessLog.Describe(context, $"added {user.Login} ({user.DisplayName}), {user.Role} of {department.Name}");
            return TypedResults.Created($"/api/admin/users/{Uri.EscapeDataString(user.Login)}", await FindAsync(users, user.Login, ct));
        }));
        api.MapPatch("/{login}", (string login, JsonElement body, HttpContext context, ISender sender, UserStore users, CancellationToken ct) => Answer.Command(async () =>
        {
            var fields = JsonMembers.Read(body, ChangeMembers, "a person");
            bool? disabled = fields.TryGetValue("disabled", out var d)
                ? d.ValueKind is JsonValueKind.True or JsonValueKind.False ? d.GetBoolean() : throw new WorkflowRefusedException(RefusalKind.Invalid, "disabled: true or false expected")
                : null;
            if (fields.TryGetValue("password", out var p) && p.ValueKind == JsonValueKind.Null)
            {
                throw new WorkflowRefusedException(RefusalKind.Invalid, "password: a new password, not null (a person cannot be left without one)");
            }

            var said = await sender.Send(new ChangeUser(login, JsonMembers.Text(fields, "displayName"), JsonMembers.Text(fields, "role"), JsonMembers.Text(fields, "department"), JsonMembers.Text(fields, "email"), fields.ContainsKey("email"), disabled, JsonMembers.Text(fields, "password")), ct);
            AccessLog.Describe(context, $"{login}: {said}");
            return TypedResults.Ok(await FindAsync(users, login, ct));
        }));
        api.MapPost("/{login}/sign-out", (string login, HttpContext context, ISender sender, CancellationToken ct) => Answer.Command(async () =>
        {
            await sender.Send(new ChangeAccess(login, AccessChange.SignOut), ct);
            AccessLog.Describe(context, $"{login}: every sign-in session ended");
            return TypedResults.NoContent();
        }));
        api.MapGet("/{login}/tokens", (string login, UserStore users, Credentials credentials, CancellationToken ct) => Answer.Found(async () =>
        {
            _ = await users.FindByLoginAsync(login, ct) ?? throw new KeyNotFoundException($"No user '{login}'.");
            return TypedResults.Ok(await credentials.ListTokensAsync(login, ct));
        }));
        api.MapPost("/{login}/tokens", (string login, JsonElement body, HttpContext context, ISender sender, UserStore users, CancellationToken ct) => Answer.Command(async () =>
        {
            var fields = JsonMembers.Read(body, ["name"], "a token");
            var name = JsonMembers.Text(fields, "name")?.Trim();
            if (string.IsNullOrEmpty(name) || name.Length > 100)
            {
                throw new WorkflowRefusedException(RefusalKind.Invalid, "name: what the token is for, 1 to 100 characters (e.g. 政务服务网对接)");
            }

            var user = await users.FindByLoginAsync(login, ct) ?? throw new KeyNotFoundException($"No user '{login}'.");
            if (!user.Active)
            {
                throw new WorkflowRefusedException(RefusalKind.Conflict, $"{user.Login} is disabled; a token of theirs would not be accepted");
            }

            var (id, token) = await sender.Send(new CreateToken(user.Login, name), ct);
            AccessLog.Describe(context, string.Create(CultureInfo.InvariantCulture, $"token {id} '{name}' created for {user.Login}"));
            return TypedResults.Created($"/api/admin/users/{Uri.EscapeDataString(user.Login)}/tokens", new CreatedToken(id, user.Login, name, token));
        }));
        endpoints.MapDelete("/api/admin/tokens/{id:long}", (long id, HttpContext context, ISender sender, CancellationToken ct) => Answer.Command(async () =>
        {
            if (!await sender.Send(new RevokeToken(id), ct))
            {
                throw new KeyNotFoundException($"No active token {id}.");
            }

            AccessLog.Describe(context, string.Create(CultureInfo.InvariantCulture, $"token {id} revoked"));
            return TypedResults.NoContent();
        })).WithTags("Administration").RequireAuthorization("admin");
        return endpoints;
    }

    private static async Task<AdminUser> FindAsync(UserStore users, string login, CancellationToken ct) =>
        View((await users.ListAsync(null, null, null, null, ct, login)).Single());

    private static AdminUser View(PersonRow r) =>
        new(r.Login, r.DisplayName, r.Role, new DepartmentRef(r.DepartmentId, r.Department), r.Email, !r.Active, r.MustChangePassword, r.ActiveTokens, r.CreatedAt);
}
