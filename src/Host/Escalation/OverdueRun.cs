using System.Globalization;
using Dapper;
using Supervision.Engine.Workflows;
using Supervision.Host.Notices;
using Supervision.Host.People;
using Supervision.Host.Platform;
using Supervision.Host.Storage;
using Supervision.Host.Workflows;

namespace Supervision.Host.Escalation;

/// <summary>
/// The nightly overdue run for one office day: every open, running assignment past its deadline gets an urging
/// notice (催办通知) to its department's channels and handlers, copied to its lead; seriously overdue ones also a
/// supervision notice (督办通知) to the supervisors of the nearest office above that has any. Every notice is keyed by
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
        var key = today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var all = (await departments.ListAsync(cancellationToken)).ToDictionary(d => d.Id);
        Audience? audience = null;
        var (overdue, written) = await ChunksAsync<Row>(
            """
            SELECT a.id AS AssignmentId, a.item_id AS ItemId, a.department_id AS DepartmentId, a.seriously_overdue AS SeriouslyOverdue,
                   a.due_on AS DueOn, a.due_at AS DueAt, i.title AS Title
            FROM assignments a JOIN items i ON i.id = a.item_id
            WHERE a.id > @after AND a.closed_at IS NULL AND a.light = 'red' AND a.paused = @no
            ORDER BY a.id
            LIMIT @chunk
            """,
            r => r.AssignmentId, async uow => audience ??= await Audience.LoadAsync(uow, all, cancellationToken), (row, people) => Notices(row, key, all, people), cancellationToken);
        // Steps and consultations past their own limits (review 7 working days, a consultation 15): urged too, even
        // while the reply clock is paused for the consultation.
        var (steps, stepWritten) = await ChunksAsync<StepRow>(
            """
            SELECT a.id AS AssignmentId, a.item_id AS ItemId, a.department_id AS DepartmentId, a.step_due_on AS StepDueOn, a.step_basis AS StepBasis,
                   i.title AS Title, i.definition_id AS DefinitionId, i.definition_version AS DefinitionVersion
            FROM assignments a JOIN items i ON i.id = a.item_id
            WHERE a.id > @after AND a.closed_at IS NULL AND a.step_light = 'red'
            ORDER BY a.id
            LIMIT @chunk
            """,
            r => r.AssignmentId, async uow => audience ??= await Audience.LoadAsync(uow, all, cancellationToken), (row, people) => StepNotices(row, key, all, people), cancellationToken);
        written += stepWritten;
        if (written > 0)
        {
            wakeups?.NoticesQueued();
        }

        logger.LogInformation("Overdue run for {Day}: {Overdue} overdue assignments, {Steps} past a step or consultation limit, {Written} notices written", key, overdue, steps, written);
        return (overdue, written);
    }

    // Reads open assignments in chunks along their id, each chunk's notices written in one statement and committed.
    private async Task<(int Rows, int Written)> ChunksAsync<TRow>(string sql, Func<TRow, long> id, Func<UnitOfWork, Task<Audience>> audience, Func<TRow, Audience, IEnumerable<NewNotice>> notify, CancellationToken cancellationToken)
    {
        long after = 0;
        int count = 0, written = 0;
        while (true)
        {
            await using var uow = await database.BeginAsync(cancellationToken);
            var people = await audience(uow);
            var rows = (await uow.Connection.QueryAsync<TRow>(uow.Command(sql, new { after, no = false, chunk = ChunkSize }, cancellationToken))).AsList();
            if (rows.Count == 0)
            {
                break;
            }

            written += await notices.EnqueueManyAsync(uow, rows.SelectMany(r => notify(r, people)).ToList(), cancellationToken);
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

    /// <summary>A step or consultation past its own limit: urged to the department's handlers, copied to its leads,
    /// once a day per limit.</summary>
    private IEnumerable<NewNotice> StepNotices(StepRow row, string day, IReadOnlyDictionary<long, Engine.Organisation.Department> all, Audience audience)
    {
        var facts = new NoticeFacts(row.ItemId, row.Title, all.GetValueOrDefault(row.DepartmentId)?.Name ?? string.Empty, row.StepDueOn, null, Engine.Items.Light.Red, false);
        WorkflowDefinition? definition = null;
        try
        {
            definition = definitions?.Get(row.DefinitionId, row.DefinitionVersion);
        }
        catch (KeyNotFoundException)
        {
            // A definition no longer loaded: the notice names the limit by its code.
        }

        var what = definition is null ? (row.StepBasis ?? string.Empty, row.StepBasis ?? string.Empty) : StepDeadlines.Describe(definition, row.StepBasis);
        var (subject, body) = templates.StepUrging(facts, what);
        foreach (var (user, _) in HandlersThenLeads(audience, row.DepartmentId))
        {
            foreach (var notice in ToPerson($"step-urging:{row.ItemId}:{row.AssignmentId}:{row.StepBasis}:{day}:{user.Id}", "step-urging", user, subject, body, row.ItemId, $"overdue-run:{day}"))
            {
                yield return notice;
            }
        }
    }

    /// <summary>One overdue assignment's notices: urging to the department's channels, its handlers and (as copies)
    /// its leads; when seriously overdue, supervision to the supervising office above. Keys name the cause and the
    /// recipient, so a second run of the same day writes nothing new.</summary>
    private IEnumerable<NewNotice> Notices(Row row, string day, IReadOnlyDictionary<long, Engine.Organisation.Department> all, Audience audience)
    {
        var facts = new NoticeFacts(row.ItemId, row.Title, all.GetValueOrDefault(row.DepartmentId)?.Name ?? string.Empty, row.DueOn, row.DueAt, Engine.Items.Light.Red, row.SeriouslyOverdue);
        var cause = $"urging:{row.ItemId}:{row.AssignmentId}:{day}";
        var @event = $"overdue-run:{day}";
        var (subject, body) = templates.Urging(facts, copy: false);
        foreach (var (channel, address) in audience.Channels[row.DepartmentId])
        {
            yield return new NewNotice($"{cause}:{channel}:{address}", channel, "urging", null, address, subject, body, row.ItemId, @event);
        }

        foreach (var (user, copy) in HandlersThenLeads(audience, row.DepartmentId))
        {
            var (title, text) = templates.Urging(facts, copy);
            foreach (var notice in ToPerson($"{cause}:{user.Id}", "urging", user, title, text, row.ItemId, @event))
            {
                yield return notice;
            }
        }

        if (!row.SeriouslyOverdue)
        {
            yield break;
        }

        var (heading, words) = templates.Supervising(facts);
        foreach (var user in audience.Recipients([Recipient.SupervisingOffice], row.DepartmentId))
        {
            foreach (var notice in ToPerson($"supervision:{row.ItemId}:{row.AssignmentId}:{day}:{user.Id}", "supervision", user, heading, words, row.ItemId, @event))
            {
                yield return notice;
            }
        }
    }

    // The department's handlers, then its leads who are not also handlers (told as copies).
    private static IEnumerable<((long Id, string? Email) User, bool Copy)> HandlersThenLeads(Audience audience, long departmentId)
    {
        var handlers = audience.Recipients([Recipient.Handler], departmentId).ToList();
        var seen = handlers.Select(u => u.Id).ToHashSet();
        return handlers.Select(u => (u, false)).Concat(audience.Recipients([Recipient.Lead], departmentId).Where(u => seen.Add(u.Id)).Select(u => (u, true)));
    }

    /// <summary>A person's notice in their inbox and, when mail is set up and they have an address, by e-mail.</summary>
    private IEnumerable<NewNotice> ToPerson(string key, string kind, (long Id, string? Email) user, string subject, string body, long itemId, string @event)
    {
        yield return new NewNotice(key, "inbox", kind, user.Id, null, subject, body, itemId, @event);
        if (notices.MailEnabled && !string.IsNullOrWhiteSpace(user.Email))
        {
            yield return new NewNotice($"{key}:email", "email", kind, user.Id, user.Email, subject, body, itemId, @event);
        }
    }

    private sealed record Row
    {
        public long AssignmentId { get; init; }
        public long ItemId { get; init; }
        public long DepartmentId { get; init; }
        public bool SeriouslyOverdue { get; init; }
        public DateOnly? DueOn { get; init; }
        public DateTimeOffset? DueAt { get; init; }
        public string Title { get; init; } = "";
    }

    private sealed record StepRow
    {
        public long AssignmentId { get; init; }
        public long ItemId { get; init; }
        public long DepartmentId { get; init; }
        public DateOnly? StepDueOn { get; init; }
        public string? StepBasis { get; init; }
        public string Title { get; init; } = "";
        public string DefinitionId { get; init; } = "";
        public int DefinitionVersion { get; init; }
    }
}
