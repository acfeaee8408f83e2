using Mediator;
using Supervision.Engine.Items;
using Supervision.Engine.Workflows;
using Supervision.Host.People;

namespace Supervision.Host.Items;

/// <summary>
/// Registers a disclosure request for a department (by name, alias or id) on the newest request workflow, or the one
/// named: its fields (channel, receivedOn, applicant, content) as the definition's start step asks for them.
/// </summary>
public sealed record RegisterRequest(Actor Actor, string? Title, string? Department, IReadOnlyDictionary<string, string> Fields, string? Definition = null) : ICommand<SupervisedItem>;

public sealed class RegisterRequestHandler(InstanceStore instances, DepartmentStore departments) : ICommandHandler<RegisterRequest, SupervisedItem>
{
    public async ValueTask<SupervisedItem> Handle(RegisterRequest command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var department = await ItemInputs.DepartmentAsync(command.Department, "department", departments, cancellationToken);
        return await instances.RegisterAsync(ItemKind.Request, command.Definition, command.Actor, command.Title ?? string.Empty, department, command.Fields, cancellationToken);
    }
}

/// <summary>
/// Registers a supervision task on the newest task workflow, or the one named: its lead and responsible departments
/// (which must all be within the registrar's departments), deadline, report cadence, plan and plan item. The item
/// belongs to its first lead department.
/// </summary>
public sealed record RegisterTask(Actor Actor, string? Title, IReadOnlyDictionary<string, string> Fields, string? Definition = null) : ICommand<SupervisedItem>;

public sealed class RegisterTaskHandler(InstanceStore instances) : ICommandHandler<RegisterTask, SupervisedItem>
{
    public async ValueTask<SupervisedItem> Handle(RegisterTask command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        return await instances.RegisterAsync(ItemKind.Task, command.Definition, command.Actor, command.Title ?? string.Empty, command.Actor.DepartmentId, command.Fields, cancellationToken);
    }
}
