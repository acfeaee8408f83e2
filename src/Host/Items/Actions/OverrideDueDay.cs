using Mediator;
using Supervision.Engine.Clocks;
using Supervision.Engine.Items;
using Supervision.Engine.Workflows;
using Supervision.Host.Pipeline;

namespace Supervision.Host.Items;

/// <summary>Sets the due day directly (article 35), with reasons.</summary>
public sealed record OverrideDueDay(long ItemId, Actor Actor, long? Assignment, string? DueOn, string? Reason, int? Version)
    : ICommand<SupervisedItem>, IItemMessage, IValidated
{
    public IEnumerable<FieldProblem> Validate() => [.. ItemInputs.Required(DueOn, "dueOn"), .. ItemInputs.Day(DueOn, "dueOn"), .. ItemInputs.Required(Reason, "reason")];
}

public sealed class OverrideDueDayHandler(InstanceStore instances) : ICommandHandler<OverrideDueDay, SupervisedItem>
{
    public async ValueTask<SupervisedItem> Handle(OverrideDueDay command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        return await instances.ActAsync(command.ItemId, command.Version, (definition, state, context, now) =>
            WorkflowEngine.ClockAction(definition, state, command.Actor, StepAction.Override, command.Assignment, new ClockEvent.Overridden(now, ItemInputs.ToDay(command.DueOn)!.Value, null, command.Actor.Login, command.Reason!), now, context), cancellationToken);
    }
}
