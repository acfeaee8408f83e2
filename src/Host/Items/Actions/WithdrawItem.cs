using Mediator;
using Supervision.Engine.Items;
using Supervision.Engine.Workflows;
using Supervision.Host.Pipeline;

namespace Supervision.Host.Items;

/// <summary>Withdraws the item, with reasons.</summary>
public sealed record WithdrawItem(long ItemId, Actor Actor, string? Reason, int? Version) : ICommand<SupervisedItem>, IItemMessage;

public sealed class WithdrawItemHandler(InstanceStore instances) : ICommandHandler<WithdrawItem, SupervisedItem>
{
    public async ValueTask<SupervisedItem> Handle(WithdrawItem command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        return await instances.ActAsync(command.ItemId, command.Version, (definition, state, context, now) =>
            WorkflowEngine.Withdraw(definition, state, command.Actor, command.Reason ?? string.Empty, now, context), cancellationToken);
    }
}
