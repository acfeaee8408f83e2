using System.Globalization;
using Dapper;
using Supervision.Host.Notices;
using Supervision.Host.Setup;
using Supervision.Host.Storage;

namespace Supervision.Host.Scheduling;

/// <summary>
/// The nightly overdue run for one office day: every open, running assignment past its deadline gets an urging
/// notice (催办通知) to its department's handlers, copied to its lead; seriously overdue ones also a supervision
/// notice (督办通知) to the supervising office above. Every notice is keyed by item, assignment, day and recipient, so
/// running the same day twice, or on two instances at once, sends nothing twice.
/// </summary>
public sealed class OverdueRun(Database database, NoticeStore notices, NoticeTemplates templates, DepartmentStore departments, OfficeTimeZone zone, TimeProvider clock, ILogger<OverdueRun> logger, Wakeups? wakeups = null)
{
    /// <summary>Runs for <paramref name="day"/> (the office's today when null); returns how many notices were newly written.</summary>
    public async Task<int> RunAsync(DateOnly? day, CancellationToken cancellationToken)
    {
        var today = day ?? DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(clock.GetUtcNow(), zone.Zone).DateTime);
        var key = today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var all = (await departments.ListAsync(cancellationToken)).ToDictionary(d => d.Id);
        await using var uow = await database.BeginAsync(cancellationToken);
        var overdue = (await uow.Connection.QueryAsync<Row>(uow.Command(
            """
            SELECT a.id AS AssignmentId, a.item_id AS ItemId, a.department_id AS DepartmentId, a.seriously_overdue AS SeriouslyOverdue,
                   a.due_on AS DueOn, a.due_at AS DueAt, i.title AS Title
            FROM assignments a JOIN items i ON i.id = a.item_id
            WHERE a.closed_at IS NULL AND a.light = 'red' AND a.paused = @no
            ORDER BY a.item_id, a.id
            """, new { no = false }, cancellationToken))).AsList();
        var written = 0;
        foreach (var row in overdue)
        {
            var facts = new NoticeFacts(row.ItemId, row.Title, all.GetValueOrDefault(row.DepartmentId)?.Name ?? string.Empty, row.DueOn, row.DueAt, Engine.Items.Light.Red, row.SeriouslyOverdue);
            var (subject, urging) = templates.Urging(facts, copy: false);
            written += await notices.EnqueueForDepartmentAsync(uow, row.DepartmentId, $"urging:{row.ItemId}:{row.AssignmentId}:{key}", "urging",
                subject, urging, row.ItemId, $"overdue-run:{key}", cancellationToken);
            var recipients = new List<(long UserId, bool Copy)>();
            recipients.AddRange((await UserStore.IdsInRoleAsync(uow, row.DepartmentId, "handler", cancellationToken)).Select(id => (id, false)));
            recipients.AddRange((await UserStore.IdsInRoleAsync(uow, row.DepartmentId, "lead", cancellationToken)).Select(id => (id, true)));
            foreach (var (userId, copy) in recipients)
            {
                var (title, text) = templates.Urging(facts, copy);
                written += await notices.EnqueueForUserAsync(uow, new NewNotice(
                    $"urging:{row.ItemId}:{row.AssignmentId}:{key}:{userId}", "inbox", "urging", userId, null, title, text, row.ItemId, $"overdue-run:{key}"), cancellationToken) ? 1 : 0;
            }

            if (!row.SeriouslyOverdue)
            {
                continue;
            }

            for (var parent = all.GetValueOrDefault(row.DepartmentId)?.ParentId; parent is { } office; parent = all.GetValueOrDefault(office)?.ParentId)
            {
                var supervisors = await UserStore.IdsInRoleAsync(uow, office, "supervisor", cancellationToken);
                if (supervisors.Count == 0)
                {
                    continue;
                }

                var (title, text) = templates.Supervising(facts);
                foreach (var userId in supervisors)
                {
                    written += await notices.EnqueueForUserAsync(uow, new NewNotice(
                        $"supervision:{row.ItemId}:{row.AssignmentId}:{key}:{userId}", "inbox", "supervision", userId, null, title, text, row.ItemId, $"overdue-run:{key}"), cancellationToken) ? 1 : 0;
                }

                break;
            }
        }

        await uow.CommitAsync(cancellationToken);
        if (written > 0)
        {
            wakeups?.NoticesQueued();
        }

        logger.LogInformation("Overdue run for {Day}: {Overdue} overdue assignments, {Written} notices written", key, overdue.Count, written);
        return written;
    }

    private sealed record Row
    {
        public long AssignmentId { get; init; }
        public long ItemId { get; init; }
        public long DepartmentId { get; init; }
        public bool SeriouslyOverdue { get; init; }
        public DateOnly? DueOn { get; init; }
        public DateTimeOffset? DueAt { get; init; }
        public string Title { get; init; } = "";
    }
}
