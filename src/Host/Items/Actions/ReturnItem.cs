using Mediator;
using Supervision.Engine.Items;
using Supervision.Engine.Workflows;
using Supervision.Host.Pipeline;

namespace Supervision.Host.Items;

/// <summary>Returns the item or an assignment to an earlier step.</summary>
public sealed record ReturnItem(long ItemId, Actor Actor, long? Assignment, string? ToStep, string? Reason, int? Version)
    : ICommand<SupervisedItem>, IItemMessage, IValidated
{
    public IEnumerable<FieldProblem> Validate() => ItemInputs.Required(ToStep, "toStep");
}

public sealed class ReturnItemHandler(InstanceStore instances) : ICommandHandler<ReturnItem, SupervisedItem>
{
    public async ValueTask<SupervisedItem> Handle(ReturnItem command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        return await instances.ActAsync(command.ItemId, command.Version, (definition, state, context, now) =>
            WorkflowEngine.Return(definition, state, command.Actor, command.Assignment, command.ToStep!, command.Reason ?? string.Empty, now, context), cancellationToken);
    }
}
