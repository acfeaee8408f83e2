using System.Text.Json;
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
public sealed class Circulations(Database database, CirculationStore store, ReportService reports, DepartmentStore departments, NoticeStore notices, NoticeTemplates templates, TimeProvider clock, Wakeups? wakeups = null)
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
            var inserted = await CirculationStore.InsertAsync(uow, officeId, kind, monthly, period.From, period.To, clock.GetUtcNow(), by, report.Rules,
                JsonSerializer.Serialize(report, Json), cancellationToken);
            created = inserted is not null;
            id = inserted ?? await CirculationStore.MonthlyIdAsync(uow, officeId, period.From, cancellationToken);
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
        var row = await store.GetAsync(id, cancellationToken);
        return row is null ? null : new Circulation(row.Id, row.OfficeId, row.Office, row.Kind, row.From, row.To, row.GeneratedAt, row.GeneratedBy, row.Rules,
            JsonSerializer.Deserialize<StatisticsReport>(row.Report, Json)!);
    }

    /// <summary>The circulations of the offices in <paramref name="scope"/>, newest first.</summary>
    public async Task<IReadOnlyList<CirculationSummary>> ListAsync(IReadOnlySet<long> scope, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var rows = await store.ListAsync(scope.ToArray(), limit, cancellationToken);
        return rows.Select(r => new CirculationSummary(r.Id, r.OfficeId, r.Office, r.Kind, r.From, r.To, r.GeneratedAt, r.GeneratedBy,
            JsonSerializer.Deserialize<StatisticsReport>(r.Report, Json)!.Totals)).ToList();
    }
}
