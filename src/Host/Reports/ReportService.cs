using Supervision.Engine.Items;
using Supervision.Engine.Organisation;
using Supervision.Engine.Reports;
using Supervision.Host.People;
using Supervision.Host.Workflows;

namespace Supervision.Host.Reports;

/// <summary>A department in a report: its own assignments' figures and score, and the figures of it with every department under it.</summary>
public sealed record DepartmentReport(long Id, string Name, long? ParentId, ReportFigures Own, ReportFigures Total, Score Score);

/// <summary>
/// The statistics over a period for the departments a user sees: totals, each department (own and with those under
/// it, with its assessment score), each workflow, each plan and plan item (tasks), and the rules that scored.
/// </summary>
public sealed record StatisticsReport(DateOnly From, DateOnly To, string Rules, ReportFigures Totals, IReadOnlyList<DepartmentReport> Departments,
    IReadOnlyList<ReportRow> Workflows, IReadOnlyList<ReportRow> Plans, IReadOnlyList<ReportRow> PlanItems);

/// <summary>Builds the statistics and scores for a period from <see cref="ReportData"/>, for the departments in scope.</summary>
public sealed class ReportService(ReportData data, DepartmentStore departments, DefinitionCatalog definitions, ScoringRulesProvider scoring)
{
    public async Task<StatisticsReport> StatisticsAsync(ReportPeriod period, IReadOnlySet<long> scope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(period);
        ArgumentNullException.ThrowIfNull(scope);
        var all = await departments.ListAsync(cancellationToken);
        var records = await data.LoadAsync(period, scope.ToList(), cancellationToken);
        var calendar = data.Context.Calendar;
        var rules = scoring.Rules;
        var visible = all.Where(d => scope.Contains(d.Id)).ToList();
        var reports = visible.Select(d =>
        {
            var own = records.Where(r => r.DepartmentId == d.Id).ToList();
            var below = all.Subtree(d.Id);
            return new DepartmentReport(d.Id, d.Name, d.ParentId is { } p && scope.Contains(p) ? p : null,
                ReportCalculator.Figures(own, period, calendar),
                ReportCalculator.Figures(records.Where(r => below.Contains(r.DepartmentId)), period, calendar),
                Scoring.Score(own, period, calendar, rules));
        }).ToList();
        var titles = definitions.Latest.ToDictionary(d => d.Id, d => d.Title.Zh, StringComparer.Ordinal);
        return new StatisticsReport(
            period.From,
            period.To,
            rules.Name,
            ReportCalculator.Figures(records, period, calendar),
            reports,
            ReportCalculator.By(records, r => (r.Definition, titles.GetValueOrDefault(r.Definition, r.Definition)), period, calendar),
            ReportCalculator.By(records.Where(r => r.Kind == ItemKind.Task), r => r.Plan is { } plan ? (plan, plan) : null, period, calendar),
            ReportCalculator.By(records.Where(r => r.Kind == ItemKind.Task), r => r.Plan is { } plan ? ($"{plan}#{r.PlanItem}", $"{plan} {r.PlanItem}") : null, period, calendar));
    }

    /// <summary>The departments' names by id, for exports.</summary>
    public async Task<IReadOnlyDictionary<long, Department>> DepartmentsAsync(CancellationToken cancellationToken) =>
        (await departments.ListAsync(cancellationToken)).ToDictionary(d => d.Id);
}
