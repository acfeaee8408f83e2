using Mediator;
using Supervision.Engine.Organisation;
using Supervision.Engine.Workflows;
using Supervision.Host.Pipeline;

namespace Supervision.Host.People;

/// <summary>
/// Adds a person: sign-in name, role, department (name or alias), the name shown to others, a password for the
/// board and an address for mailed notices. Every field is checked before anything is written, so a bad address or
/// a short password leaves no half-made user behind.
/// </summary>
/// A password set here is the administrator's choice: the person chooses their own at the first sign-in, unless
/// <see cref="PasswordIsTheirs"/> (the demo's people).
public sealed record AddUser(string Login, string Role, string Department, string? DisplayName = null, string? Password = null, string? Email = null, bool PasswordIsTheirs = false)
    : ICommand<(User User, Department Department)>, IValidated
{
    public IEnumerable<FieldProblem> Validate()
    {
        if (string.IsNullOrWhiteSpace(Login))
        {
            yield return new FieldProblem("login", "required");
        }
        else if (Login.Trim().Length > 64 || Login.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            yield return new FieldProblem("login", "at most 64 characters, without spaces");
        }

        if (DisplayName is not null && (string.IsNullOrWhiteSpace(DisplayName) || DisplayName.Length > 100))
        {
            yield return new FieldProblem("displayName", "between 1 and 100 characters");
        }

        if (!Roles.TryParse(Role, out _))
        {
            yield return new FieldProblem("role", $"'{Role}' is not a role; expected handler, lead, supervisor or admin");
        }

        if (Password is not null && PasswordPolicy.Problems(Login ?? string.Empty, Password) is { Count: > 0 } problems)
        {
            yield return new FieldProblem("password", string.Join(", ", problems));
        }

        if (Email is not null && !UserStore.IsEmail(Email))
        {
            yield return new FieldProblem("email", $"'{Email}' is not an e-mail address.");
        }
    }
}

public sealed class AddUserHandler(UserStore users, DepartmentStore departments) : ICommandHandler<AddUser, (User User, Department Department)>
{
    public async ValueTask<(User User, Department Department)> Handle(AddUser command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var department = AdminDepartments.Find(await departments.ListAsync(Transactions.Work, cancellationToken), command.Department)
            ?? throw new WorkflowRefusedException(RefusalKind.Invalid, $"department: no department named '{command.Department}'");
        // The person, their password and their address in the command's one transaction: all of them or none.
        var work = Transactions.Work;
        var user = await users.AddInAsync(work, new User { Login = command.Login, DisplayName = command.DisplayName ?? command.Login, DepartmentId = department.Id, Role = command.Role }, cancellationToken);
        if (command.Password is { } password)
        {
            await Credentials.SetPasswordInAsync(work, user.Login, password, cancellationToken, mustChange: !command.PasswordIsTheirs);
        }

        if (command.Email is { } email)
        {
            await UserStore.SetEmailInAsync(work, user.Login, email, cancellationToken);
        }

        return (user, department);
    }
}

/// <summary>What an administrator may do to one person's access.</summary>
public enum AccessChange
{
    /// <summary>No sign-in, no API token, no notices; their sessions end at once (a person who has left).</summary>
    Disable,

    /// <summary>Enabled again; they sign in anew.</summary>
    Enable,

    /// <summary>Every sign-in session ends (a lost laptop, a copied cookie); API tokens stay until revoked.</summary>
    SignOut,
}

/// <summary>Changes one person's access (see <see cref="AccessChange"/>); an unknown sign-in name is not found.</summary>
public sealed record ChangeAccess(string Login, AccessChange Change) : ICommand<Unit>;

public sealed class ChangeAccessHandler : ICommandHandler<ChangeAccess, Unit>
{
    public async ValueTask<Unit> Handle(ChangeAccess command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        await (command.Change switch
        {
            AccessChange.Disable => UserStore.SetActiveInAsync(Transactions.Work, command.Login, false, cancellationToken),
            AccessChange.Enable => UserStore.SetActiveInAsync(Transactions.Work, command.Login, true, cancellationToken),
            _ => UserStore.EndSessionsInAsync(Transactions.Work, command.Login, cancellationToken),
        });
        return Unit.Value;
    }
}

/// <summary>Adds a department below another (name, alias or id), with the other names it goes by.</summary>
public sealed record AddDepartment(string Name, string? Parent, IReadOnlyList<string> Aliases, IReadOnlyList<string>? Groups = null) : ICommand<Department>, IValidated
{
    public IEnumerable<FieldProblem> Validate()
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            yield return new FieldProblem("name", "required");
        }
    }
}

public sealed class AddDepartmentHandler(DepartmentStore departments) : ICommandHandler<AddDepartment, Department>
{
    public async ValueTask<Department> Handle(AddDepartment command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        long? parentId = null;
        if (command.Parent is { } parent)
        {
            // By name, alias or id (the administration's forms send ids).
            parentId = AdminDepartments.Find(await departments.ListAsync(Transactions.Work, cancellationToken), parent)?.Id
                ?? throw new WorkflowRefusedException(RefusalKind.Invalid, $"parent: no department named '{parent}'");
        }

        var added = await departments.AddInAsync(Transactions.Work, new Department { Name = command.Name, ParentId = parentId, Aliases = command.Aliases }, cancellationToken);
        if (command.Groups is { Count: > 0 } groups)
        {
            await DepartmentStore.SetMembershipsInAsync(Transactions.Work, added.Id, groups, cancellationToken);
        }

        return added;
    }
}

/// <summary>Creates the departments of a directory file that are not yet present and sets its groups, all or nothing.</summary>
public sealed record LoadDirectory(Supervision.Engine.Import.DirectoryContents Contents) : ICommand<(IReadOnlyList<string> Created, IReadOnlyList<string> Present)>;

public sealed class LoadDirectoryHandler(DepartmentStore departments) : ICommandHandler<LoadDirectory, (IReadOnlyList<string> Created, IReadOnlyList<string> Present)>
{
    public async ValueTask<(IReadOnlyList<string> Created, IReadOnlyList<string> Present)> Handle(LoadDirectory command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        return await departments.LoadInAsync(Transactions.Work, command.Contents, cancellationToken);
    }
}

/// <summary>Creates an API token for a person; the token itself is answered once and stored only as a hash.</summary>
public sealed record CreateToken(string Login, string Name) : ICommand<(long Id, string Token)>;

public sealed class CreateTokenHandler(Credentials credentials) : ICommandHandler<CreateToken, (long Id, string Token)>
{
    public async ValueTask<(long Id, string Token)> Handle(CreateToken command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        return await credentials.CreateTokenInAsync(Transactions.Work, command.Login, command.Name, cancellationToken);
    }
}

/// <summary>Revokes an API token; false when there is no such active token.</summary>
public sealed record RevokeToken(long Id) : ICommand<bool>;

public sealed class RevokeTokenHandler(Credentials credentials) : ICommandHandler<RevokeToken, bool>
{
    public async ValueTask<bool> Handle(RevokeToken command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        return await credentials.RevokeTokenInAsync(Transactions.Work, command.Id, cancellationToken);
    }
}
