using Mediator;
using Supervision.Engine.Items;
using Supervision.Engine.Workflows;
using Supervision.Host.Pipeline;

namespace Supervision.Host.Items;

/// <summary>A lead rejects the pending extension request, with reasons.</summary>
public sealed record RejectExtension(long ItemId, Actor Actor, long? Assignment, string? Reason, int? Version)
    : ICommand<SupervisedItem>, IItemMessage, IValidated
{
    public IEnumerable<FieldProblem> Validate() => ItemInputs.Required(Reason, "reason");
}

public sealed class RejectExtensionHandler(InstanceStore instances) : ICommandHandler<RejectExtension, SupervisedItem>
{
    public async ValueTask<SupervisedItem> Handle(RejectExtension command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        return await instances.ActAsync(command.ItemId, command.Version, (definition, state, context, now) =>
            WorkflowEngine.RejectExtension(definition, state, command.Actor, command.Assignment, command.Reason!, now, context), cancellationToken);
    }
}
