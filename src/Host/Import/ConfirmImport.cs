using Mediator;
using Supervision.Engine.Workflows;
using Supervision.Host.People;
using Supervision.Host.Pipeline;
using Supervision.Host.Platform;

namespace Supervision.Host.Import;

/// <summary>The plan names departments that do not exist: nothing was imported; <see cref="Refused"/> lists them.</summary>
public sealed class UnknownUnitsException(IReadOnlyList<string> refused)
    : Exception($"Nothing imported: {string.Join("; ", refused)}. Add the departments, or confirm with createUnits to create them."), IRefusal
{
    public IReadOnlyList<string> Refused { get; } = refused;

    public int Status => StatusCodes.Status422UnprocessableEntity;

    public string Title => "Units not found";
}

/// <summary>
/// Confirms a previewed plan import: the tasks of exactly the stored file created and assigned, all in one transaction
/// (<see cref="ImportPlan"/>), the import marked confirmed in it. Sent in place for an ordinary plan; a plan with more
/// task rows than <c>Supervision:Imports:InlineTasks</c> (default 200) is confirmed by a background job, the API
/// answering 202 (<see cref="InBackground"/>). Delivered twice, the job finds the import confirmed and answers with it:
/// the transaction made it all or nothing, and a second confirmation creates nothing (a task already imported from the
/// plan is skipped). A person confirming twice in place is told 409.
/// </summary>
[BackgroundWork("import-confirm")]
public sealed record ConfirmImport(long ImportId, string RequestedBy, bool CreateUnits = false, string? Undated = null, bool InBackground = false)
    : ICommand<ImportDetail>, IBackgroundWork, IOwnTransactions;

public sealed class ConfirmImportHandler(ImportStore imports, UserStore users, Actors actors, ISender sender, IJobProgress progress) : ICommandHandler<ConfirmImport, ImportDetail>
{
    public const string InlineTasksKey = "Supervision:Imports:InlineTasks";

    public const int DefaultInlineTasks = 200;

    public async ValueTask<ImportDetail> Handle(ConfirmImport command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var actor = await actors.ForAsync(command.RequestedBy, cancellationToken);
        var record = await VisibleAsync(imports, users, actor, command.ImportId, cancellationToken);
        if (record.Status != "previewed")
        {
            if (command.InBackground && record.ConfirmedBy == command.RequestedBy)
            {
                // Delivered again after it committed: the import is done, once.
                return ImportsApi.Detail(record);
            }

            throw new WorkflowRefusedException(RefusalKind.Conflict, $"import {command.ImportId} was confirmed by {record.ConfirmedBy} at {record.ConfirmedAt:u}; nothing more to do");
        }

        var undated = UndatedTasksText.Parse(command.Undated)
            ?? throw new WorkflowRefusedException(RefusalKind.Invalid, $"undated: '{command.Undated}' is not {UndatedTasksText.Choices}");
        var content = await imports.ContentAsync(command.ImportId, cancellationToken) ?? throw new KeyNotFoundException($"No import {command.ImportId}.");
        var read = ImportsApi.Read(content, record.FileName, record.Year);
        ImportOutcome outcome;
        try
        {
            outcome = await sender.Send(new ImportPlan(actor, read.Plan, record.PlanName, new Dictionary<string, IReadOnlyList<string>>(), command.CreateUnits, command.ImportId, undated), cancellationToken);
        }
        catch (ImportConfirmedException e)
        {
            throw new WorkflowRefusedException(RefusalKind.Conflict, e.Message);
        }

        if (outcome.Refused.Count > 0)
        {
            throw new UnknownUnitsException(outcome.Refused);
        }

        var rows = read.Plan.Items.Sum(i => i.Tasks.Count);
        progress.Report(rows, rows);
        return ImportsApi.Detail((await imports.GetAsync(command.ImportId, cancellationToken))!);
    }

    /// <summary>The import if the person may see it: an administrator any, anyone else those uploaded within their departments.</summary>
    internal static async Task<ImportRecord> VisibleAsync(ImportStore imports, UserStore users, Actor actor, long id, CancellationToken cancellationToken)
    {
        var record = await imports.GetAsync(id, cancellationToken) ?? throw new KeyNotFoundException($"No import {id}.");
        if (actor.Role != Role.Admin && (await users.FindByLoginAsync(record.UploadedBy, cancellationToken) is not { } uploader || !actor.Scope.Contains(uploader.DepartmentId)))
        {
            throw new KeyNotFoundException($"No import {id}.");
        }

        return record;
    }
}
