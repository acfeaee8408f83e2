using Supervision.Engine.Organisation;
using Supervision.Engine.Workflows;

namespace Supervision.Engine.Escalation;

/// <summary>
/// The organisation as escalation sees it: the department tree (through <see cref="Department.ParentId"/>) and which
/// roles are held in which departments by at least one active person (<see cref="Staffed"/>). The supervising office
/// of a department is the nearest department above it where someone holds the supervisor role.
/// </summary>
public sealed record OrgChart(IReadOnlyDictionary<long, Department> Departments, IReadOnlySet<(long DepartmentId, Role Role)> Staffed)
{
    /// <summary>The nearest department strictly above <paramref name="departmentId"/> where someone holds
    /// <paramref name="role"/>, or null when none does (or the department is not in the tree).</summary>
    public long? NearestAbove(long departmentId, Role role)
    {
        var seen = new HashSet<long> { departmentId };
        for (var d = Departments.GetValueOrDefault(departmentId)?.ParentId; d is { } id && seen.Add(id); d = Departments.GetValueOrDefault(id)?.ParentId)
        {
            if (Staffed.Contains((id, role)))
            {
                return id;
            }
        }

        return null;
    }
}
