using System.Globalization;
using System.Text.Json;
using Mediator;
using Supervision.Engine.Organisation;
using Supervision.Engine.Workflows;
using Supervision.Host.Pipeline;
using Supervision.Host.Platform;

namespace Supervision.Host.People;

/// <summary>A department as the administration shows it: its parent by id and name, and its other names.</summary>
public sealed record AdminDepartment(long Id, string Name, long? ParentId, string? Parent, IReadOnlyList<string> Aliases);

/// <summary>
/// Renames, moves or re-aliases a department, each only when given: <see cref="Parent"/> by name, alias or id, or
/// <see cref="ToTop"/>; a move never makes a cycle (422), a name or alias already used by another is 409.
/// </summary>
public sealed record ChangeDepartment(long Id, string? Name, string? Parent, bool ToTop, IReadOnlyList<string>? Aliases) : ICommand<Department>, IValidated
{
    public IEnumerable<FieldProblem> Validate()
    {
        if (Name is not null && string.IsNullOrWhiteSpace(Name))
        {
            yield return new FieldProblem("name", "must not be empty");
        }
    }
}

public sealed class ChangeDepartmentHandler(DepartmentStore departments) : ICommandHandler<ChangeDepartment, Department>
{
    public async ValueTask<Department> Handle(ChangeDepartment command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var work = Transactions.Work;
        var all = await departments.ListAsync(work, cancellationToken);
        var current = all.FirstOrDefault(d => d.Id == command.Id) ?? throw new KeyNotFoundException($"No department {command.Id}.");
        var parentId = command.ToTop ? null
            : command.Parent is null ? current.ParentId
            : (AdminDepartments.Find(all, command.Parent) ?? throw new WorkflowRefusedException(RefusalKind.Invalid, $"parent: no department named '{command.Parent}'")).Id;
        return await departments.UpdateInAsync(work, current with { Name = command.Name ?? current.Name, ParentId = parentId, Aliases = command.Aliases ?? current.Aliases }, cancellationToken);
    }
}

/// <summary>Deletes a department nothing refers to; otherwise 409 saying what does (people, items, departments below…).</summary>
public sealed record RemoveDepartment(long Id) : ICommand<bool>;

public sealed class RemoveDepartmentHandler(DepartmentStore departments) : ICommandHandler<RemoveDepartment, bool>
{
    public async ValueTask<bool> Handle(RemoveDepartment command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var work = Transactions.Work;
        var department = (await departments.ListAsync(work, cancellationToken)).FirstOrDefault(d => d.Id == command.Id) ?? throw new KeyNotFoundException($"No department {command.Id}.");
        if (await DepartmentStore.ReferencesInAsync(work, command.Id, cancellationToken) is { Count: > 0 } references)
        {
            throw new WorkflowRefusedException(RefusalKind.Conflict, $"{department.Name} is still referred to by {string.Join(", ", references)}; move or remove those first");
        }

        await DepartmentStore.DeleteInAsync(work, command.Id, cancellationToken);
        return true;
    }
}

/// <summary>
/// <c>/api/admin/departments</c>: the directory for its administration. Supervisors may read it; administrators add
/// (<c>name</c>, <c>parent</c> by name, alias or id, <c>aliases</c>), change (PATCH, only the members given; <c>parent:
/// null</c> moves it to the top) and delete (only when nothing refers to it).
/// </summary>
public static class AdminDepartments
{
    internal static Department? Find(IReadOnlyList<Department> all, string nameAliasOrId) =>
        long.TryParse(nameAliasOrId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && all.FirstOrDefault(d => d.Id == id) is { } byId ? byId
        : all.FirstOrDefault(d => d.Name == nameAliasOrId.Trim() || d.Aliases.Contains(nameAliasOrId.Trim()));

    public static IEndpointRouteBuilder MapAdminDepartments(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/admin/departments").WithTags("Administration");
        api.MapGet("/", async (DepartmentStore departments, CancellationToken ct) =>
        {
            var all = await departments.ListAsync(ct);
            var names = all.ToDictionary(d => d.Id, d => d.Name);
            return TypedResults.Ok(all.Select(d => View(d, names)).ToList());
        }).RequireAuthorization(p => p.RequireRole("admin", "supervisor"));
        api.MapPost("/", (JsonElement body, ISender sender, DepartmentStore departments, CancellationToken ct) => Answer.Command(async () =>
        {
            var (name, parent, _, aliases) = Read(body);
            var added = await sender.Send(new AddDepartment(name ?? string.Empty, parent, aliases ?? []), ct);
            var names = (await departments.ListAsync(ct)).ToDictionary(d => d.Id, d => d.Name);
            return TypedResults.Created($"/api/admin/departments/{added.Id}", View(added, names));
        })).RequireAuthorization("admin");
        api.MapPatch("/{id:long}", (long id, JsonElement body, ISender sender, DepartmentStore departments, CancellationToken ct) => Answer.Command(async () =>
        {
            var (name, parent, toTop, aliases) = Read(body);
            var changed = await sender.Send(new ChangeDepartment(id, name, parent, toTop, aliases), ct);
            var names = (await departments.ListAsync(ct)).ToDictionary(d => d.Id, d => d.Name);
            return TypedResults.Ok(View(changed, names));
        })).RequireAuthorization("admin");
        api.MapDelete("/{id:long}", (long id, ISender sender, CancellationToken ct) => Answer.Command(async () =>
        {
            await sender.Send(new RemoveDepartment(id), ct);
            return TypedResults.NoContent();
        })).RequireAuthorization("admin");
        return endpoints;
    }

    private static AdminDepartment View(Department d, IReadOnlyDictionary<long, string> names) =>
        new(d.Id, d.Name, d.ParentId, d.ParentId is { } p ? names.GetValueOrDefault(p) : null, d.Aliases);

    // The body's members by name: absent is "unchanged" (null), "parent": null is "to the top".
    private static (string? Name, string? Parent, bool ToTop, IReadOnlyList<string>? Aliases) Read(JsonElement body)
    {
        var fields = AdminUsers.Members(body, ["name", "parent", "aliases"], "a department");
        var toTop = fields.TryGetValue("parent", out var parent) && parent.ValueKind == JsonValueKind.Null;
        IReadOnlyList<string>? aliases = fields.TryGetValue("aliases", out var a)
            ? a.ValueKind == JsonValueKind.Array && a.EnumerateArray().All(x => x.ValueKind == JsonValueKind.String)
                ? a.EnumerateArray().Select(x => x.GetString()!).ToList()
                : throw new WorkflowRefusedException(RefusalKind.Invalid, "aliases: a list of names expected")
            : null;
        return (AdminUsers.Text(fields, "name"), AdminUsers.Text(fields, "parent"), toTop, aliases);
    }
}
