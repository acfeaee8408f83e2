using System.Text.Json;
using Dapper;
using Supervision.Engine.Escalation;
using Supervision.Engine.Reports;
using Supervision.Host.Notices;
using Supervision.Host.People;
using Supervision.Host.Storage;

namespace Supervision.Host.Reports;

/// <summary>A circulation (通报) as stored: whose, which period, when and by whom generated, under which rules, and the statistics.</summary>
public sealed record Circulation(long Id, long OfficeId, string Office, string Kind, DateOnly From, DateOnly To, DateTimeOffset GeneratedAt, string GeneratedBy, string Rules, StatisticsReport Report);

/// <summary>A circulation in a list: what it is and its totals.</summary>
public sealed record CirculationSummary(long Id, long OfficeId, string Office, string Kind, DateOnly From, DateOnly To, DateTimeOffset GeneratedAt, string GeneratedBy, ReportFigures Totals);

/// <summary>
/// Circulations (通报) of a supervising office: the statistics and scores of its departments over a period, stored as
/// generated and sent to the office's supervisors (inbox, and mail where set up) and through the office's channels
/// (webhook, WeCom, DingTalk), with a link to the printable page. A monthly one exists once per office and month
/// however many Hosts run the job; its notices are keyed by it, so nothing is sent twice.
/// </summary>
public sealed class Circulations(Database database, ReportService reports, DepartmentStore departments, NoticeStore notices, NoticeTemplates templates, TimeProvider clock, Wakeups? wakeups = null)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Generates (or, for a month already circulated, finds) the office's circulation; sends it when new and asked to.</summary>
    public async Task<(Circulation Circulation, bool Created, int Notices)> GenerateAsync(long officeId, ReportPeriod period, bool monthly, string by, bool send, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(period);
        var all = await departments.ListAsync(cancellationToken);
        var office = all.FirstOrDefault(d => d.Id == officeId) ?? throw new KeyNotFoundException($"No department {officeId}.");
        var report = await reports.StatisticsAsync(period, all.Subtree(officeId), cancellationToken);
        var kind = monthly ? "monthly" : "on-demand";
        var written = 0;
        long id;
        bool created;
        await using (var uow = await database.BeginAsync(cancellationToken))
        {
            var inserted = await uow.Connection.QuerySingleOrDefaultAsync<long?>(uow.Command(
                $"""
                INSERT INTO circulations (office_department_id, kind, period_from, period_to, generated_at, generated_by, rules, report)
                VALUES (@officeId, @kind, @from, @to, @now, @by, @rules, @report)
                {(monthly ? "ON CONFLICT (office_department_id, period_from) WHERE kind = 'monthly' DO NOTHING" : string.Empty)}
                RETURNING id
                """,
                new { officeId, kind, from = period.From, to = period.To, now = clock.GetUtcNow(), by, rules = report.Rules, report = JsonSerializer.Serialize(report, Json) }, cancellationToken));
            created = inserted is not null;
            id = inserted ?? await uow.Connection.ExecuteScalarAsync<long>(uow.Command(
                "SELECT id FROM circulations WHERE office_department_id = @officeId AND period_from = @from AND kind = 'monthly'", new { officeId, from = period.From }, cancellationToken));
            if (created && send)
            {
                var words = templates.Circulation(id, office.Name, period, monthly, report);
                // A circulation goes to its office alone: only the office's people and channels are read.
                var audience = await notices.AudienceAsync(uow, [officeId], cancellationToken);
                var decided = EscalationRules.Decide(new EscalationTrigger.Circulated(id, officeId), audience.Chart(all.ToDictionary(d => d.Id)));
                // The people's notices and the channels', not their copies by e-mail.
                written += (await notices.WriteAsync(uow, decided.Select(n => new OutgoingNotice(n, _ => words)), audience, cancellationToken)).Notices;
            }

            await uow.CommitAsync(cancellationToken);
        }

        if (written > 0)
        {
            wakeups?.NoticesQueued();
        }

        return ((await GetAsync(id, cancellationToken))!, created, written);
    }

    public async Task<Circulation?> GetAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns}, c.report AS Report FROM circulations c JOIN departments d ON d.id = c.office_department_id WHERE c.id = @id", new { id }, cancellationToken: cancellationToken));
        return row is null ? null : new Circulation(row.Id, row.OfficeId, row.Office, row.Kind, row.From, row.To, row.GeneratedAt, row.GeneratedBy, row.Rules,
            JsonSerializer.Deserialize<StatisticsReport>(row.Report, Json)!);
    }

    /// <summary>The circulations of the offices in <paramref name="scope"/>, newest first.</summary>
    public async Task<IReadOnlyList<CirculationSummary>> ListAsync(IReadOnlySet<long> scope, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"""
            SELECT {Columns}, c.report AS Report FROM circulations c JOIN departments d ON d.id = c.office_department_id
            WHERE {database.Dialect.InList("c.office_department_id", "@scope")} ORDER BY c.generated_at DESC, c.id DESC LIMIT @limit
            """, new { scope = scope.ToArray(), limit }, cancellationToken: cancellationToken));
        return rows.Select(r => new CirculationSummary(r.Id, r.OfficeId, r.Office, r.Kind, r.From, r.To, r.GeneratedAt, r.GeneratedBy,
            JsonSerializer.Deserialize<StatisticsReport>(r.Report, Json)!.Totals)).ToList();
    }

    private const string Columns =
        "c.id AS Id, c.office_department_id AS OfficeId, d.name AS Office, c.kind AS Kind, c.period_from AS \"From\", c.period_to AS \"To\", c.generated_at AS GeneratedAt, c.generated_by AS GeneratedBy, c.rules AS Rules";

    private sealed record Row
    {
        public long Id { get; init; }
        public long OfficeId { get; init; }
        public string Office { get; init; } = "";
        public string Kind { get; init; } = "";
        public DateOnly From { get; init; }
        public DateOnly To { get; init; }
        public DateTimeOffset GeneratedAt { get; init; }
        public string GeneratedBy { get; init; } = "";
        public string Rules { get; init; } = "";
        public string Report { get; init; } = "";
    }
}
