namespace Supervision.Host.People;

/// <summary>A department as responses name it.</summary>
public sealed record DepartmentRef(long Id, string Name);

/// <summary>A department in the tree.</summary>
public sealed record DepartmentView(long Id, string Name, IReadOnlyList<string> Aliases, long? ParentId);

/// <summary>The department tree, for choosing where an item goes.</summary>
public static class DepartmentsApi
{
    public static IEndpointRouteBuilder MapDepartments(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api").WithTags("Reference");
        api.MapGet("/departments", async (DepartmentStore departments, CancellationToken ct) =>
            TypedResults.Ok((await departments.ListAsync(ct)).Select(d => new DepartmentView(d.Id, d.Name, d.Aliases, d.ParentId)).ToList()));
        return endpoints;
    }
}
