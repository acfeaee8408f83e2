using Mediator;
using Supervision.Engine.Items;
using Supervision.Engine.Workflows;
using Supervision.Host.People;
using Supervision.Host.Pipeline;

namespace Supervision.Host.Items;

/// <summary>Transfers the item or an assignment to another department (named, aliased or by id), with reasons.</summary>
public sealed record TransferItem(long ItemId, Actor Actor, long? Assignment, string? Department, string? Reason, int? Version)
    : ICommand<SupervisedItem>, IItemMessage, IValidated
{
    public IEnumerable<FieldProblem> Validate() => [.. string.IsNullOrWhiteSpace(Department) ? new[] { new FieldProblem("department", "required (a department's name, alias or id)") } : [], .. ItemInputs.Required(Reason, "reason")];
}

public sealed class TransferItemHandler(InstanceStore instances, DepartmentStore departments) : ICommandHandler<TransferItem, SupervisedItem>
{
    public async ValueTask<SupervisedItem> Handle(TransferItem command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var to = await ItemInputs.DepartmentAsync(command.Department, "department", departments, cancellationToken);
        return await instances.ActAsync(command.ItemId, command.Version, (definition, state, context, now) =>
            WorkflowEngine.Transfer(definition, state, command.Actor, command.Assignment, to, command.Reason!, now, context), cancellationToken);
    }
}
