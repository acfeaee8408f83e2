using System.Text.Json;
using Mediator;
using Supervision.Engine.Clocks;
using Supervision.Engine.Deadlines;
using Supervision.Engine.Items;
using Supervision.Engine.Workflows;
using Supervision.Host.Calendars;
using Supervision.Host.People;
using Supervision.Host.Pipeline;
using Supervision.Host.Workflows;

namespace Supervision.Host.Items;

/// <summary>An assignment in an item's detail.</summary>
public sealed record AssignmentView(long Id, DepartmentRef Department, string Role, string Step, string Light, bool SeriouslyOverdue, string? DueOn, bool Paused, DateTimeOffset? NextChangeAt, string? Result, DateTimeOffset? ClosedAt, object? Explanation = null, StepLimitView? StepLimit = null);

/// <summary>A step's or pause's own limit, said in words: its light, due day, what it measures and by which rule.</summary>
public sealed record StepLimitView(string Light, string? DueOn, string Basis, LocalText Name);

/// <summary>A history entry in an item's detail.</summary>
public sealed record HistoryView(int Seq, DateTimeOffset At, string Actor, string Action, string? FromStep, string? ToStep, string? FromLight, string? ToLight, JsonElement Detail);

/// <summary>A field an action asks for.</summary>
public sealed record FieldView(string Name, LocalText Label, string Type, bool Required, IReadOnlyList<string> Choices);

/// <summary>Something the caller may do to the item now (POST /api/items/{id}/actions/{action}).</summary>
public sealed record ActionView(string Action, long? Assignment, string Step, string? Outcome, LocalText Name, IReadOnlyList<FieldView> Fields, IReadOnlyList<string> Choices);

/// <summary>An extension request waiting for a lead (article 33): for the item (null assignment) or one assignment.</summary>
public sealed record PendingExtensionView(long? Assignment, string By, int? WorkingDays, string Reason, string RequestedBy, DateTimeOffset RequestedAt);

/// <summary>An item with its assignments, history, deadline explanation and what the caller may do now;
/// <c>LateCorrection</c>: the applicant was asked for a correction after the review step's limit (article 30, recorded
/// with its reason); <c>PendingExtensions</c>: extension requests waiting for a lead; <c>StepLimit</c>: the current
/// step's or pause's own limit in words, beside the statutory reply deadline.</summary>
public sealed record ItemDetail(ItemView Item, IReadOnlyList<AssignmentView> Assignments, IReadOnlyList<HistoryView> History, object? Explanation, IReadOnlyList<ActionView> Actions,
    bool LateCorrection, IReadOnlyList<PendingExtensionView> PendingExtensions, StepLimitView? StepLimit = null);

/// <summary>One item as its page shows it: assignments, history, deadline explanations and what the reader may do now.</summary>
public sealed record GetItem(long ItemId, Actor Actor) : IQuery<ItemDetail>, IItemMessage;

public sealed class GetItemHandler(InstanceStore instances, ItemStore items, AssignmentStore assignments, ItemClocks clocks, DepartmentStore departments, CalendarService calendars, DefinitionCatalog definitions, TimeProvider clock)
    : IQueryHandler<GetItem, ItemDetail>
{
    public async ValueTask<ItemDetail> Handle(GetItem query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var item = await items.GetAsync(query.ItemId, cancellationToken) ?? throw new KeyNotFoundException(ItemStore.NoSuchItem(query.ItemId));
        var owned = await assignments.ListAsync(query.ItemId, cancellationToken);

        object? explanation = null;
        try
        {
            var (_, explained) = await clocks.ExplainAsync(query.ItemId, clock.GetUtcNow(), cancellationToken);
            explanation = new { zh = explained.ToChinese(), en = explained.ToEnglish(), steps = explained.Steps };
        }
        catch (ClockRuleException)
        {
            // Tasks keep their clocks on their assignments; the item has none of its own.
        }

        var names = (await departments.ListAsync(cancellationToken)).ToDictionary(d => d.Id, d => d.Name);
        var entries = await items.HistoryAsync(query.ItemId, cancellationToken);
        var history = entries.Select(h => new HistoryView(h.Sequence, h.At, h.Actor, h.Action, h.FromStep, h.ToStep, h.FromLight?.Code(), h.ToLight?.Code(), JsonDocument.Parse(h.Detail).RootElement)).ToList();
        var lateCorrection = history.Any(h => h.Detail.TryGetProperty("late", out var late) && late.ValueKind == JsonValueKind.True);
        var pending = item.ClosedAt is null
            ? WorkflowEngine.PendingExtensions(entries).Select(p => new PendingExtensionView(p.AssignmentId, p.By.ToString(), p.By is TimeLimit.WorkingDays w ? w.Count : null, p.Reason, p.RequestedBy, p.RequestedAt)).ToList()
            : [];
        var own = await clocks.ExplainAssignmentsAsync(query.ItemId, clock.GetUtcNow(), cancellationToken);
        var definition = definitions.Get(item.DefinitionId, item.DefinitionVersion);
        var views = owned.Select(a => new AssignmentView(a.Id, new DepartmentRef(a.DepartmentId, names.GetValueOrDefault(a.DepartmentId, "")), AssignmentStore.Code(a.Role), a.Step, a.Light.Code(), a.SeriouslyOverdue, ItemViews.Day(a.DueOn), a.Paused, a.NextChangeAt, a.Result, a.ClosedAt,
            own.TryGetValue(a.Id, out var e) ? new { zh = e.ToChinese(), en = e.ToEnglish(), steps = e.Steps } : null, ItemViews.StepLimit(definition, a.StepState))).ToList();
        var actions = (await instances.AvailableAsync(item, query.Actor, cancellationToken)).Select(ItemViews.Action).ToList();
        return new ItemDetail(await ItemViews.ViewAsync(item, departments, calendars, cancellationToken), views, history, explanation, actions, lateCorrection, pending, ItemViews.StepLimit(definition, StepState.Of(item)));
    }
}
