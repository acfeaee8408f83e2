namespace Supervision.Engine.Organisation;

/// <summary>
/// A unit of government that handles or supervises items: a bureau, an office, a district. Departments form a tree
/// through <see cref="ParentId"/> (a city's supervising office above its bureaus and districts). Aliases are the
/// other names the same department goes by in plan documents (简称, former names); a name or alias identifies at
/// most one department.
/// </summary>
public sealed record Department
{
    /// <summary>Storage identity; 0 before the department is first saved.</summary>
    public long Id { get; init; }

    /// <summary>The official name, unique.</summary>
    public required string Name { get; init; }

    /// <summary>Other names, each unique across all names and aliases.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>The department above this one; null at the top.</summary>
    public long? ParentId { get; init; }
}
