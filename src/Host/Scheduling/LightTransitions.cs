using System.Globalization;
using System.Text.Json;
using Dapper;
using Supervision.Engine.Items;
using Supervision.Engine.Workflows;
using Supervision.Host.Calendars;
using Supervision.Host.Deadlines;
using Supervision.Host.Notices;
using Supervision.Host.Storage;
using Supervision.Host.Workflows;

namespace Supervision.Host.Scheduling;

/// <summary>
/// Acts when lights change: takes the items (and task assignments) whose stored next change instant has come, in
/// batches (on PostgreSQL with <c>FOR UPDATE SKIP LOCKED</c>, so several instances share a midnight burst without
/// double work), recomputes them, records each change in history and writes the escalation ladder's notices in the
/// same transaction, keyed so the same change never notifies twice. The stored next change instant moves past now,
/// so a processed item is not taken again until its next change.
/// </summary>
public sealed class LightTransitions(
    Database database,
    ItemStore items,
    ItemSnapshots snapshots,
    DefinitionCatalog definitions,
    CalendarService calendars,
    NoticeStore notices,
    NoticeTemplates templates,
    DepartmentStore departments,
    TimeProvider clock,
    ILogger<LightTransitions> logger,
    Wakeups? wakeups = null)
{
    public const int BatchSize = 200;

    /// <summary>Processes everything due at <paramref name="now"/> (the clock's now when null); returns how many items changed.</summary>
    public async Task<int> ProcessDueAsync(DateTimeOffset? now, CancellationToken cancellationToken)
    {
        var at = now ?? clock.GetUtcNow();
        var changed = 0;
        for (var round = 0; round < 10_000; round++)
        {
            var (taken, done) = await ProcessBatchAsync(at, cancellationToken);
            changed += done;
            if (taken < BatchSize)
            {
                break;
            }
        }

        return changed;
    }

    /// <summary>The earliest stored next change instant of any open item or assignment, or null.</summary>
    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var item = await connection.ExecuteScalarAsync<DateTimeOffset?>(new CommandDefinition("SELECT MIN(next_change_at) FROM items", cancellationToken: cancellationToken));
        var assignment = await connection.ExecuteScalarAsync<DateTimeOffset?>(new CommandDefinition("SELECT MIN(next_change_at) FROM assignments", cancellationToken: cancellationToken));
        return (item, assignment) switch
        {
            (null, var a) => a,
            (var i, null) => i,
            var (i, a) => i < a ? i : a,
        };
    }

    private async Task<(int Taken, int Changed)> ProcessBatchAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var uow = await database.BeginAsync(cancellationToken);
        var ids = (await uow.Connection.QueryAsync<long>(uow.Command(
            $"""
            SELECT id FROM items
            WHERE id IN (SELECT id FROM items WHERE next_change_at <= @now UNION SELECT item_id FROM assignments WHERE next_change_at <= @now)
            ORDER BY id LIMIT @batch{(database.Provider == DatabaseProvider.PostgreSql ? " FOR UPDATE SKIP LOCKED" : string.Empty)}
            """,
            new { now, batch = BatchSize }, cancellationToken))).AsList();
        var changed = 0;
        var calendar = calendars.Current;
        var names = (await departments.ListAsync(cancellationToken)).ToDictionary(d => d.Id);
        foreach (var id in ids)
        {
            var item = await items.GetForUpdateAsync(uow, id, cancellationToken);
            if (item is null)
            {
                continue;
            }

            var (any, lights) = await snapshots.RefreshWithChangesAsync(uow, item, calendar, now, "light-changed", cancellationToken);
            if (!any)
            {
                continue;
            }

            changed++;
            var definition = definitions.Get(item.DefinitionId, item.DefinitionVersion);
            foreach (var light in lights)
            {
                if (light.AssignmentId is { } assignment)
                {
                    await items.AppendAsync(uow, item.Id, new HistoryEntry
                    {
                        At = now,
                        Actor = "system",
                        Action = "assignment-light-changed",
                        FromLight = light.From,
                        ToLight = light.To,
                        Detail = JsonSerializer.Serialize(new { assignment, department = names.GetValueOrDefault(light.DepartmentId)?.Name, seriouslyOverdue = light.ToSerious }),
                    }, cancellationToken);
                }

                await NotifyAsync(uow, item, definition, light, names, now, cancellationToken);
            }
        }

        await uow.CommitAsync(cancellationToken);
        if (changed > 0)
        {
            wakeups?.NoticesQueued();
            wakeups?.BoardChanged();
        }

        if (ids.Count > 0)
        {
            logger.LogInformation("Light transitions at {Now}: {Taken} items taken, {Changed} changed", now, ids.Count, changed);
        }

        return (ids.Count, changed);
    }

    private async Task NotifyAsync(UnitOfWork uow, SupervisedItem item, WorkflowDefinition definition, LightChange change,
        IReadOnlyDictionary<long, Engine.Organisation.Department> names, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var levels = new List<(string Level, IReadOnlyList<Recipient> To)>();
        if (change.To == Light.Yellow && change.From == Light.Green)
        {
            levels.Add(("yellow", definition.Escalation.Yellow));
        }

        if (change.To == Light.Red && change.From != Light.Red)
        {
            levels.Add(("red", definition.Escalation.Red));
        }

        if (change.ToSerious && !change.FromSerious)
        {
            levels.Add(("seriously-overdue", definition.Escalation.SeriouslyOverdue));
        }

        var facts = new NoticeFacts(item.Id, item.Title, names.GetValueOrDefault(change.DepartmentId)?.Name ?? string.Empty, change.DueOn, change.DueAt, change.To, change.ToSerious);
        // The deadline in the key: a new deadline (after an extension) may notify again; the same one never twice.
        var due = change.DueAt is { } at ? at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) : change.DueOn?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "-";
        foreach (var (level, recipients) in levels)
        {
            var (subject, body) = templates.LightChanged(facts, level);
            var cause = $"light:{item.Id}:{change.AssignmentId ?? 0}:{level}:{due}";
            await notices.EnqueueForDepartmentAsync(uow, change.DepartmentId, cause, level, subject, body, item.Id, $"light-changed:{level}", cancellationToken);
            foreach (var userId in await RecipientsAsync(uow, recipients, change.DepartmentId, names, cancellationToken))
            {
                await notices.EnqueueForUserAsync(uow, new NewNotice($"{cause}:{userId}", "inbox", level, userId, null, subject, body, item.Id, $"light-changed:{level}"), cancellationToken);
            }
        }
    }

    private static async Task<IReadOnlyCollection<long>> RecipientsAsync(UnitOfWork uow, IReadOnlyList<Recipient> recipients, long departmentId,
        IReadOnlyDictionary<long, Engine.Organisation.Department> departments, CancellationToken cancellationToken)
    {
        var users = new HashSet<long>();
        foreach (var recipient in recipients)
        {
            if (recipient == Recipient.SupervisingOffice)
            {
                // The nearest department above with supervisors in it.
                for (var d = departments.GetValueOrDefault(departmentId)?.ParentId; d is { } id; d = departments.GetValueOrDefault(id)?.ParentId)
                {
                    var found = await UserStore.IdsInRoleAsync(uow, id, "supervisor", cancellationToken);
                    if (found.Count > 0)
                    {
                        users.UnionWith(found);
                        break;
                    }
                }
            }
            else
            {
                users.UnionWith(await UserStore.IdsInRoleAsync(uow, departmentId, recipient == Recipient.Lead ? "lead" : "handler", cancellationToken));
            }
        }

        return users;
    }
}
