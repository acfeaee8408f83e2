using System.Globalization;
using System.Text.Json;
using Mediator;
using Supervision.Engine.Organisation;
using Supervision.Engine.Workflows;
using Supervision.Host.Pipeline;
using Supervision.Host.Platform;

namespace Supervision.Host.People;

/// <summary>A department as the administration shows it: its parent by id and name, its other names, and the groups
/// plans name it by (各区县（市）政府).</summary>
public sealed record AdminDepartment(long Id, string Name, long? ParentId, string? Parent, IReadOnlyList<string> Aliases, IReadOnlyList<string> Groups);

/// <summary>
/// Renames, moves, re-aliases or regroups a department, each only when given: <see cref="Parent"/> by name, alias or
/// id, or <see cref="ToTop"/>; <see cref="Groups"/> the groups it is a member of (replacing its memberships); a move
/// never makes a cycle (422), a name or alias already used by another is 409.
/// </summary>
public sealed record ChangeDepartment(long Id, string? Name, string? Parent, bool ToTop, IReadOnlyList<string>? Aliases, IReadOnlyList<string>? Groups = null) : ICommand<Department>, IValidated
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
        var changed = await departments.UpdateInAsync(work, current with { Name = command.Name ?? current.Name, ParentId = parentId, Aliases = command.Aliases ?? current.Aliases }, cancellationToken);
        if (command.Groups is { } groups)
        {
            await DepartmentStore.SetMembershipsInAsync(work, command.Id, groups, cancellationToken);
        }

        return changed;
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
/// (<c>name</c>, <c>parent</c> by name, alias or id, <c>aliases</c>, <c>groups</c>: the names plans use for several
/// departments, such as 各区县（市）政府), change (PATCH, only the members given; <c>parent: null</c> moves it to the top)
/// and delete (only when nothing refers to it).
/// </summary>
public static class AdminDepartments
{
    internal static Department? Find(IReadOnlyList<Department> all, string nameAliasOrId) =>
        long.TryParse(nameAliasOrId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && all.FirstOrDefault(d => d.Id == id) is { } byId ? byId
        : all.FirstOrDefault(d => d.Name == nameAliasOrId.Trim() || d.Aliases.Contains(nameAliasOrId.Trim()));

    public static IEndpointRouteBuilder MapAdminDepartments(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/admin/departments").WithTags("Administration");
        api.MapGet("/", async (DepartmentStore departments, CancellationToken ct) => TypedResults.Ok(await ViewsAsync(departments, ct)))
            .RequireAuthorization(p => p.RequireRole("admin", "supervisor"));
        api.MapPost("/", (JsonElement body, HttpContext context, ISender sender, DepartmentStore departments, CancellationToken ct) => Answer.Command(async () =>
        {
            var (name, parent, _, aliases, groups) = Read(body);
            var added = await sender.Send(new AddDepartment(name ?? string.Empty, parent, aliases ?? [], groups), ct);
            AccessLog.Describe(context, $"added {added.Name}{(parent is null ? " at the top" : $" under {parent}")}");
            return TypedResults.Created($"/api/admin/departments/{added.Id}", (await ViewsAsync(departments, ct)).First(d => d.Id == added.Id));
        })).RequireAuthorization("admin");
        api.MapPatch("/{id:long}", (long id, JsonElement body, HttpContext context, ISender sender, DepartmentStore departments, CancellationToken ct) => Answer.Command(async () =>
        {
            var (name, parent, toTop, aliases, groups) = Read(body);
            var before = (await ViewsAsync(departments, ct)).FirstOrDefault(d => d.Id == id);
            var changed = await sender.Send(new ChangeDepartment(id, name, parent, toTop, aliases, groups), ct);
            var after = (await ViewsAsync(departments, ct)).First(d => d.Id == changed.Id);
            AccessLog.Describe(context, $"{before?.Name}: {Differences(before, after)}");
            return TypedResults.Ok(after);
        })).RequireAuthorization("admin");
        api.MapDelete("/{id:long}", (long id, HttpContext context, ISender sender, CancellationToken ct) => Answer.Command(async () =>
        {
            await sender.Send(new RemoveDepartment(id), ct);
            AccessLog.Describe(context, string.Create(CultureInfo.InvariantCulture, $"department {id} deleted"));
            return TypedResults.NoContent();
        })).RequireAuthorization("admin");
        return endpoints;
    }

    private static async Task<IReadOnlyList<AdminDepartment>> ViewsAsync(DepartmentStore departments, CancellationToken ct)
    {
        var all = await departments.ListAsync(ct);
        var groups = await departments.MembershipsAsync(ct);
        var names = all.ToDictionary(d => d.Id, d => d.Name);
        return all.Select(d => new AdminDepartment(d.Id, d.Name, d.ParentId, d.ParentId is { } p ? names.GetValueOrDefault(p) : null, d.Aliases, groups.GetValueOrDefault(d.Id) ?? [])).ToList();
    }

    // What a change changed, in words for the access log.
    private static string Differences(AdminDepartment? before, AdminDepartment after)
    {
        var said = new List<string>();
        if (before?.Name != after.Name)
        {
            said.Add($"name → {after.Name}");
        }

        if (before?.ParentId != after.ParentId)
        {
            said.Add($"parent: {before?.Parent ?? "none"} → {after.Parent ?? "none"}");
        }

        if (!(before?.Aliases ?? []).SequenceEqual(after.Aliases))
        {
            said.Add($"aliases: {string.Join("、", after.Aliases)}");
        }

        if (!(before?.Groups ?? []).SequenceEqual(after.Groups))
        {
            said.Add($"groups: {string.Join("、", after.Groups)}");
        }

        return said.Count == 0 ? "nothing changed" : string.Join("; ", said);
    }

    // The body's members by name: absent is "unchanged" (null), "parent": null is "to the top".
    private static (string? Name, string? Parent, bool ToTop, IReadOnlyList<string>? Aliases, IReadOnlyList<string>? Groups) Read(JsonElement body)
    {
        var fields = JsonMembers.Read(body, ["name", "parent", "aliases", "groups"], "a department");
        var toTop = fields.TryGetValue("parent", out var parent) && parent.ValueKind == JsonValueKind.Null;
        IReadOnlyList<string>? Names(string member) => fields.TryGetValue(member, out var a)
            ? a.ValueKind == JsonValueKind.Array && a.EnumerateArray().All(x => x.ValueKind == JsonValueKind.String)
                ? a.EnumerateArray().Select(x => x.GetString()!).ToList()
                : throw new WorkflowRefusedException(RefusalKind.Invalid, $"{member}: a list of names expected")
            : null;
        return (JsonMembers.Text(fields, "name"), JsonMembers.Text(fields, "parent"), toTop, Names("aliases"), Names("groups"));
    }
}
