using Mediator;
using Supervision.Engine.Clocks;
using Supervision.Engine.Items;
using Supervision.Engine.Workflows;
using Supervision.Host.Pipeline;

namespace Supervision.Host.Items;

/// <summary>Pauses the clock for a reason the definition allows, from the day the letter went out (<c>On</c>) or today.</summary>
public sealed record PauseClock(long ItemId, Actor Actor, long? Assignment, string? Reason, string? Note, string? On, int? Version)
    : ICommand<SupervisedItem>, IItemMessage, IValidated
{
    public IEnumerable<FieldProblem> Validate() => [.. ItemInputs.PauseReason(Reason), .. ItemInputs.Day(On, "on")];
}

public sealed class PauseClockHandler(InstanceStore instances) : ICommandHandler<PauseClock, SupervisedItem>
{
    public async ValueTask<SupervisedItem> Handle(PauseClock command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        return await instances.ActAsync(command.ItemId, command.Version, (definition, state, context, now) =>
            WorkflowEngine.ClockAction(definition, state, command.Actor, StepAction.Pause, command.Assignment, new ClockEvent.Paused(now, ItemInputs.ToPauseReason(command.Reason), command.Note, ItemInputs.ToDay(command.On)), now, context), cancellationToken);
    }
}
