using System.Text.Json;
using Mediator;
using Supervision.Engine.Import;
using Supervision.Engine.Workflows;
using Supervision.Host.People;
using Supervision.Host.Pipeline;

namespace Supervision.Host.Import;

/// <summary>
/// A supervisor uploads a plan to look at before importing it: the file is read (its layout, each task's departments
/// and deadlines, the units no department matches) and stored with that report under the uploader's name, for
/// anyone of the uploader's office to confirm (<see cref="ImportPlan"/>). <c>PlanName</c> overrides the name read
/// from the plan's title.
/// </summary>
public sealed record PreviewPlan(Actor Actor, string FileName, byte[] Content, int? Year, string? PlanName) : ICommand<ImportRecord>, IValidated, IOwnTransactions
{
    public IEnumerable<FieldProblem> Validate()
    {
        if (PlanName is { } name && name.Trim().Length > 200)
        {
            yield return new FieldProblem("plan", "at most 200 characters");
        }
    }
}

public sealed class PreviewPlanHandler(ImportStore imports, DepartmentStore departments) : ICommandHandler<PreviewPlan, ImportRecord>
{
    public async ValueTask<ImportRecord> Handle(PreviewPlan command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var read = ImportsApi.Read(command.Content, command.FileName, command.Year);
        var planName = !string.IsNullOrWhiteSpace(command.PlanName) ? command.PlanName.Trim()
            : read.Plan.Title is { } title ? PlanReader.PlanName(title) : Path.GetFileNameWithoutExtension(command.FileName);
        if (planName.Length > 200)
        {
            throw new WorkflowRefusedException(RefusalKind.Invalid, "plan: at most 200 characters");
        }

        var report = PlanReport.Of(command.FileName, read, new UnitDirectory(await departments.ListAsync(cancellationToken), await departments.GroupsAsync(cancellationToken)));
        return await imports.AddAsync(command.FileName, command.Content, command.Year, planName, command.Actor.Login, JsonSerializer.Serialize(report, ImportsApi.Json), cancellationToken);
    }
}
