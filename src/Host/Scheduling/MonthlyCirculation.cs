using Dapper;
using Supervision.Engine.Clocks;
using Supervision.Host.Calendars;
using Supervision.Host.Notices;
using Supervision.Host.Setup;
using Supervision.Host.Storage;

namespace Supervision.Host.Scheduling;

/// <summary>
/// The monthly circulation (通报) for each supervising office: what its departments received and finished last month,
/// on time or late, and what is open and red now, department by department. Sent to the office's supervisors'
/// inboxes on the 1st, keyed by office, month and recipient, so a repeated run sends nothing twice. (The full report
/// and exports come with the reports issue; this sends what exists.)
/// </summary>
public sealed class MonthlyCirculation(Database database, NoticeStore notices, NoticeTemplates templates, DepartmentStore departments, CalendarService calendars, OfficeTimeZone zone, TimeProvider clock, ILogger<MonthlyCirculation> logger, Wakeups? wakeups = null)
{
    /// <summary>Circulates <paramref name="month"/> (the previous month when null); returns how many notices were newly written.</summary>
    public async Task<int> RunAsync(DateOnly? month, CancellationToken cancellationToken)
    {
        var context = new ClockContext(calendars.Current, zone.Zone);
        var today = context.DayOf(clock.GetUtcNow());
        var first = month is { } m ? new DateOnly(m.Year, m.Month, 1) : new DateOnly(today.Year, today.Month, 1).AddMonths(-1);
        var last = first.AddMonths(1).AddDays(-1);
        var all = await departments.ListAsync(cancellationToken);
        await using var uow = await database.BeginAsync(cancellationToken);
        var supervisors = (await uow.Connection.QueryAsync<(long UserId, long DepartmentId)>(uow.Command(
            "SELECT id, department_id FROM users WHERE role = 'supervisor' AND active = @active ORDER BY id", new { active = true }, cancellationToken))).AsList();
        var rows = (await uow.Connection.QueryAsync<Row>(uow.Command(
            """
            SELECT a.department_id AS DepartmentId, a.light AS Light, a.seriously_overdue AS SeriouslyOverdue, i.received_on AS ReceivedOn, a.closed_at AS ClosedAt
            FROM assignments a JOIN items i ON i.id = a.item_id
            WHERE a.closed_at IS NULL OR a.closed_at >= @from
            """, new { from = context.StartOf(first) }, cancellationToken))).AsList();
        var end = context.EndOf(last);
        var written = 0;
        foreach (var office in supervisors.Select(s => s.DepartmentId).Distinct())
        {
            var subtree = all.Subtree(office);
            var mine = rows.Where(r => subtree.Contains(r.DepartmentId)).ToList();
            var received = mine.Count(r => r.ReceivedOn >= first && r.ReceivedOn <= last);
            var finished = mine.Where(r => r.ClosedAt is { } c && c < end).ToList();
            var onTime = finished.Count(r => r.Light == "done-on-time");
            var late = finished.Count(r => r.Light == "done-late");
            var open = mine.Where(r => r.ClosedAt is null).ToList();
            var figures = new CirculationFigures(received, finished.Count, onTime, late, open.Count, open.Count(r => r.Light == "red"), open.Count(r => r.SeriouslyOverdue),
                open.Count(r => r.Light == "yellow"),
                open.Where(r => r.Light == "red").GroupBy(r => r.DepartmentId).OrderByDescending(g => g.Count()).Select(g => (all.First(d => d.Id == g.Key).Name, g.Count())).ToList());
            var (subject, body) = templates.Circulation(first, figures);
            foreach (var (userId, _) in supervisors.Where(s => s.DepartmentId == office))
            {
                written += await notices.EnqueueForUserAsync(uow, new NewNotice(
                    $"circulation:{office}:{first:yyyy-MM}:{userId}", "inbox", "circulation", userId, null, subject, body, null, $"monthly-circulation:{first:yyyy-MM}"), cancellationToken) ? 1 : 0;
            }
        }

        await uow.CommitAsync(cancellationToken);
        if (written > 0)
        {
            wakeups?.NoticesQueued();
        }

        logger.LogInformation("Monthly circulation for {Month:yyyy-MM}: {Written} notices", first, written);
        return written;
    }

    private sealed record Row
    {
        public long DepartmentId { get; init; }
        public string Light { get; init; } = "";
        public bool SeriouslyOverdue { get; init; }
        public DateOnly ReceivedOn { get; init; }
        public DateTimeOffset? ClosedAt { get; init; }
    }
}
