using Mediator;
using Supervision.Engine.Items;
using Supervision.Engine.Workflows;
using Supervision.Host.Pipeline;

namespace Supervision.Host.Items;

/// <summary>Completes the item's (or an assignment's) current step with an outcome and its fields.</summary>
public sealed record CompleteStep(long ItemId, Actor Actor, string? Step, string? Outcome, long? Assignment, IReadOnlyDictionary<string, string> Fields, int? Version)
    : ICommand<SupervisedItem>, IItemMessage, IValidated
{
    public IEnumerable<FieldProblem> Validate() => [.. ItemInputs.Required(Step, "step"), .. ItemInputs.Required(Outcome, "outcome")];
}

public sealed class CompleteStepHandler(InstanceStore instances) : ICommandHandler<CompleteStep, SupervisedItem>
{
    public async ValueTask<SupervisedItem> Handle(CompleteStep command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        return await instances.ActAsync(command.ItemId, command.Version, (definition, state, context, now) =>
            WorkflowEngine.Complete(definition, state, command.Actor, command.Step!, command.Outcome!, command.Assignment, command.Fields, now, context), cancellationToken);
    }
}
