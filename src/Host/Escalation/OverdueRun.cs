using System.Globalization;
using Supervision.Engine.Escalation;
using Supervision.Engine.Workflows;
using Supervision.Host.Notices;
using Supervision.Host.People;
using Supervision.Host.Platform;
using Supervision.Host.Storage;
using Supervision.Host.Workflows;

namespace Supervision.Host.Escalation;

/// <summary>
/// The nightly overdue run for one office day (what it sends is decided by <see cref="EscalationRules"/>): every open,
/// running assignment past its deadline gets an urging notice (催办通知) to its department's channels and handlers,
/// copied to its lead; seriously overdue ones also a supervision notice (督办通知) to the supervisors of the nearest
/// office above that has any. Every notice is keyed by
/// item, assignment, day and recipient, so running the same day twice, or on two instances at once, or again after a
/// run that stopped half-way, sends nothing twice and misses nothing. Steps and consultations past their own limits
/// (the step lights) are urged the same way, once a day, to the handlers and copied to the lead.
/// </summary>
/// <remarks>
/// The overdue assignments are read in chunks along their primary key (<see cref="ChunkSize"/> at a time, each chunk
/// with its notices written in one statement and committed on its own), so a province with a hundred thousand overdue
/// assignments neither holds one transaction open for the whole run nor asks the database once per notice. Who can
/// be told (users by department and role, the departments' channels) is read once per run.
/// </remarks>
public sealed class OverdueRun(Database database, NoticeStore notices, NoticeTemplates templates, DepartmentStore departments, OfficeTimeZone zone, TimeProvider clock, ILogger<OverdueRun> logger, Wakeups? wakeups = null, DefinitionCatalog? definitions = null)
{
    /// <summary>How many overdue assignments one transaction covers.</summary>
    public int ChunkSize { get; init; } = 1_000;

    /// <summary>Runs for <paramref name="day"/> (the office's today when null); returns how many notices were newly written.</summary>
    public async Task<int> RunAsync(DateOnly? day, CancellationToken cancellationToken) => (await RunWithFiguresAsync(day, cancellationToken)).Written;

    /// <summary>Runs for <paramref name="day"/> (the office's today when null); returns how many overdue assignments
    /// were found and how many notices were newly written.</summary>
    public async Task<(int Overdue, int Written)> RunWithFiguresAsync(DateOnly? day, CancellationToken cancellationToken)
    {
        var today = day ?? DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(clock.GetUtcNow(), zone.Zone).DateTime);
        var all = (await departments.ListAsync(cancellationToken)).ToDictionary(d => d.Id);
        (Audience People, OrgChart Chart)? audience = null;
        async Task<(Audience, OrgChart)> LoadAudienceAsync(UnitOfWork uow)
        {
            if (audience is null)
            {
                var people = await notices.AudienceAsync(uow, null, cancellationToken);
                audience = (people, people.Chart(all));
            }

            return audience.Value;
        }

        var (overdue, written) = await ChunksAsync(
            (uow, after) => OverdueQueries.OverdueAsync(uow, after, ChunkSize, cancellationToken), r => r.AssignmentId, LoadAudienceAsync,
            (row, chart) => EscalationNotices.For(
                new EscalationTrigger.OverdueDay(new WorkRef(row.ItemId, row.AssignmentId, row.DepartmentId), today, row.Light, row.Paused, row.SeriouslyOverdue, row.DueOn, row.DueAt),
                chart, templates, row.Title, null),
            cancellationToken);
        // Steps and consultations past their own limits (review 7 working days, a consultation 15): urged too, even
        // while the reply clock is paused for the consultation.
        var (steps, stepWritten) = await ChunksAsync(
            (uow, after) => OverdueQueries.PastStepLimitAsync(uow, after, ChunkSize, cancellationToken), r => r.AssignmentId, LoadAudienceAsync,
            (row, chart) => EscalationNotices.For(
                new EscalationTrigger.StepOverdueDay(new WorkRef(row.ItemId, row.AssignmentId, row.DepartmentId), today, row.StepLight, row.StepBasis, row.StepDueOn),
                chart, templates, row.Title, Limit(row)),
            cancellationToken);
        written += stepWritten;
        if (written > 0)
        {
            wakeups?.NoticesQueued();
        }

        logger.LogInformation("Overdue run for {Day}: {Overdue} overdue assignments, {Steps} past a step or consultation limit, {Written} notices written",
            today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), overdue, steps, written);
        return (overdue, written);
    }

    // Reads open assignments in chunks along their id, each chunk's notices written in one statement and committed.
    private async Task<(int Rows, int Written)> ChunksAsync<TRow>(Func<UnitOfWork, long, Task<List<TRow>>> read, Func<TRow, long> id, Func<UnitOfWork, Task<(Audience People, OrgChart Chart)>> audience,
        Func<TRow, OrgChart, IEnumerable<OutgoingNotice>> notify, CancellationToken cancellationToken)
    {
        long after = 0;
        int count = 0, written = 0;
        while (true)
        {
            await using var uow = await database.BeginAsync(cancellationToken);
            var (people, chart) = await audience(uow);
            var rows = await read(uow, after);
            if (rows.Count == 0)
            {
                break;
            }

            written += (await notices.WriteAsync(uow, rows.SelectMany(r => notify(r, chart)), people, cancellationToken)).All;
            await uow.CommitAsync(cancellationToken);
            count += rows.Count;
            after = id(rows[^1]);
            if (rows.Count < ChunkSize)
            {
                break;
            }
        }

        return (count, written);
    }

    // What a step notice says the limit is: the step or pause in words, or its code when its definition is no longer loaded.
    private (string Zh, string En) Limit(PastStepLimit row)
    {
        WorkflowDefinition? definition = null;
        try
        {
            definition = definitions?.Get(row.DefinitionId, row.DefinitionVersion);
        }
        catch (KeyNotFoundException)
        {
            // A definition no longer loaded: the notice names the limit by its code.
        }

        return definition is null ? (row.StepBasis ?? string.Empty, row.StepBasis ?? string.Empty) : StepDeadlines.Describe(definition, row.StepBasis);
    }
}
