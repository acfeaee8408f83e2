using Mediator;
using Supervision.Engine.Clocks;
using Supervision.Engine.Items;
using Supervision.Engine.Workflows;
using Supervision.Host.Pipeline;

namespace Supervision.Host.Items;

/// <summary>Resumes a paused clock from the day the answer came (<c>On</c>) or today.</summary>
public sealed record ResumeClock(long ItemId, Actor Actor, long? Assignment, string? Note, string? On, int? Version)
    : ICommand<SupervisedItem>, IItemMessage, IValidated
{
    public IEnumerable<FieldProblem> Validate() => ItemInputs.Day(On, "on");
}

public sealed class ResumeClockHandler(InstanceStore instances) : ICommandHandler<ResumeClock, SupervisedItem>
{
    public async ValueTask<SupervisedItem> Handle(ResumeClock command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        return await instances.ActAsync(command.ItemId, command.Version, (definition, state, context, now) =>
            WorkflowEngine.ClockAction(definition, state, command.Actor, StepAction.Resume, command.Assignment, new ClockEvent.Resumed(now, command.Note, ItemInputs.ToDay(command.On)), now, context), cancellationToken);
    }
}
