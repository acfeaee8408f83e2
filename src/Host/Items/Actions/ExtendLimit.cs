using Mediator;
using Supervision.Engine.Deadlines;
using Supervision.Engine.Items;
using Supervision.Engine.Workflows;
using Supervision.Host.Pipeline;

namespace Supervision.Host.Items;

/// <summary>Extends the limit by working days (article 33: within the cap, while the period runs): a lead at once, a handler asks a lead. An approver typed into the request is refused: the lead who approves is the one signed in.</summary>
public sealed record ExtendLimit(long ItemId, Actor Actor, long? Assignment, int? WorkingDays, string? Reason, string? Approver, int? Version)
    : ICommand<SupervisedItem>, IItemMessage, IValidated
{
    public IEnumerable<FieldProblem> Validate() => [.. WorkingDays is > 0 ? [] : new[] { new FieldProblem("workingDays", "a positive whole number") }, .. ItemInputs.Required(Reason, "reason"), .. Approver is null ? [] : new[] { new FieldProblem("approver", "not accepted: an extension is approved by a lead signed in (approve-extension), who is recorded as approver; a handler's extend asks for it") }];
}

public sealed class ExtendLimitHandler(InstanceStore instances) : ICommandHandler<ExtendLimit, SupervisedItem>
{
    public async ValueTask<SupervisedItem> Handle(ExtendLimit command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        return await instances.ActAsync(command.ItemId, command.Version, (definition, state, context, now) =>
            WorkflowEngine.Extend(definition, state, command.Actor, command.Assignment, new TimeLimit.WorkingDays(command.WorkingDays!.Value), command.Reason!, now, context), cancellationToken);
    }
}
