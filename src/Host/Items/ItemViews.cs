using System.Globalization;
using System.Text.Json;
using Supervision.Engine.Calendars;
using Supervision.Engine.Deadlines;
using Supervision.Engine.Items;
using Supervision.Engine.Workflows;
using Supervision.Host.Calendars;
using Supervision.Host.People;

namespace Supervision.Host.Items;

/// <summary>Items as responses show them (<see cref="ItemView"/>, <see cref="StepLimitView"/>).</summary>
internal static class ItemViews
{
    /// <summary>Something the caller may do now, as responses show it.</summary>
    public static ActionView Action(AvailableAction action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return new ActionView(action.Action, action.AssignmentId, action.Step, action.Outcome, action.Name,
            action.Fields.Select(f => new FieldView(f.Name, f.Label, f.Type.ToString().ToLowerInvariant(), f.Required, f.Choices)).ToList(), action.Choices);
    }

    /// <summary>The item with its department's name and the calendar in force.</summary>
    public static ItemView View(SupervisedItem item, string departmentName, WorkingCalendar calendar) =>
        new(item.Id, item.Kind.Code(), item.Title, new DepartmentRef(item.DepartmentId, departmentName), item.Step, item.Light.Code(), item.SeriouslyOverdue,
            Day(item.DueOn), item.DueAt, item.Paused, item.NextChangeAt, item.ReceivedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Day(item.StepDueOn),
            item.Result, item.ClosedAt, item.Version, $"{item.DefinitionId} v{item.DefinitionVersion}", JsonDocument.Parse(item.Payload).RootElement,
            ProvisionalYears(item, calendar), item.StepLight?.Code(), item.StepBasis, DeadlineSpan(item.Payload));

    // A task's "deadline" field holding a span (a task counted from its event: "1 month") as data, so a page says it in
    // its own words without parsing the notation.
    private static LimitSpan? DeadlineSpan(string payload)
    {
        using var fields = JsonDocument.Parse(payload);
        return fields.RootElement.ValueKind == JsonValueKind.Object && fields.RootElement.TryGetProperty("deadline", out var deadline) && deadline.ValueKind == JsonValueKind.String
            && TimeLimit.TryParse(deadline.GetString(), out var limit, out _) ? limit!.Span() : null;
    }

    /// <summary>The item, looking its department's name up.</summary>
    public static async Task<ItemView> ViewAsync(SupervisedItem item, DepartmentStore departments, CalendarService calendars, CancellationToken cancellationToken) =>
        View(item, (await departments.GetAsync(item.DepartmentId, cancellationToken))?.Name ?? string.Empty, calendars.Current);

    /// <summary>A step's or pause's own limit in words, null when none runs.</summary>
    public static StepLimitView? StepLimit(WorkflowDefinition definition, StepState state) =>
        state.Light is { } light && state.Basis is { } basis
            ? new StepLimitView(light.Code(), Day(state.DueOn), basis, StepDeadlines.Describe(definition, basis) is var (zh, en) ? new LocalText(zh, en) : null!)
            : null;

    /// <summary>A day as responses write it.</summary>
    public static string? Day(DateOnly? day) => day?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    // An open item's due day is reckoned provisionally when a year between its receipt and its due day has no notice.
    private static IReadOnlyList<int> ProvisionalYears(SupervisedItem item, WorkingCalendar calendar) =>
        item.ClosedAt is null && item.DueOn is { } due && due >= item.ReceivedOn ? calendar.ProvisionalYears(item.ReceivedOn, due) : [];
}
