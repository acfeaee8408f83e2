using System.Globalization;
using System.Security.Claims;
using Mediator;
using Supervision.Engine.Items;
using Supervision.Engine.Workflows;
using Supervision.Host.Calendars;
using Supervision.Host.People;
using Supervision.Host.Platform;
using Supervision.Host.Workflows;

namespace Supervision.Host.Items;

/// <summary>
/// One piece of the caller's own work: an item, the part of it that is theirs to act on (an assignment of their
/// department, or the item itself), its light and due day, the working days left (negative: over), the step and what
/// they can do now (completing the step with an outcome, deciding an extension).
/// </summary>
public sealed record WorkRow(long ItemId, string Kind, string Title, long? AssignmentId, DepartmentRef Department, string Step, LocalText StepName, string Light, bool SeriouslyOverdue,
    bool Paused, string? DueOn, DateTimeOffset? DueAt, int? WorkingDaysLeft, IReadOnlyList<ActionView> Actions);

/// <summary>The caller's own work, most urgent first, as of <see cref="Today"/> in the office's zone.</summary>
public sealed record MyWork(string Today, IReadOnlyList<WorkRow> Rows, bool More);

/// <summary>
/// The signed-in person's open work: the items of their department (its assignments, or items it owns) on which they
/// can act now — complete the step they stand at, or decide an extension — most urgent first: seriously overdue, red,
/// yellow, green, then by due day. What "can act" means is the workflow engine's (the same actions the item's page
/// offers), so a handler sees handling steps and a lead the approvals and the steps leads act on.
/// </summary>
public sealed record GetMyWork(Actor Actor, int Limit) : IQuery<MyWork>;

public sealed class GetMyWorkHandler(AssignmentStore assignments, InstanceStore instances, DepartmentStore departments, CalendarService calendars, DefinitionCatalog definitions,
    OfficeTimeZone zone, TimeProvider clock) : IQueryHandler<GetMyWork, MyWork>
{
    /// <summary>How many of the department's most urgent open items are looked at for the caller's work.</summary>
    public const int Candidates = 500;

    /// <summary>How many candidates are read together (one round trip each batch).</summary>
    public const int Batch = 100;

    private static readonly HashSet<string> Acts = new(StringComparer.Ordinal) { "complete", "approve-extension", "reject-extension" };

    public async ValueTask<MyWork> Handle(GetMyWork query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(clock.GetUtcNow(), zone.Zone).DateTime);
        var calendar = calendars.Current;
        var names = (await departments.ListAsync(cancellationToken)).ToDictionary(d => d.Id, d => d.Name);
        var rows = new List<WorkRow>();
        var more = false;
        var candidates = await assignments.UrgentItemsOfAsync(query.Actor.DepartmentId, Candidates, cancellationToken);
        // Read a batch at a time, most urgent first, until the rows asked for are found (and one more, to say so).
        foreach (var batch in candidates.Chunk(Batch))
        {
            foreach (var (item, itemAssignments, available) in await instances.AvailableManyAsync(batch, query.Actor, cancellationToken))
            {
                if (item.ClosedAt is not null)
                {
                    continue;
                }

                // Completing a step counts when the step is one their role acts on (a lead may complete a handler's
                // step, but it is the handler's work); deciding an extension is always the decider's.
                var definition = definitions.Get(item.DefinitionId, item.DefinitionVersion);
                var actions = available
                    .Where(a => Acts.Contains(a.Action) && (a.Action != "complete" || definition.Steps.FirstOrDefault(s => s.Id == a.Step)?.Role == query.Actor.Role))
                    .ToList();
                if (actions.Count == 0)
                {
                    continue;
                }

                if (rows.Count == query.Limit)
                {
                    more = true;
                    break;
                }

                // The part that is theirs: the assignment the actions name (of their department), else the item itself.
                var owned = actions.FirstOrDefault(a => a.AssignmentId is not null)?.AssignmentId is { } assignmentId
                    ? itemAssignments.FirstOrDefault(a => a.Id == assignmentId)
                    : null;
                var (light, serious, paused, dueOn, dueAt, step, departmentId) = owned is { } a
                    ? (a.Light, a.SeriouslyOverdue, a.Paused, a.DueOn, a.DueAt, a.Step, a.DepartmentId)
                    : (item.Light, item.SeriouslyOverdue, item.Paused, item.DueOn, item.DueAt, item.Step, item.DepartmentId);
                var due = dueOn ?? (dueAt is { } at ? DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone.Zone).DateTime) : null);
                var stepName = definition.Steps.FirstOrDefault(s => s.Id == step)?.Name ?? new LocalText(step, step);
                rows.Add(new WorkRow(item.Id, item.Kind.Code(), item.Title, owned?.Id, new DepartmentRef(departmentId, names.GetValueOrDefault(departmentId) ?? string.Empty), step, stepName,
                    light.Code(), serious, paused, dueOn?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), dueAt, due is { } d ? Left(calendar, today, d) : null,
                    actions.Select(ItemViews.Action).ToList()));
            }

            if (more)
            {
                break;
            }
        }

        return new MyWork(today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), rows, more);
    }

    // Working days from today to the due day: 0 on the due day itself, negative once it has passed.
    private static int? Left(Supervision.Engine.Calendars.WorkingCalendar calendar, DateOnly today, DateOnly due)
    {
        try
        {
            return calendar.WorkingDaysBetween(today, due);
        }
        catch (Supervision.Engine.Calendars.CalendarRangeException)
        {
            return null;
        }
    }
}

/// <summary><c>GET /api/my/work?limit=</c>: the caller's own work, most urgent first (1–200, default 100).</summary>
public static class MyWorkApi
{
    public static IEndpointRouteBuilder MapMyWork(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/my/work", (ClaimsPrincipal user, Actors actors, ISender sender, CancellationToken ct, int limit = 100) => Answer.Read(async () =>
            limit is < 1 or > 200
                ? throw new WorkflowRefusedException(RefusalKind.Invalid, $"limit: {limit} is not between 1 and 200")
                : TypedResults.Ok(await sender.Send(new GetMyWork(await actors.ForAsync(user, ct), limit), ct))))
            .WithTags("Items");
        return endpoints;
    }
}
