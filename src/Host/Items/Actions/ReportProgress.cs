using Mediator;
using Supervision.Engine.Items;
using Supervision.Engine.Workflows;
using Supervision.Host.Pipeline;

namespace Supervision.Host.Items;

/// <summary>Adds a progress report.</summary>
public sealed record ReportProgress(long ItemId, Actor Actor, long? Assignment, string? Text, int? Version)
    : ICommand<SupervisedItem>, IItemMessage;

public sealed class ReportProgressHandler(InstanceStore instances) : ICommandHandler<ReportProgress, SupervisedItem>
{
    public async ValueTask<SupervisedItem> Handle(ReportProgress command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        return await instances.ActAsync(command.ItemId, command.Version, (definition, state, context, now) =>
            WorkflowEngine.Report(definition, state, command.Actor, command.Assignment, command.Text ?? string.Empty, now, context), cancellationToken);
    }
}
