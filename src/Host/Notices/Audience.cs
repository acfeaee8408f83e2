using Dapper;
using Supervision.Engine.Workflows;
using Supervision.Host.Storage;

namespace Supervision.Host.Notices;

/// <summary>Who can be told, read once per batch or run: active users by department and role, and the departments' channels.</summary>
internal sealed class Audience
{
    private ILookup<(long Department, string Role), (long Id, string? Email)> _users = null!;
    private IReadOnlyDictionary<long, Engine.Organisation.Department> _departments = null!;

    public ILookup<long, (string Channel, string Address)> Channels { get; private set; } = null!;

    public static async Task<Audience> LoadAsync(UnitOfWork uow, IReadOnlyDictionary<long, Engine.Organisation.Department> departments, CancellationToken cancellationToken)
    {
        var users = await uow.Connection.QueryAsync<(long Id, long DepartmentId, string Role, string? Email)>(uow.Command(
            "SELECT id, department_id, role, email FROM users WHERE active = @active ORDER BY id", new { active = true }, cancellationToken));
        var channels = await uow.Connection.QueryAsync<(long DepartmentId, string Channel, string Address)>(uow.Command(
            "SELECT department_id, channel, address FROM notice_channels ORDER BY id", null, cancellationToken));
        return new Audience
        {
            _users = users.ToLookup(u => (u.DepartmentId, u.Role), u => (u.Id, u.Email)),
            _departments = departments,
            Channels = channels.ToLookup(c => c.DepartmentId, c => (c.Channel, c.Address)),
        };
    }

    /// <summary>The people a level names for a department: its handlers or leads, or the supervisors of the
    /// nearest department above it that has any.</summary>
    public IEnumerable<(long Id, string? Email)> Recipients(IReadOnlyList<Recipient> recipients, long departmentId)
    {
        var seen = new HashSet<long>();
        foreach (var recipient in recipients)
        {
            IEnumerable<(long Id, string? Email)> found = [];
            if (recipient == Recipient.SupervisingOffice)
            {
                for (var d = _departments.GetValueOrDefault(departmentId)?.ParentId; d is { } id; d = _departments.GetValueOrDefault(id)?.ParentId)
                {
                    if (_users.Contains((id, "supervisor")))
                    {
                        found = _users[(id, "supervisor")];
                        break;
                    }
                }
            }
            else
            {
                found = _users[(departmentId, recipient == Recipient.Lead ? "lead" : "handler")];
            }

            foreach (var user in found)
            {
                if (seen.Add(user.Id))
                {
                    yield return user;
                }
            }
        }
    }
}
