using System.Globalization;
using System.Text;
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
public sealed class MonthlyCirculation(Database database, NoticeStore notices, DepartmentStore departments, CalendarService calendars, OfficeTimeZone zone, TimeProvider clock, ILogger<MonthlyCirculation> logger)
{
    /// <summary>Circulates <paramref name="month"/> (the previous month when null); returns how many notices were newly written.</summary>
    public async Task<int> RunAsync(DateOnly? month, CancellationToken cancellationToken)
    {
        var context = new ClockContext(calendars.Current, zone.Zone);
        var today = context.DayOf(clock.GetUtcNow());
        var first = month is { } m ? new DateOnly(m.Year, m.Month, 1) : new DateOnly(today.Year, today.Month, 1).AddMonths(-1);
        var last = first.AddMonths(1).AddDays(-1);
        var label = $"{first.Year}年{first.Month}月";
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
            var body = new StringBuilder(string.Create(CultureInfo.InvariantCulture,
                $"{label}：受理{received}件，办结{finished.Count}件（按期{onTime}件，超期{late}件{(finished.Count > 0 ? $"，按期率{Math.Round(100.0 * onTime / finished.Count, 1)}%" : string.Empty)}）；"
                + $"目前在办{open.Count}件，其中红灯{open.Count(r => r.Light == "red")}件（严重超期{open.Count(r => r.SeriouslyOverdue)}件）、黄灯{open.Count(r => r.Light == "yellow")}件。"));
            foreach (var group in open.Where(r => r.Light == "red").GroupBy(r => r.DepartmentId).OrderByDescending(g => g.Count()))
            {
                body.Append(CultureInfo.InvariantCulture, $"\n{all.First(d => d.Id == group.Key).Name}：超期未办结{group.Count()}件。");
            }

            foreach (var (userId, _) in supervisors.Where(s => s.DepartmentId == office))
            {
                written += await notices.EnqueueForUserAsync(uow, new NewNotice(
                    $"circulation:{office}:{first:yyyy-MM}:{userId}", "inbox", "circulation", userId, null,
                    $"【通报】{label}办理情况", body.ToString(), null, $"monthly-circulation:{first:yyyy-MM}"), cancellationToken) ? 1 : 0;
            }
        }

        await uow.CommitAsync(cancellationToken);
        logger.LogInformation("Monthly circulation for {Month}: {Written} notices", label, written);
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
