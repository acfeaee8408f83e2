using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Supervision.Engine.Clocks;
using Supervision.Engine.Deadlines;
using Supervision.Engine.Items;
using Supervision.Engine.Workflows;
using Supervision.Host.Calendars;
using Supervision.Host.People;
using Supervision.Host.Platform;
using Supervision.Host.Workflows;

namespace Supervision.Host.Items;

/// <summary>An item as every response carries it. <c>ProvisionalYears</c>: the years between receipt and the due day
/// of an open item whose holiday arrangement is not loaded, so the due day is reckoned from the law for now.
/// <c>StepLight</c>, <c>StepDueOn</c>, <c>StepBasis</c>: the current step's or pause's own limit (<c>step:review</c>,
/// <c>pause:third-party-consultation</c>), a promise beside the statutory reply light (<c>Light</c>, <c>DueOn</c>).</summary>
public sealed record ItemView(
    long Id, string Kind, string Title, DepartmentRef Department, string Step, string Light, bool SeriouslyOverdue,
    string? DueOn, DateTimeOffset? DueAt, bool Paused, DateTimeOffset? NextChangeAt, string ReceivedOn, string? StepDueOn,
    string? Result, DateTimeOffset? ClosedAt, int Version, string Definition, JsonElement Fields, IReadOnlyList<int> ProvisionalYears,
    string? StepLight, string? StepBasis);

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

/// <summary>A page of items.</summary>
/// <summary>A page of items; <c>Total</c> is how many match, or at least that many when <c>TotalIsAtLeast</c> (broad
/// filters at a province are counted up to <see cref="ItemSearch.CountLimit"/>).</summary>
public sealed record ItemPage(IReadOnlyList<ItemView> Items, int Page, int PageSize, long Total, bool TotalIsAtLeast = false);

/// <summary>POST /api/requests.</summary>
public sealed record RegisterRequestBody(string? Title, string? Applicant, string? Channel, string? ReceivedOn, string? Department, string? Content, string? Definition);

/// <summary>POST /api/tasks.</summary>
public sealed record RegisterTaskBody(string? Title, string? Content, string[]? LeadDepartments, string[]? ResponsibleDepartments, string? Deadline, string? ReportCadence, string? Plan, string? PlanItem, string? Definition);

/// <summary>POST /api/items/{id}/actions/{action}: the fields each action reads.</summary>
public sealed record ActionBody(
    string? Step, string? Outcome, long? Assignment, Dictionary<string, string>? Fields, string? Reason, string? Note,
    int? WorkingDays, string? Approver, string? DueOn, string? Department, string? ToStep, string? Text, int? Version, string? On = null);

/// <summary>Registering, finding, reading and acting on items.</summary>
public static class ItemsApi
{
    public static IEndpointRouteBuilder MapItems(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api").WithTags("Items");
        api.MapPost("/requests", RegisterRequest);
        api.MapPost("/tasks", RegisterTask);
        api.MapGet("/items", Search);
        api.MapGet("/items/{id:long}", Get);
        api.MapPost("/items/{id:long}/actions/{action}", Act);
        return endpoints;
    }

    private static async Task<Created<ItemView>> RegisterRequest(RegisterRequestBody body, ClaimsPrincipal user, ItemWorkflows workflows, DepartmentStore departments, CalendarService calendars, CancellationToken ct)
    {
        var actor = await workflows.ActorAsync(user.Identity!.Name!, ct);
        var department = await DepartmentAsync(body.Department, "department", departments, ct);
        var fields = new Dictionary<string, string?>
        {
            ["channel"] = body.Channel,
            ["receivedOn"] = body.ReceivedOn,
            ["applicant"] = body.Applicant,
            ["content"] = body.Content,
        }.Where(f => f.Value is not null).ToDictionary(f => f.Key, f => f.Value!);
        var item = await workflows.RegisterAsync(ItemKind.Request, body.Definition, actor, body.Title ?? string.Empty, department, fields, ct);
        return TypedResults.Created($"/api/items/{item.Id}", await ViewAsync(item, departments, calendars, ct));
    }

