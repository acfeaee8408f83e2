using Mediator;
using Supervision.Engine.Clocks;
using Supervision.Engine.Items;
using Supervision.Engine.Workflows;
using Supervision.Host.Calendars;
using Supervision.Host.People;
using Supervision.Host.Pipeline;
using Supervision.Host.Platform;

namespace Supervision.Host.Items;

/// <summary>
/// GET /api/items' query parameters: kind, department (with <c>subtree</c>), light, seriously overdue, step, due
/// before/after a day or within N working days, text, paused, open, the step limit's light, and the page.
/// </summary>
public sealed record ItemQuery(
    string? Kind = null, string? Department = null, bool Subtree = false, string? Light = null, bool? Serious = null, string? Step = null, string? DueBefore = null,
    string? DueAfter = null, int? DueWithin = null, string? Text = null, bool? Paused = null, bool? Open = null, string? StepLight = null, int Page = 1, int PageSize = 50);

/// <summary>The items within the reader's departments that match <see cref="Query"/>, a page at a time.</summary>
public sealed record SearchItems(Actor Actor, ItemQuery Query) : IQuery<ItemPage>, IValidated
{
    public IEnumerable<FieldProblem> Validate()
    {
        var q = Query;
        if (q.Page < 1 || q.PageSize is < 1 or > 200)
        {
            yield return new FieldProblem("page", "from 1; pageSize: 1 to 200");
        }

        if (q.DueWithin is < 0 or > 366)
        {
            yield return new FieldProblem("dueWithin", "0 to 366 working days");
        }

        if (q.Kind is not null && !ItemKinds.TryParse(q.Kind, out _))
        {
            yield return new FieldProblem("kind", $"'{q.Kind}' is not request or task");
        }

        if (q.Light is not null && !Lights.TryParse(q.Light, out _))
        {
            yield return new FieldProblem("light", $"'{q.Light}' is not green, yellow, red, done-on-time or done-late");
        }

        if (q.StepLight is not null && !(Lights.TryParse(q.StepLight, out var sl) && sl is Engine.Items.Light.Green or Engine.Items.Light.Yellow or Engine.Items.Light.Red))
        {
            yield return new FieldProblem("stepLight", $"'{q.StepLight}' is not green, yellow or red");
        }

        foreach (var problem in ItemInputs.Day(q.DueBefore, "dueBefore").Concat(ItemInputs.Day(q.DueAfter, "dueAfter")))
        {
            yield return problem;
        }
    }
}

public sealed class SearchItemsHandler(ItemSearch search, DepartmentStore departments, CalendarService calendars, OfficeTimeZone zone, TimeProvider clock) : IQueryHandler<SearchItems, ItemPage>
{
    public async ValueTask<ItemPage> Handle(SearchItems query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var (actor, q) = (query.Actor, query.Query);
        var directory = await departments.ListAsync(cancellationToken);
        IReadOnlyCollection<long>? within = null;
        if (q.Department is not null)
        {
            var id = await ItemInputs.DepartmentAsync(q.Department, "department", departments, cancellationToken);
            within = q.Subtree ? directory.Subtree(id) : [id];
        }

        var before = ItemInputs.ToDay(q.DueBefore);
        if (q.DueWithin is { } days)
        {
            // Due within N working days: by the end of the Nth working day from today (today counts when it is one).
            var calendar = calendars.Current;
            var today = new ClockContext(calendar, zone.Zone).DayOf(clock.GetUtcNow());
            var until = days == 0 ? today : calendar.AddWorkingDays(calendar.NextWorkingDayOnOrAfter(today), days - 1);
            before = before is { } b && b < until ? b : until;
        }

        var filter = new ItemFilter(
            q.Kind is null ? null : ItemKinds.TryParse(q.Kind, out var k) ? k : null,
            within,
            q.Light is null ? null : Lights.TryParse(q.Light, out var l) ? l : null,
            q.Step,
            before,
            ItemInputs.ToDay(q.DueAfter),
            q.Text,
            q.Paused,
            q.Open,
            q.Serious,
            q.StepLight is null ? null : Lights.TryParse(q.StepLight, out var sl) ? sl : null);
        // A scope holding every department restricts nothing (and a thousand ids would cost every row a lookup).
        var scope = actor.Role == Role.Admin || actor.Scope.Count >= directory.Count ? null : actor.Scope;
        var found = await search.SearchAsync(filter, scope, q.Page, q.PageSize, cancellationToken);
        var names = directory.ToDictionary(d => d.Id, d => d.Name);
        var views = found.Items.Select(item => ItemViews.View(item, names.GetValueOrDefault(item.DepartmentId) ?? string.Empty, calendars.Current)).ToList();
        return new ItemPage(views, q.Page, q.PageSize, found.Total, found.TotalIsAtLeast);
    }
}
