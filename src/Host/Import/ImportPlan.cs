using Mediator;
using Supervision.Engine.Import;
using Supervision.Engine.Items;
using Supervision.Engine.Workflows;
using Supervision.Host.Pipeline;
using Supervision.Host.Storage;

namespace Supervision.Host.Import;

/// <summary>
/// Imports a plan's tasks in one transaction, all or none: each task registered and assigned to its lead and
/// responsible departments (groups expanded, <see cref="Groups"/> adding to the stored ones), a task already imported
/// from the plan skipped, undated tasks handled as <see cref="Undated"/> says. Departments the plan names that do not
/// exist are refused with nothing written, or created below the importer's department with <see cref="CreateUnits"/>.
/// With <see cref="ImportId"/>, the previewed upload is marked imported in the same transaction, so it is confirmed
/// once however many press the button.
/// </summary>
public sealed record ImportPlan(
    Actor Actor, PlanDocument Plan, string PlanName, IReadOnlyDictionary<string, IReadOnlyList<string>> Groups, bool CreateUnits,
    long? ImportId = null, UndatedTasks Undated = UndatedTasks.YearEnd) : ICommand<ImportOutcome>, IValidated
{
    public IEnumerable<FieldProblem> Validate()
    {
        if (string.IsNullOrWhiteSpace(PlanName))
        {
            yield return new FieldProblem("planName", "required");
        }
    }
}

public sealed class ImportPlanHandler(PlanImports imports) : ICommandHandler<ImportPlan, ImportOutcome>
{
    public async ValueTask<ImportOutcome> Handle(ImportPlan command, CancellationToken cancellationToken)
    {
        var created = new List<SupervisedItem>();
        var outcome = await imports.ApplyInAsync(Transactions.Work, command, created, cancellationToken);
        if (outcome.Tasks.Any(t => t.ItemId is not null))
        {
            // Every board may show the new tasks; the light loop wakes for the earliest change among them.
            Transactions.AfterCommit(new ItemsChanged(null, created.Select(c => c.NextChangeAt).Where(at => at is not null).Min()));
        }

        return outcome;
    }
}