    private static async Task<Created<ItemView>> RegisterTask(RegisterTaskBody body, ClaimsPrincipal user, ItemWorkflows workflows, DepartmentStore departments, CalendarService calendars, CancellationToken ct)
    {
        var actor = await workflows.ActorAsync(user.Identity!.Name!, ct);
        var fields = new Dictionary<string, string?>
        {
            ["content"] = body.Content,
            ["leadDepartments"] = body.LeadDepartments is null ? null : string.Join("、", body.LeadDepartments),
            ["responsibleDepartments"] = body.ResponsibleDepartments is null ? null : string.Join("、", body.ResponsibleDepartments),
            ["deadline"] = body.Deadline,
            ["reportCadence"] = body.ReportCadence,
            ["plan"] = body.Plan,
            ["planItem"] = body.PlanItem,
        }.Where(f => f.Value is not null).ToDictionary(f => f.Key, f => f.Value!);
        var item = await workflows.RegisterAsync(ItemKind.Task, body.Definition, actor, body.Title ?? string.Empty, actor.DepartmentId, fields, ct);
        return TypedResults.Created($"/api/items/{item.Id}", await ViewAsync(item, departments, calendars, ct));
    }

    private static async Task<Ok<ItemPage>> Search(
        ClaimsPrincipal user, ItemWorkflows workflows, ItemSearch search, DepartmentStore departments, CalendarService calendars, OfficeTimeZone zone, TimeProvider clock, CancellationToken ct,
        string? kind = null, string? department = null, bool subtree = false, string? light = null, bool? serious = null, string? step = null, string? dueBefore = null, string? dueAfter = null,
        int? dueWithin = null, string? text = null, bool? paused = null, bool? open = null, string? stepLight = null, int page = 1, int pageSize = 50)
    {
        var directory = await departments.ListAsync(ct);
        var actor = await workflows.ActorAsync(user.Identity!.Name!, directory, ct);
        if (page < 1 || pageSize is < 1 or > 200)
        {
            throw new WorkflowRefusedException(RefusalKind.Invalid, "page: from 1; pageSize: 1 to 200");
        }

        IReadOnlyCollection<long>? within = null;
        if (department is not null)
        {
            var id = await DepartmentAsync(department, "department", departments, ct);
            within = subtree ? directory.Subtree(id) : [id];
        }

        var before = Day(dueBefore, "dueBefore");
        if (dueWithin is { } days)
        {
            // Due within N working days: by the end of the Nth working day from today (today counts when it is one).
            if (days is < 0 or > 366)
            {
                throw new WorkflowRefusedException(RefusalKind.Invalid, "dueWithin: 0 to 366 working days");
            }

            var calendar = calendars.Current;
            var today = new ClockContext(calendar, zone.Zone).DayOf(clock.GetUtcNow());
            var until = days == 0 ? today : calendar.AddWorkingDays(calendar.NextWorkingDayOnOrAfter(today), days - 1);
            before = before is { } b && b < until ? b : until;
        }

        var filter = new ItemFilter(
            kind is null ? null : ItemKinds.TryParse(kind, out var k) ? k : throw new WorkflowRefusedException(RefusalKind.Invalid, $"kind: '{kind}' is not request or task"),
            within,
            light is null ? null : Lights.TryParse(light, out var l) ? l : throw new WorkflowRefusedException(RefusalKind.Invalid, $"light: '{light}' is not green, yellow, red, done-on-time or done-late"),
            step,
            before,
            Day(dueAfter, "dueAfter"),
            text,
            paused,
            open,
            serious,
            stepLight is null ? null : Lights.TryParse(stepLight, out var sl) && sl is Light.Green or Light.Yellow or Light.Red ? sl : throw new WorkflowRefusedException(RefusalKind.Invalid, $"stepLight: '{stepLight}' is not green, yellow or red"));
        // A scope holding every department restricts nothing (and a thousand ids would cost every row a lookup).
        var scope = actor.Role == Role.Admin || actor.Scope.Count >= directory.Count ? null : actor.Scope;
        var found = await search.SearchAsync(filter, scope, page, pageSize, ct);
        var names = directory.ToDictionary(d => d.Id, d => d.Name);
        var views = found.Items.Select(item => View(item, names.GetValueOrDefault(item.DepartmentId) ?? string.Empty, calendars.Current)).ToList();
        return TypedResults.Ok(new ItemPage(views, page, pageSize, found.Total, found.TotalIsAtLeast));
    }

