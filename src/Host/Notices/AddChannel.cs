using Mediator;
using Supervision.Engine.Organisation;
using Supervision.Engine.Workflows;
using Supervision.Host.People;
using Supervision.Host.Pipeline;

namespace Supervision.Host.Notices;

/// <summary>Also sends a department's notices to a webhook, WeCom or DingTalk robot (with its signing secret).</summary>
public sealed record AddChannel(string Department, string Channel, string Address, string? Secret) : ICommand<Department>;

public sealed class AddChannelHandler(DepartmentStore departments, NoticeStore notices) : ICommandHandler<AddChannel, Department>
{
    public async ValueTask<Department> Handle(AddChannel command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var department = await departments.FindByNameAsync(command.Department, cancellationToken)
            ?? throw new WorkflowRefusedException(RefusalKind.Invalid, $"department: no department named '{command.Department}'");
        await notices.AddChannelInAsync(Transactions.Work, department.Id, command.Channel, command.Address, command.Secret, cancellationToken);
        return department;
    }
}
