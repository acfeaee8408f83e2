using System.Text.Json;
using Supervision.Engine.Import;
using Supervision.Engine.Items;
using Supervision.Engine.Organisation;
using Supervision.Engine.Workflows;
using Supervision.Host.Items;
using Supervision.Host.People;
using Supervision.Host.Platform;
using Supervision.Host.Storage;

namespace Supervision.Host.Import;

/// <summary>A task row of a plan as the import treats it: created, awaiting its event, already there, or not created and why.</summary>
public sealed record ImportedTask(string Number, string Title, int Line, string Outcome, long? ItemId, string? Reason);

/// <summary>What an import did: every task row's outcome and the departments it created; <see cref="Refused"/> when nothing was written and why.</summary>
public sealed record ImportOutcome(IReadOnlyList<ImportedTask> Tasks, IReadOnlyList<string> Refused, IReadOnlyList<string> CreatedUnits)
{
    public int Created => Tasks.Count(t => t.Outcome is ImportOutcomes.Created or ImportOutcomes.AwaitingEvent);
}

/// <summary>
/// What becomes of a task row whose plan gives it no deadline (many prose plans date only some items): due at the end
/// of the plan's year, as an annual plan's tasks are (the default); ongoing, reported quarterly; or not created.
/// Either way the outcome says so row by row: never a silent guess.
/// </summary>
public enum UndatedTasks
{
    YearEnd,
    Ongoing,
    Skip,
}

/// <summary>The words for <see cref="UndatedTasks"/> on the command line and in the API.</summary>
public static class UndatedTasksText
{
    public const string Choices = "year-end, ongoing or skip";

    /// <summary>Reads <c>year-end</c> (also the default when blank), <c>ongoing</c> or <c>skip</c>; null for anything else.</summary>
    public static UndatedTasks? Parse(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or "year-end" => UndatedTasks.YearEnd,
        "ongoing" => UndatedTasks.Ongoing,
        "skip" => UndatedTasks.Skip,
        _ => null,
    };
}

/// <summary>The outcomes of a task row.</summary>
public static class ImportOutcomes
{
    /// <summary>Created and assigned: its departments' clocks run.</summary>
    public const string Created = "created";

    /// <summary>Created, its deadline counted from an event (新规出台后1个月内): assigned when the event is recorded.</summary>
    public const string AwaitingEvent = "awaiting-event";

    /// <summary>The same plan, item number and task text exist: left alone.</summary>
    public const string AlreadyImported = "already-imported";

    /// <summary>Not created (no unit, no deadline), with the reason.</summary>
    public const string NotCreated = "not-created";
}

/// <summary>
/// Creates the supervision tasks a plan holds, all in one transaction or none: one task per task row, titled by its
/// item (numbered within the item when it has several rows), with the plan, item number, task text, the item's
/// paragraph in the plan when the document holds one, lead and responsible departments (groups expanded) and the
/// deadline (the earliest date; ongoing and continuous work as 长期坚持 reported quarterly; none in the plan as
/// <see cref="UndatedTasks"/> says), and assigned to its
/// departments at once (交办). A row whose deadline counts from an event (新规出台后1个月内) is created but left at 交办
/// with the event and the span: assigning it asks for the day the event happened and counts from there. A row already
/// imported (same plan, item number and task text) is left as it is, so importing a document again, or two people
/// importing it at once, creates nothing twice. Units that match no department refuse the whole import with the list,
/// unless the import is confirmed with <c>createUnits</c>: then they are created (under the importer's department, in
/// the same transaction) and used.
/// </summary>
public sealed class PlanImports(InstanceStore instances, DepartmentStore departments, ImportStore imports, IJobProgress? progress = null)
{
    public const string Definition = "supervision-task";

    internal static readonly JsonSerializerOptions OutcomeJson = new(JsonSerializerDefaults.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The units a plan names that match no department (and the missing members of groups), each once with its first line.</summary>
    public static IReadOnlyList<(string Name, int Line)> UnknownUnits(PlanDocument plan, UnitDirectory units)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(units);
        return plan.Items.SelectMany(i => i.Tasks.SelectMany(t => units.Match(t.Lead).Concat(units.Match(t.Responsible)).Select(m => (m, t.Line))))
            .SelectMany(x => x.m switch
            {
                UnitMatch.Unknown u => [(u.Text, x.Line)],
                UnitMatch.Group g => g.Missing.Select(name => (name, x.Line)),
                _ => [],
            })
            .GroupBy(x => x.Item1, StringComparer.Ordinal)
            .Select(g => (g.Key, g.Min(x => x.Line)))
            .ToList();
    }

