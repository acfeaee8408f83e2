using System.Text.Json;
using Supervision.Engine.Clocks;
using Supervision.Engine.Deadlines;
using Supervision.Engine.Items;
using Supervision.Engine.Reports;
using Supervision.Host.Calendars;
using Supervision.Host.Items;
using Supervision.Host.Platform;
using Supervision.Host.Storage;

namespace Supervision.Host.Reports;

/// <summary>
/// Reads what the reports count for a period and a set of departments: every assignment the departments had during
/// it (got by its end and not ended before its start), with its light at the period's end — as stored when the period
/// reaches today, otherwise as its clock gave it then, by the same rules as the live lights — the day the work was done
/// (a reply's date), and the extensions, pauses, returns from review and late corrections that happened within it.
/// </summary>
public sealed class ReportData(Database database, ReportQueries queries, ClockStore clocks, CalendarService calendars, OfficeTimeZone zone, TimeProvider clock)
{
    public ClockContext Context => new(calendars.Current, zone.Zone);

    public async Task<IReadOnlyList<AssignmentRecord>> LoadAsync(ReportPeriod period, IReadOnlyCollection<long>? departments, CancellationToken cancellationToken) =>
        (await LoadWithDetailsAsync(period, departments, cancellationToken)).Records;

    /// <summary>The records with what the ledger shows besides: each assignment's item title, role and current step.</summary>
    public async Task<(IReadOnlyList<AssignmentRecord> Records, IReadOnlyDictionary<long, AssignmentDetail> Details)> LoadWithDetailsAsync(
        ReportPeriod period, IReadOnlyCollection<long>? departments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(period);
        var context = Context;
        var (start, end) = (context.StartOf(period.From), context.EndOf(period.To));
        var today = context.DayOf(clock.GetUtcNow());
        await using var uow = await database.BeginReadAsync(cancellationToken);
        var rows = await queries.AssignmentsAsync(uow, period.To, start, departments, cancellationToken);

        // What happened within the period, to each assignment (an item's own clock is its handling assignment's).
        var firstOfItem = rows.GroupBy(r => r.ItemId).ToDictionary(g => g.Key, g => g.Min(r => r.AssignmentId));
        // Stops within the period are the closings counted in it; a stop naming the day the work was done (a reply's
        // date) is judged and counted by that day.
        var events = await queries.ClockEventsAsync(uow, start, end, cancellationToken);
        var entries = await queries.ReturnsAndLateCorrectionsAsync(uow, start, end, cancellationToken);
        var counts = new Dictionary<long, (int Extensions, int Pauses, int Returns, int LateCorrections)>();
        var doneOn = new Dictionary<long, DateOnly>();
        void Count(long assignment, int extensions, int pauses, int returned, int late)
        {
            var c = counts.GetValueOrDefault(assignment);
            counts[assignment] = (c.Extensions + extensions, c.Pauses + pauses, c.Returns + returned, c.LateCorrections + late);
        }

        foreach (var e in events)
        {
            if ((e.AssignmentId ?? firstOfItem.GetValueOrDefault(e.ItemId)) is var id and > 0)
            {
                if (e.Kind == "stopped" && ClockEventJson.Read(e.Kind, end, e.Data) is ClockEvent.Stopped { On: { } on })
                {
                    doneOn[id] = on;
                }

                Count(id, e.Kind == "extended" ? 1 : 0, e.Kind == "paused" ? 1 : 0, 0, 0);
            }
        }

        foreach (var (itemId, detail) in entries)
        {
            using var json = JsonDocument.Parse(detail);
            var id = json.RootElement.TryGetProperty("assignment", out var a) && a.ValueKind == JsonValueKind.Number ? a.GetInt64() : firstOfItem.GetValueOrDefault(itemId);
            var late = json.RootElement.TryGetProperty("late", out var l) && l.ValueKind == JsonValueKind.True;
            if (id > 0)
            {
                Count(id, 0, 0, late ? 0 : 1, late ? 1 : 0);
            }
        }

        // Open at the period's end but the period is past: the light then, from the clock's events known by then.
        var reconstruct = period.To < today
            ? rows.Where(r => r.ClosedAt is null || r.ClosedAt >= end).ToList()
            : [];
        var lightsThen = new Dictionary<long, LightReading>();
        if (reconstruct.Count > 0)
        {
            var itemIds = reconstruct.Select(r => r.ItemId).Distinct().ToList();
            var itemClocks = await clocks.LoadManyAsync(uow, itemIds, cancellationToken);
            var own = await clocks.LoadAssignmentClocksManyAsync(uow, itemIds, cancellationToken);
            foreach (var r in reconstruct)
            {
                if (!itemClocks.TryGetValue(r.ItemId, out var item))
                {
                    continue;
                }

                var history = own.TryGetValue(r.AssignmentId, out var mine) && mine.Count > 0 ? mine : item.Events;
                if (LightRules.AsOf(history, item.Policy, context, end) is { } reading)
                {
                    lightsThen[r.AssignmentId] = reading;
                }
            }
        }

        var records = new List<AssignmentRecord>(rows.Count);
        foreach (var r in rows)
        {
            var kind = r.Kind == "task" ? ItemKind.Task : ItemKind.Request;
            var startedOn = kind == ItemKind.Request ? r.ReceivedOn : context.DayOf(r.CreatedAt);
            if (startedOn > period.To)
            {
                continue;
            }

            string? plan = null, planItem = null;
            if (kind == ItemKind.Task)
            {
                using var payload = JsonDocument.Parse(r.Payload);
                plan = payload.RootElement.TryGetProperty("plan", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
                planItem = payload.RootElement.TryGetProperty("planItem", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
            }

            var closedOn = r.ClosedAt is { } closed ? context.DayOf(closed) : (DateOnly?)null;
            var light = Lights.Parse(r.Light);
            var (serious, paused) = (r.SeriouslyOverdue, r.Paused);
            if (lightsThen.TryGetValue(r.AssignmentId, out var then))
            {
                (light, serious, paused) = (then.Light, then.SeriouslyOverdue, then.Paused);
            }

            var c = counts.GetValueOrDefault(r.AssignmentId);
            records.Add(new AssignmentRecord
            {
                ItemId = r.ItemId,
                AssignmentId = r.AssignmentId,
                Kind = kind,
                Definition = r.Definition,
                Plan = plan,
                PlanItem = planItem,
                DepartmentId = r.DepartmentId,
                StartedOn = startedOn,
                DueOn = r.DueOn ?? (r.DueAt is { } at ? context.DayOf(at) : null),
                ClosedOn = closedOn,
                DoneOn = closedOn is not null && doneOn.TryGetValue(r.AssignmentId, out var done) ? done : closedOn,
                Result = r.Result,
                Light = light,
                SeriouslyOverdue = serious,
                Paused = paused,
                Extensions = c.Extensions,
                Pauses = c.Pauses,
                Returns = c.Returns,
                LateCorrections = c.LateCorrections,
            });
        }

        await uow.CommitAsync(cancellationToken);
        return (records, rows.ToDictionary(r => r.AssignmentId, r => new AssignmentDetail(r.Title, r.Role, r.Step)));
    }

    /// <summary>Every history entry of the given items, in order, for the ledger's second sheet.</summary>
    internal Task<IReadOnlyList<HistoryRow>> HistoryAsync(IReadOnlyCollection<long> itemIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(itemIds);
        return queries.HistoryAsync(itemIds, cancellationToken);
    }
}

/// <summary>What the ledger shows of an assignment besides its record: the item's title, the department's role, the step.</summary>
public sealed record AssignmentDetail(string Title, string Role, string Step);