    private static async Task<Ok<ItemDetail>> Get(long id, ClaimsPrincipal user, ItemWorkflows workflows, ItemStore items, AssignmentStore assignments, ItemClocks clocks, DepartmentStore departments, CalendarService calendars, DefinitionCatalog definitions, TimeProvider clock, CancellationToken ct)
    {
        var actor = await workflows.ActorAsync(user.Identity!.Name!, ct);
        await workflows.EnsureInScopeAsync(id, actor, ct);
        var item = await items.GetAsync(id, ct) ?? throw new KeyNotFoundException(ItemStore.NoSuchItem(id));
        var owned = await assignments.ListAsync(id, ct);

        object? explanation = null;
        try
        {
            var (_, explained) = await clocks.ExplainAsync(id, clock.GetUtcNow(), ct);
            explanation = new { zh = explained.ToChinese(), en = explained.ToEnglish(), steps = explained.Steps };
        }
        catch (ClockRuleException)
        {
            // Tasks keep their clocks on their assignments; the item has none of its own.
        }

        var names = (await departments.ListAsync(ct)).ToDictionary(d => d.Id, d => d.Name);
        var entries = await items.HistoryAsync(id, ct);
        var history = entries.Select(h => new HistoryView(h.Sequence, h.At, h.Actor, h.Action, h.FromStep, h.ToStep, h.FromLight?.Code(), h.ToLight?.Code(), JsonDocument.Parse(h.Detail).RootElement)).ToList();
        var lateCorrection = history.Any(h => h.Detail.TryGetProperty("late", out var late) && late.ValueKind == JsonValueKind.True);
        var pending = item.ClosedAt is null
            ? WorkflowEngine.PendingExtensions(entries).Select(p => new PendingExtensionView(p.AssignmentId, p.By.ToString(), p.By is TimeLimit.WorkingDays w ? w.Count : null, p.Reason, p.RequestedBy, p.RequestedAt)).ToList()
            : [];
        var own = await clocks.ExplainAssignmentsAsync(id, clock.GetUtcNow(), ct);
        var definition = definitions.Get(item.DefinitionId, item.DefinitionVersion);
        var views = owned.Select(a => new AssignmentView(a.Id, new DepartmentRef(a.DepartmentId, names.GetValueOrDefault(a.DepartmentId, "")), AssignmentStore.Code(a.Role), a.Step, a.Light.Code(), a.SeriouslyOverdue, Day(a.DueOn), a.Paused, a.NextChangeAt, a.Result, a.ClosedAt,
            own.TryGetValue(a.Id, out var e) ? new { zh = e.ToChinese(), en = e.ToEnglish(), steps = e.Steps } : null, StepLimit(definition, a.StepState))).ToList();
        var actions = (await workflows.AvailableAsync(item, actor, ct)).Select(a => new ActionView(a.Action, a.AssignmentId, a.Step, a.Outcome, a.Name,
            a.Fields.Select(f => new FieldView(f.Name, f.Label, f.Type.ToString().ToLowerInvariant(), f.Required, f.Choices)).ToList(), a.Choices)).ToList();
        return TypedResults.Ok(new ItemDetail(await ViewAsync(item, departments, calendars, ct), views, history, explanation, actions, lateCorrection, pending, StepLimit(definition, StepState.Of(item))));
    }

    private static async Task<Ok<ItemView>> Act(long id, string action, ActionBody body, ClaimsPrincipal user, ItemWorkflows workflows, DepartmentStore departments, CalendarService calendars, CancellationToken ct)
    {
        var directory = await departments.ListAsync(ct);
        var actor = await workflows.ActorAsync(user.Identity!.Name!, directory, ct);
        await workflows.EnsureInScopeAsync(id, actor, ct);
        var fields = body.Fields ?? [];
        var item = action switch
        {
            "complete" => await workflows.CompleteAsync(id, actor, Required(body.Step, "step"), Required(body.Outcome, "outcome"), body.Assignment, fields, body.Version, ct),
            "pause" => await workflows.PauseAsync(id, actor, body.Assignment, Reason(body.Reason), body.Note, Day(body.On, "on"), body.Version, ct),
            "resume" => await workflows.ResumeAsync(id, actor, body.Assignment, body.Note, Day(body.On, "on"), body.Version, ct),
            "extend" => await workflows.ExtendAsync(id, actor, body.Assignment, new TimeLimit.WorkingDays(body.WorkingDays is > 0 ? body.WorkingDays.Value : throw new WorkflowRefusedException(RefusalKind.Invalid, "workingDays: a positive whole number")), NoApprover(body.Approver, Required(body.Reason, "reason")), body.Version, ct),
            "approve-extension" => await workflows.ApproveExtensionAsync(id, actor, body.Assignment, body.Version, ct),
            "reject-extension" => await workflows.RejectExtensionAsync(id, actor, body.Assignment, Required(body.Reason, "reason"), body.Version, ct),
            "override" => await workflows.OverrideAsync(id, actor, body.Assignment, Day(Required(body.DueOn, "dueOn"), "dueOn")!.Value, Required(body.Reason, "reason"), body.Version, ct),
            "transfer" => await workflows.TransferAsync(id, actor, body.Assignment, await DepartmentAsync(body.Department, "department", departments, ct), Required(body.Reason, "reason"), body.Version, ct),
            "return" => await workflows.ReturnAsync(id, actor, body.Assignment, Required(body.ToStep, "toStep"), body.Reason ?? string.Empty, body.Version, ct),
            "report" => await workflows.ReportAsync(id, actor, body.Assignment, body.Text ?? string.Empty, body.Version, ct),
            "withdraw" => await workflows.WithdrawAsync(id, actor, body.Reason ?? string.Empty, body.Version, ct),
            _ => throw new KeyNotFoundException($"'{action}' is not an action; expected complete, pause, resume, extend, approve-extension, reject-extension, override, transfer, return, report or withdraw."),
        };
        return TypedResults.Ok(View(item, directory.FirstOrDefault(d => d.Id == item.DepartmentId)?.Name ?? (await departments.GetAsync(item.DepartmentId, ct))?.Name ?? string.Empty, calendars.Current));
    }