    /// <summary>
    /// Imports the plan inside the running command's transaction (see <see cref="ImportPlan"/>). Returns the refused
    /// units with nothing written when the plan names departments that do not exist (unless they are to be created).
    /// <paramref name="created"/> receives the tasks created, for the loops to hear of after the commit.
    /// </summary>
    internal async Task<ImportOutcome> ApplyInAsync(UnitOfWork uow, ImportPlan command, List<SupervisedItem> created, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uow);
        ArgumentNullException.ThrowIfNull(command);
        var (plan, planName, actor, groups, createUnits, importId, undated) = (command.Plan, command.PlanName, command.Actor, command.Groups, command.CreateUnits, command.ImportId, command.Undated);
        var outcome = new List<ImportedTask>();
        var createdUnits = new List<string>();
        {
            // Two imports of one plan at once (two Hosts, two people): the second waits, then finds the first's tasks.
            await imports.LockPlanAsync(uow, planName, cancellationToken);

        var stored = await departments.ListAsync(uow, cancellationToken);
            var known = (await DepartmentStore.GroupsAsync(uow, cancellationToken)).ToDictionary(g => g.Key, g => g.Value, StringComparer.Ordinal);
            foreach (var (name, members) in groups)
            {
                known[name] = members;
            }

            groups = known;
            var units = new UnitDirectory(stored, groups);
            var unknown = UnknownUnits(plan, units);
            if (unknown.Count > 0 && !createUnits)
            {
                return new ImportOutcome([], unknown.Select(u => $"line {u.Line}: no department '{u.Name}'").ToList(), []);
            }

            if (unknown.Count > 0)
            {
                foreach (var (name, _) in unknown)
                {
                    await departments.AddInAsync(uow, new Department { Name = name, ParentId = actor.DepartmentId }, cancellationToken);
                    createdUnits.Add(name);
                }

                stored = await departments.ListAsync(uow, cancellationToken);
                units = new UnitDirectory(stored, groups);
                // The importer's scope takes in the departments just made under it.
                actor = actor with { Scope = actor.Scope.Union(stored.Where(d => createdUnits.Contains(d.Name)).Select(d => d.Id)).ToHashSet() };
            }

            var names = stored.ToDictionary(d => d.Id, d => d.Name);
            IReadOnlyList<long> Resolve(string cell) => units.Match(cell).SelectMany(m => m switch
            {
                UnitMatch.Known k => [k.Id],
                UnitMatch.Group g => g.Ids,
                _ => Array.Empty<long>(),
            }).Distinct().ToList();

            var existing = await ExistingAsync(uow, planName, cancellationToken);
            var (rows, looked) = (plan.Items.Sum(i => i.Tasks.Count), 0);
            foreach (var item in plan.Items)
            {
                for (var i = 0; i < item.Tasks.Count; i++)
                {
                    // Rows looked at so far, for a confirmation running as a background job.
                    progress?.Report(looked++, rows);
                    var task = item.Tasks[i];
                    var title = item.Tasks.Count == 1 ? item.Title : $"{item.Title}（{i + 1}/{item.Tasks.Count}）";
                    if (!existing.Add((item.Number, task.Text)))
                    {
                        outcome.Add(new ImportedTask(item.Number, title, task.Line, ImportOutcomes.AlreadyImported, null, null));
                        continue;
                    }

                    var lead = Resolve(task.Lead);
                    var responsible = Resolve(task.Responsible).Except(lead).ToList();
                    if (lead.Count == 0)
                    {
                        // A plan naming only 责任单位: they lead.
                        (lead, responsible) = (responsible, []);
                    }

                    var readings = task.Deadline.Deadlines;
                    var relative = readings.FirstOrDefault(d => d.Kind == DeadlineKind.Relative && d.Limit is not null);
                    var deadline = task.Deadline.Earliest?.ToString()
                        ?? (readings.Any(d => d.Kind is DeadlineKind.Ongoing or DeadlineKind.Continuous) ? "长期坚持" : null)
                        ?? relative?.Limit!.ToString();
                    string? note = null;
                    if (deadline is null && lead.Count > 0 && task.Deadline.Blank)
                    {
                        (deadline, note) = undated switch
                        {
                            UndatedTasks.YearEnd when plan.Year > 0 => ($"month-end {plan.Year}-12", $"no deadline in the plan: due at the end of {plan.Year}, as the plan's year"),
                            UndatedTasks.Ongoing => ("长期坚持", "no deadline in the plan: ongoing, reported quarterly"),
                            _ => (null, null),
                        };
                    }

                    var reason = lead.Count == 0 ? "no lead or responsible unit"
                        : deadline is null && task.Deadline.Blank ? (undated == UndatedTasks.Skip ? "no deadline in the plan (undated rows skipped)" : "no deadline in the plan and no plan year")
                        : deadline is null ? $"its deadline '{task.Deadline.Original.Trim()}' is not understood" : null;
                    if (reason is not null)
                    {
                        outcome.Add(new ImportedTask(item.Number, title, task.Line, ImportOutcomes.NotCreated, null, reason));
                        continue;
                    }

                    var fields = new Dictionary<string, string>
                    {
                        ["plan"] = planName,
                        ["planItem"] = item.Number,
                        ["content"] = task.Text,
                        ["leadDepartments"] = string.Join("、", lead.Select(id => names[id])),
                        ["deadline"] = deadline!,
                    };
                    if (responsible.Count > 0)
                    {
                        fields["responsibleDepartments"] = string.Join("、", responsible.Select(id => names[id]));
                    }

                    if (deadline == "长期坚持")
                    {
                        fields["reportCadence"] = "quarterly";
                    }

                    if (item.PlanText is { Length: > 0 } text)
                    {
                        fields["planText"] = text;
                    }

                    var awaiting = task.Deadline.AwaitsEvent;
                    if (awaiting)
                    {
                        fields[WorkflowEngine.StartsAfterField] = relative!.Event ?? relative.Text;
                    }

                    var registered = await instances.RegisterInAsync(uow, ItemKind.Task, Definition, actor, Shorten(title), actor.DepartmentId, fields, null, cancellationToken);
                    if (awaiting)
                    {
                        outcome.Add(new ImportedTask(item.Number, title, task.Line, ImportOutcomes.AwaitingEvent, registered.Id,
                            $"counted from '{fields[WorkflowEngine.StartsAfterField]}' ({task.Deadline.Original.Trim()}): assign it with the day the event happened"));
                        continue;
                    }

                    created.Add(await instances.CompleteInAsync(uow, registered.Id, actor, "assign", "assigned", cancellationToken));
                    outcome.Add(new ImportedTask(item.Number, title, task.Line, ImportOutcomes.Created, registered.Id, note));
                }
            }

            if (importId is { } id)
            {
                await imports.MarkImportedInAsync(uow, id, actor.Login, JsonSerializer.Serialize(new { tasks = outcome, createdUnits }, OutcomeJson), cancellationToken);
            }

        }

        return new ImportOutcome(outcome, [], createdUnits);
    }

    // The (item number, task text) of every task already imported from this plan, as the transaction sees them.
    private async Task<HashSet<(string Number, string Text)>> ExistingAsync(UnitOfWork uow, string planName, CancellationToken cancellationToken)
    {
        var payloads = await imports.TaskPayloadsMentioningAsync(uow, planName, cancellationToken);
        var found = new HashSet<(string, string)>();
        foreach (var payload in payloads)
        {
            using var json = JsonDocument.Parse(payload);
            var root = json.RootElement;
            if (root.TryGetProperty("plan", out var p) && p.GetString() == planName && root.TryGetProperty("planItem", out var n) && root.TryGetProperty("content", out var c))
            {
                found.Add((n.GetString() ?? string.Empty, c.GetString() ?? string.Empty));
            }
        }

        return found;
    }

    private static string Shorten(string title) => title.Length <= 200 ? title : title[..200];
}
