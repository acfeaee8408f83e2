using System.Security.Claims;
using System.Text.Json;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Supervision.Engine.Items;
using Supervision.Engine.Workflows;
using Supervision.Host.Calendars;
using Supervision.Host.People;
using Supervision.Host.Platform;

namespace Supervision.Host.Items;

/// <summary>An item as every response carries it. <c>ProvisionalYears</c>: the years between receipt and the due day
/// of an open item whose holiday arrangement is not loaded, so the due day is reckoned from the law for now.
/// <c>StepLight</c>, <c>StepDueOn</c>, <c>StepBasis</c>: the current step's or pause's own limit (<c>step:review</c>,
/// <c>pause:third-party-consultation</c>), a promise beside the statutory reply light (<c>Light</c>, <c>DueOn</c>).</summary>
public sealed record ItemView(
    long Id, string Kind, string Title, DepartmentRef Department, string Step, string Light, bool SeriouslyOverdue,
    string? DueOn, DateTimeOffset? DueAt, bool Paused, DateTimeOffset? NextChangeAt, string ReceivedOn, string? StepDueOn,
    string? Result, DateTimeOffset? ClosedAt, int Version, string Definition, JsonElement Fields, IReadOnlyList<int> ProvisionalYears,
    string? StepLight, string? StepBasis, Supervision.Engine.Deadlines.LimitSpan? DeadlineSpan = null);

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

    private static Task<Results<Created<ItemView>, InvalidProblem, ForbiddenProblem, NotFoundProblem, ConflictProblem, RefusedProblem>> RegisterRequest(RegisterRequestBody body, ClaimsPrincipal user, Actors actors, ISender sender, DepartmentStore departments, CalendarService calendars, CancellationToken ct) => Answer.Command(async () =>
    {
        var fields = new Dictionary<string, string?>
        {
            ["channel"] = body.Channel,
            ["receivedOn"] = body.ReceivedOn,
            ["applicant"] = body.Applicant,
            ["content"] = body.Content,
        }.Where(f => f.Value is not null).ToDictionary(f => f.Key, f => f.Value!);
        var item = await sender.Send(new RegisterRequest(await actors.ForAsync(user, ct), body.Title, body.Department, fields, body.Definition), ct);
        return TypedResults.Created($"/api/items/{item.Id}", await ItemViews.ViewAsync(item, departments, calendars, ct));
    });

    private static Task<Results<Created<ItemView>, InvalidProblem, ForbiddenProblem, NotFoundProblem, ConflictProblem, RefusedProblem>> RegisterTask(RegisterTaskBody body, ClaimsPrincipal user, Actors actors, ISender sender, DepartmentStore departments, CalendarService calendars, CancellationToken ct) => Answer.Command(async () =>
    {
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
        var item = await sender.Send(new RegisterTask(await actors.ForAsync(user, ct), body.Title, fields, body.Definition), ct);
        return TypedResults.Created($"/api/items/{item.Id}", await ItemViews.ViewAsync(item, departments, calendars, ct));
    });

    private static Task<Results<Ok<ItemPage>, InvalidProblem>> Search([AsParameters] ItemQuery query, ClaimsPrincipal user, Actors actors, ISender sender, CancellationToken ct) =>
        Answer.Read(async () => TypedResults.Ok(await sender.Send(new SearchItems(await actors.ForAsync(user, ct), query), ct)));

    private static Task<Results<Ok<ItemDetail>, NotFoundProblem>> Get(long id, ClaimsPrincipal user, Actors actors, ISender sender, CancellationToken ct) =>
        Answer.Found(async () => TypedResults.Ok(await sender.Send(new GetItem(id, await actors.ForAsync(user, ct)), ct)));

    // Which command an action's name and body make; the pipeline decides scope before anything of the body is checked.
    private static ICommand<SupervisedItem> Command(long id, string action, ActionBody body, Actor actor) => action switch
    {
        "complete" => new CompleteStep(id, actor, body.Step, body.Outcome, body.Assignment, body.Fields ?? [], body.Version),
        "pause" => new PauseClock(id, actor, body.Assignment, body.Reason, body.Note, body.On, body.Version),
        "resume" => new ResumeClock(id, actor, body.Assignment, body.Note, body.On, body.Version),
        "extend" => new ExtendLimit(id, actor, body.Assignment, body.WorkingDays, body.Reason, body.Approver, body.Version),
        "approve-extension" => new ApproveExtension(id, actor, body.Assignment, body.Version),
        "reject-extension" => new RejectExtension(id, actor, body.Assignment, body.Reason, body.Version),
        "override" => new OverrideDueDay(id, actor, body.Assignment, body.DueOn, body.Reason, body.Version),
        "transfer" => new TransferItem(id, actor, body.Assignment, body.Department, body.Reason, body.Version),
        "return" => new ReturnItem(id, actor, body.Assignment, body.ToStep, body.Reason, body.Version),
        "report" => new ReportProgress(id, actor, body.Assignment, body.Text, body.Version),
        "withdraw" => new WithdrawItem(id, actor, body.Reason, body.Version),
        _ => throw new KeyNotFoundException($"'{action}' is not an action; expected complete, pause, resume, extend, approve-extension, reject-extension, override, transfer, return, report or withdraw."),
    };

    private static Task<Results<Ok<ItemView>, InvalidProblem, ForbiddenProblem, NotFoundProblem, ConflictProblem, RefusedProblem>> Act(long id, string action, ActionBody body, ClaimsPrincipal user, Actors actors, ISender sender, DepartmentStore departments, CalendarService calendars, CancellationToken ct) => Answer.Command(async () =>
    {
        // The directory is read before the action: once it has committed, the answer needs nothing more from the
        // database, so an outage in between cannot turn a done action into an error.
        var directory = await departments.ListAsync(ct);
        var item = await sender.Send(Command(id, action, body, await actors.ForAsync(user, directory, ct)), ct);
        return TypedResults.Ok(ItemViews.View(item, directory.FirstOrDefault(d => d.Id == item.DepartmentId)?.Name ?? (await departments.GetAsync(item.DepartmentId, ct))?.Name ?? string.Empty, calendars.Current));
    });
}
