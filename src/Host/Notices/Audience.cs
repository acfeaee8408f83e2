using Supervision.Engine.Escalation;
using Supervision.Engine.Organisation;
using Supervision.Engine.Workflows;

namespace Supervision.Host.Notices;

/// <summary>Who can be told, read once per batch or run (<see cref="NoticeStore.AudienceAsync"/>): active people by
/// department and role, and the departments' channels.</summary>
internal sealed class Audience
{
    private readonly ILookup<(long DepartmentId, Role Role), (long Id, string? Email)> _people;
    private readonly HashSet<(long DepartmentId, Role Role)> _staffed;

    /// <summary>From active users (a role that is none of the known ones holds nothing) and configured channels, each in id order.</summary>
    public Audience(IEnumerable<(long Id, long DepartmentId, string Role, string? Email)> users, IEnumerable<(long DepartmentId, string Channel, string Address)> channels)
    {
        _people = users
            .Select(u => (User: u, Known: Roles.TryParse(u.Role, out var role), Role: role))
            .Where(u => u.Known)
            .ToLookup(u => (u.User.DepartmentId, u.Role), u => (u.User.Id, u.User.Email));
        _staffed = _people.Select(g => g.Key).ToHashSet();
        Channels = channels.ToLookup(c => c.DepartmentId, c => (c.Channel, c.Address));
    }

    /// <summary>The channels (webhook, WeCom, DingTalk) of each department, with their addresses.</summary>
    public ILookup<long, (string Channel, string Address)> Channels { get; }

    /// <summary>The active people holding <paramref name="role"/> in a department, by id.</summary>
    public IEnumerable<(long Id, string? Email)> People(long departmentId, Role role) => _people[(departmentId, role)];

    /// <summary>The organisation as escalation decides with it: the department tree and the roles held.</summary>
    public OrgChart Chart(IReadOnlyDictionary<long, Department> departments) => new(departments, _staffed);
}
