using Mediator;
using Supervision.Engine.Items;
using Supervision.Engine.Workflows;
using Supervision.Host.Pipeline;

namespace Supervision.Host.Items;

/// <summary>A lead approves the pending extension request.</summary>
public sealed record ApproveExtension(long ItemId, Actor Actor, long? Assignment, int? Version)
    : ICommand<SupervisedItem>, IItemMessage;

public sealed class ApproveExtensionHandler(ItemWorkflows workflows) : ICommandHandler<ApproveExtension, SupervisedItem>
{
    public async ValueTask<SupervisedItem> Handle(ApproveExtension command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        return await workflows.ActInCommandAsync(command.ItemId, command.Version, (definition, state, context, now) =>
            WorkflowEngine.ApproveExtension(definition, state, command.Actor, command.Assignment, now, context), cancellationToken);
    }
}