    internal static async Task<ItemView> ViewAsync(SupervisedItem item, DepartmentStore departments, CalendarService calendars, CancellationToken ct) =>
        View(item, (await departments.GetAsync(item.DepartmentId, ct))?.Name ?? string.Empty, calendars.Current);

    private static ItemView View(SupervisedItem item, string departmentName, Engine.Calendars.WorkingCalendar calendar) =>
        new(item.Id, item.Kind.Code(), item.Title, new DepartmentRef(item.DepartmentId, departmentName), item.Step, item.Light.Code(), item.SeriouslyOverdue,
            Day(item.DueOn), item.DueAt, item.Paused, item.NextChangeAt, item.ReceivedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Day(item.StepDueOn),
            item.Result, item.ClosedAt, item.Version, $"{item.DefinitionId} v{item.DefinitionVersion}", JsonDocument.Parse(item.Payload).RootElement,
            ProvisionalYears(item, calendar), item.StepLight?.Code(), item.StepBasis);

    private static StepLimitView? StepLimit(WorkflowDefinition definition, StepState state) =>
        state.Light is { } light && state.Basis is { } basis
            ? new StepLimitView(light.Code(), Day(state.DueOn), basis, StepDeadlines.Describe(definition, basis) is var (zh, en) ? new LocalText(zh, en) : null!)
            : null;

    // An open item's due day is reckoned provisionally when a year between its receipt and its due day has no notice.
    private static IReadOnlyList<int> ProvisionalYears(SupervisedItem item, Engine.Calendars.WorkingCalendar calendar) =>
        item.ClosedAt is null && item.DueOn is { } due && due >= item.ReceivedOn ? calendar.ProvisionalYears(item.ReceivedOn, due) : [];

    private static async Task<long> DepartmentAsync(string? nameOrId, string field, DepartmentStore departments, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(nameOrId))
        {
            throw new WorkflowRefusedException(RefusalKind.Invalid, $"{field}: required (a department's name, alias or id)");
        }

        if (long.TryParse(nameOrId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && await departments.GetAsync(id, ct) is not null)
        {
            return id;
        }

        return (await departments.FindByNameAsync(nameOrId, ct))?.Id ?? throw new WorkflowRefusedException(RefusalKind.Invalid, $"{field}: no department '{nameOrId}'");
    }

    // Article 33: the approver is the lead who approves, signed in; a name typed into the request is refused, not trusted.
    private static string NoApprover(string? approver, string reason) =>
        approver is null ? reason
        : throw new WorkflowRefusedException(RefusalKind.Invalid, "approver: not accepted: an extension is approved by a lead signed in (approve-extension), who is recorded as approver; a handler's extend asks for it");

    private static string Required(string? value, string field) =>
        string.IsNullOrWhiteSpace(value) ? throw new WorkflowRefusedException(RefusalKind.Invalid, $"{field}: required") : value;

    private static PauseReason Reason(string? code)
    {
        try
        {
            return ClockEventJson.ReasonFrom(code);
        }
        catch (FormatException e)
        {
            throw new WorkflowRefusedException(RefusalKind.Invalid, $"reason: {e.Message}");
        }
    }

    private static string? Day(DateOnly? day) => day?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static DateOnly? Day(string? text, string field) =>
        text is null ? null
        : DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day
        : throw new WorkflowRefusedException(RefusalKind.Invalid, $"{field}: '{text}' is not a date (yyyy-MM-dd)");
}
