using Dapper;
using Supervision.Host.Storage;

namespace Supervision.Host.Reports;

/// <summary>A circulation as stored, its report still JSON text.</summary>
internal sealed record CirculationRow
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

/// <summary>Circulations (<c>circulations</c>) as generated, with their office's name, and who receives them.</summary>
public sealed class CirculationStore(Database database)
{
    private const string Columns =
        "c.id AS Id, c.office_department_id AS OfficeId, d.name AS Office, c.kind AS Kind, c.period_from AS \"From\", c.period_to AS \"To\", c.generated_at AS GeneratedAt, c.generated_by AS GeneratedBy, c.rules AS Rules";

    /// <summary>Inserts a circulation inside a caller's transaction; returns its id, or null when it is a monthly one
    /// and the office already has the month's.</summary>
    internal static Task<long?> InsertAsync(UnitOfWork uow, long officeId, string kind, bool monthly, DateOnly from, DateOnly to, DateTimeOffset now, string by, string rules, string report, CancellationToken cancellationToken) =>
        uow.Connection.QuerySingleOrDefaultAsync<long?>(uow.Command(
            $"""
            INSERT INTO circulations (office_department_id, kind, period_from, period_to, generated_at, generated_by, rules, report)
            VALUES (@officeId, @kind, @from, @to, @now, @by, @rules, @report)
            {(monthly ? "ON CONFLICT (office_department_id, period_from) WHERE kind = 'monthly' DO NOTHING" : string.Empty)}
            RETURNING id
            """,
            new { officeId, kind, from, to, now, by, rules, report }, cancellationToken));

    /// <summary>The id of the office's monthly circulation of the month starting <paramref name="from"/>.</summary>
    internal static Task<long> MonthlyIdAsync(UnitOfWork uow, long officeId, DateOnly from, CancellationToken cancellationToken) =>
        uow.Connection.ExecuteScalarAsync<long>(uow.Command(
            "SELECT id FROM circulations WHERE office_department_id = @officeId AND period_from = @from AND kind = 'monthly'", new { officeId, from }, cancellationToken));

    /// <summary>The supervising offices: the departments with an active supervisor, by id.</summary>
    internal async Task<List<long>> SupervisingOfficesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<long>(new CommandDefinition(
            "SELECT DISTINCT department_id FROM users WHERE role = 'supervisor' AND active = @active ORDER BY department_id", new { active = true }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>The circulation with this id, or null.</summary>
    internal async Task<CirculationRow?> GetAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<CirculationRow>(new CommandDefinition(
            $"SELECT {Columns}, c.report AS Report FROM circulations c JOIN departments d ON d.id = c.office_department_id WHERE c.id = @id", new { id }, cancellationToken: cancellationToken));
    }

    /// <summary>The circulations of the offices in <paramref name="scope"/>, newest first, at most <paramref name="limit"/>.</summary>
    internal async Task<IEnumerable<CirculationRow>> ListAsync(long[] scope, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QueryAsync<CirculationRow>(new CommandDefinition(
            $"""
            SELECT {Columns}, c.report AS Report FROM circulations c JOIN departments d ON d.id = c.office_department_id
            WHERE {database.Dialect.InList("c.office_department_id", "@scope")} ORDER BY c.generated_at DESC, c.id DESC LIMIT @limit
            """, new { scope, limit }, cancellationToken: cancellationToken));
    }
}
