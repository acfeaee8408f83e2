using System.Text.Json;
using Dapper;
using Supervision.Engine.Import;
using Supervision.Engine.Items;
using Supervision.Engine.Workflows;
using Supervision.Host.Scheduling;
using Supervision.Host.Storage;
using Supervision.Host.Workflows;

namespace Supervision.Host.Import;

/// <summary>A task row of a plan as the import treats it: created, already there, or not created and why.</summary>
public sealed record ImportedTask(string Number, string Title, int Line, string Outcome, long? ItemId, string? Reason);

/// <summary>What an import did: every task row's outcome; <see cref="Refused"/> when nothing was written and why.</summary>
public sealed record ImportOutcome(IReadOnlyList<ImportedTask> Tasks, IReadOnlyList<string> Refused)
{
    public int Created => Tasks.Count(t => t.Outcome == "created");
}

/// <summary>
/// Creates the supervision tasks a plan holds, all in one transaction or none: one task per task row, titled by its
/// item (numbered within the item when it has several rows), with the plan, item number, task text, lead and
/// responsible departments (groups expanded) and the deadline (the earliest date; ongoing and continuous work as
/// 长期坚持 reported quarterly), and assigned to its departments at once (交办). A row already imported (same plan,
/// item number and task text) is left as it is, so importing a document again creates nothing twice. Any unit that
/// matches no department refuses the whole import with the list (add them with <c>departments add</c>). A row whose
/// deadline counts from an event (新规出台后1个月内) is not created and says so: it is registered when the event happens.
/// </summary>
public sealed class PlanImports(Database database, ItemWorkflows workflows, DepartmentStore departments, Wakeups? wakeups = null)
{
    public const string Definition = "supervision-task";

    public async Task<ImportOutcome> ApplyAsync(PlanDocument plan, string planName, Actor actor, IReadOnlyDictionary<string, IReadOnlyList<string>> groups, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentException.ThrowIfNullOrWhiteSpace(planName);
        var stored = await departments.ListAsync(cancellationToken);
        var names = stored.ToDictionary(d => d.Id, d => d.Name);
        var units = new UnitDirectory(stored, groups);
        IReadOnlyList<long> Resolve(string cell) => units.Match(cell).SelectMany(m => m switch
        {
            UnitMatch.Known k => [k.Id],
            UnitMatch.Group g => g.Ids,
            _ => Array.Empty<long>(),
        }).Distinct().ToList();

        var refused = plan.Items.SelectMany(i => i.Tasks.SelectMany(t => units.Match(t.Lead).Concat(units.Match(t.Responsible)).Select(m => (m, t.Line))))
            .Where(x => x.m is UnitMatch.Unknown || x.m is UnitMatch.Group { Missing.Count: > 0 })
            .Select(x => x.m is UnitMatch.Group g ? $"line {x.Line}: group '{g.Text}' names departments that do not exist: {string.Join("、", g.Missing)}" : $"line {x.Line}: no department '{x.m.Text}'")
            .Distinct().ToList();
        if (refused.Count > 0)
        {
            return new ImportOutcome([], refused);
        }

        var existing = await ExistingAsync(planName, cancellationToken);
        var outcome = new List<ImportedTask>();
        var created = new List<SupervisedItem>();
        await using (var uow = await database.BeginAsync(cancellationToken))
        {
            foreach (var item in plan.Items)
            {
                for (var i = 0; i < item.Tasks.Count; i++)
                {
                    var task = item.Tasks[i];
                    var title = item.Tasks.Count == 1 ? item.Title : $"{item.Title}（{i + 1}/{item.Tasks.Count}）";
                    if (existing.Contains((item.Number, task.Text)))
                    {
                        outcome.Add(new ImportedTask(item.Number, title, task.Line, "already-imported", null, null));
                        continue;
                    }

                    var lead = Resolve(task.Lead);
                    var responsible = Resolve(task.Responsible).Except(lead).ToList();
                    if (lead.Count == 0)
                    {
                        // A plan naming only 责任单位: they lead.
                        (lead, responsible) = (responsible, []);
                    }

                    var deadline = task.Deadline.Earliest?.ToString()
                        ?? (task.Deadline.Deadlines.Any(d => d.Kind is DeadlineKind.Ongoing or DeadlineKind.Continuous) ? "长期坚持" : null);
                    string? reason = lead.Count == 0 ? "no lead or responsible unit"
                        : deadline is null && task.Deadline.Deadlines.Any(d => d.Kind == DeadlineKind.Relative) ? $"its deadline counts from an event ('{task.Deadline.Original.Trim()}'): register it when the event happens"
                        : deadline is null ? "no deadline in the plan" : null;
                    if (reason is not null)
                    {
                        outcome.Add(new ImportedTask(item.Number, title, task.Line, "not-created", null, reason));
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

                    var registered = await workflows.RegisterInAsync(uow, ItemKind.Task, Definition, actor, Shorten(title), actor.DepartmentId, fields, cancellationToken);
                    var assigned = await workflows.CompleteInAsync(uow, registered.Id, actor, "assign", "assigned", cancellationToken);
                    created.Add(assigned);
                    outcome.Add(new ImportedTask(item.Number, title, task.Line, "created", registered.Id, null));
                }
            }

            await uow.CommitAsync(cancellationToken);
        }

        foreach (var item in created)
        {
            wakeups?.ChangeInstantSet(item.NextChangeAt);
        }

        if (created.Count > 0)
        {
            wakeups?.BoardChanged();
        }

        return new ImportOutcome(outcome, []);
    }

    // The (item number, task text) of every task already imported from this plan.
    private async Task<HashSet<(string Number, string Text)>> ExistingAsync(string planName, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var payloads = await connection.QueryAsync<string>(new CommandDefinition(
            $"SELECT payload FROM items WHERE kind = 'task' AND {database.Dialect.TextMatch(string.Empty, "@plan")}",
            new { plan = SqlDialect.ContainsPattern(planName) }, cancellationToken: cancellationToken));
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
