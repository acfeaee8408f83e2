using Mediator;
using Supervision.Engine.Items;
using Supervision.Engine.Workflows;
using Supervision.Host.Pipeline;

namespace Supervision.Host.Items;

/// <summary>A lead approves the pending extension request.</summary>
public sealed record ApproveExtension(long ItemId, Actor Actor, long? Assignment, int? Version)
    : ICommand<SupervisedItem>, IItemMessage;

public sealed class ApproveExtensionHandler(InstanceStore instances) : ICommandHandler<ApproveExtension, SupervisedItem>
{
    public async ValueTask<SupervisedItem> Handle(ApproveExtension command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        return await instances.ActAsync(command.ItemId, command.Version, (definition, state, context, now) =>
            WorkflowEngine.ApproveExtension(definition, state, command.Actor, command.Assignment, now, context), cancellationToken);
    }
}
