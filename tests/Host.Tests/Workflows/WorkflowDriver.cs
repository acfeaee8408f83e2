using Mediator;
using Supervision.Engine.Clocks;
using Supervision.Engine.Deadlines;
using Supervision.Engine.Items;
using Supervision.Engine.Workflows;
using Supervision.Host.Items;
using Supervision.Host.People;

namespace Supervision.Host.Tests.Workflows;

/// <summary>
/// The workflow tests' way in: each call is the command the API sends for it, through the same mediator and
/// behaviours (scope, validation, one transaction, effects after the commit), so a workflow test exercises the path
/// real use takes. The arguments are typed as the tests think of them (a pause reason, a due day, a department's id).
/// </summary>
public sealed class WorkflowDriver(ISender sender, Actors actors)
{
    public Task<Actor> ActorAsync(string login, CancellationToken cancellationToken) => actors.ForAsync(login, cancellationToken);

    public async Task<SupervisedItem> RegisterAsync(ItemKind kind, string? definitionId, Actor actor, string title, long departmentId, IReadOnlyDictionary<string, string> fields, CancellationToken cancellationToken) =>
        kind == ItemKind.Request
            ? await sender.Send(new RegisterRequest(actor, title, Id(departmentId), fields, definitionId), cancellationToken)
            : await sender.Send(new RegisterTask(actor, title, fields, definitionId), cancellationToken);

    public async Task<SupervisedItem> CompleteAsync(long itemId, Actor actor, string expectedStep, string outcome, long? assignmentId, IReadOnlyDictionary<string, string> fields, int? expectedVersion, CancellationToken cancellationToken) =>
        await sender.Send(new CompleteStep(itemId, actor, expectedStep, outcome, assignmentId, fields, expectedVersion), cancellationToken);

    public async Task<SupervisedItem> PauseAsync(long itemId, Actor actor, long? assignmentId, PauseReason reason, string? note, DateOnly? on, int? expectedVersion, CancellationToken cancellationToken) =>
        await sender.Send(new PauseClock(itemId, actor, assignmentId, Clock.ReasonCode(reason), note, Day(on), expectedVersion), cancellationToken);

    public async Task<SupervisedItem> ResumeAsync(long itemId, Actor actor, long? assignmentId, string? note, DateOnly? on, int? expectedVersion, CancellationToken cancellationToken) =>
        await sender.Send(new ResumeClock(itemId, actor, assignmentId, note, Day(on), expectedVersion), cancellationToken);

    public async Task<SupervisedItem> ExtendAsync(long itemId, Actor actor, long? assignmentId, TimeLimit by, string reason, int? expectedVersion, CancellationToken cancellationToken) =>
        await sender.Send(new ExtendLimit(itemId, actor, assignmentId, ((TimeLimit.WorkingDays)by).Count, reason, null, expectedVersion), cancellationToken);

    public async Task<SupervisedItem> ApproveExtensionAsync(long itemId, Actor actor, long? assignmentId, int? expectedVersion, CancellationToken cancellationToken) =>
        await sender.Send(new ApproveExtension(itemId, actor, assignmentId, expectedVersion), cancellationToken);

    public async Task<SupervisedItem> RejectExtensionAsync(long itemId, Actor actor, long? assignmentId, string reason, int? expectedVersion, CancellationToken cancellationToken) =>
        await sender.Send(new RejectExtension(itemId, actor, assignmentId, reason, expectedVersion), cancellationToken);

    public async Task<SupervisedItem> OverrideAsync(long itemId, Actor actor, long? assignmentId, DateOnly dueOn, string reason, int? expectedVersion, CancellationToken cancellationToken) =>
        await sender.Send(new OverrideDueDay(itemId, actor, assignmentId, Day(dueOn), reason, expectedVersion), cancellationToken);

    public async Task<SupervisedItem> TransferAsync(long itemId, Actor actor, long? assignmentId, long toDepartment, string reason, int? expectedVersion, CancellationToken cancellationToken) =>
        await sender.Send(new TransferItem(itemId, actor, assignmentId, Id(toDepartment), reason, expectedVersion), cancellationToken);

    public async Task<SupervisedItem> ReturnAsync(long itemId, Actor actor, long? assignmentId, string toStep, string reason, int? expectedVersion, CancellationToken cancellationToken) =>
        await sender.Send(new ReturnItem(itemId, actor, assignmentId, toStep, reason, expectedVersion), cancellationToken);

    public async Task<SupervisedItem> ReportAsync(long itemId, Actor actor, long? assignmentId, string text, int? expectedVersion, CancellationToken cancellationToken) =>
        await sender.Send(new ReportProgress(itemId, actor, assignmentId, text, expectedVersion), cancellationToken);

    public async Task<SupervisedItem> WithdrawAsync(long itemId, Actor actor, string reason, int? expectedVersion, CancellationToken cancellationToken) =>
        await sender.Send(new WithdrawItem(itemId, actor, reason, expectedVersion), cancellationToken);

    private static string Id(long id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string? Day(DateOnly? day) => day?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
