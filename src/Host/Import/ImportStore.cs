using System.Security.Cryptography;
using System.Text;
using Dapper;
using Supervision.Host.Storage;

namespace Supervision.Host.Import;

/// <summary>An uploaded plan as stored: the file's facts, the dry run's report (JSON), and once confirmed, what was created (JSON).</summary>
public sealed record ImportRecord(long Id, string FileName, string Sha256, int Size, int? Year, string PlanName, string UploadedBy, DateTimeOffset UploadedAt,
    string Report, string Status, string? ConfirmedBy, DateTimeOffset? ConfirmedAt, string? Outcome);

/// <summary>The previewed import was confirmed already (by someone else, or twice).</summary>
public sealed class ImportConfirmedException(string message) : Exception(message);

/// <summary>Uploaded plans: stored with their dry run when uploaded, marked imported once, inside the import's transaction.</summary>
public sealed class ImportStore(Database database, TimeProvider clock)
{
    private const string Columns =
        """
        id AS Id, file_name AS FileName, sha256 AS Sha256, size AS Size, year AS Year, plan_name AS PlanName, uploaded_by AS UploadedBy,
        uploaded_at AS UploadedAt, report AS Report, status AS Status, confirmed_by AS ConfirmedBy, confirmed_at AS ConfirmedAt, outcome AS Outcome
        """;

    public async Task<ImportRecord> AddAsync(string fileName, byte[] content, int? year, string planName, string uploadedBy, string report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var now = clock.GetUtcNow();
        var sha = Convert.ToHexStringLower(SHA256.HashData(content));
        await using var uow = await database.BeginAsync(cancellationToken);
        var id = await uow.Connection.ExecuteScalarAsync<long>(uow.Command(
            """
            INSERT INTO imports (file_name, sha256, size, content, year, plan_name, uploaded_by, uploaded_at, report, status)
            VALUES (@fileName, @sha, @size, @content, @year, @planName, @uploadedBy, @now, @report, 'previewed') RETURNING id
            """,
            new { fileName, sha, size = content.Length, content, year, planName, uploadedBy, now, report }, cancellationToken));
        await uow.CommitAsync(cancellationToken);
        return new ImportRecord(id, fileName, sha, content.Length, year, planName, uploadedBy, now, report, "previewed", null, null, null);
    }

    public async Task<ImportRecord?> GetAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition($"SELECT {Columns} FROM imports WHERE id = @id", new { id }, cancellationToken: cancellationToken)))?.ToRecord();
    }

    /// <summary>The file as uploaded.</summary>
    public async Task<byte[]?> ContentAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<byte[]>(new CommandDefinition("SELECT content FROM imports WHERE id = @id", new { id }, cancellationToken: cancellationToken));
    }

    /// <summary>The most recent uploads first; with <paramref name="departments"/>, only those uploaded by people of
    /// those departments (a supervising office sees its own subtree's imports, an administrator every one).</summary>
    public async Task<IReadOnlyList<ImportRecord>> ListAsync(int limit, IReadOnlyCollection<long>? departments, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var scope = departments is null ? string.Empty : $"WHERE uploaded_by IN (SELECT login FROM users WHERE {database.Dialect.InList("department_id", "@departments")}) ";
        return (await connection.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM imports {scope}ORDER BY uploaded_at DESC, id DESC LIMIT @limit", new { limit, departments = departments?.ToArray() }, cancellationToken: cancellationToken)))
            .Select(r => r.ToRecord()).ToList();
    }

    /// <summary>Marks a previewed import imported, in the import's own transaction; refuses one already confirmed.</summary>
    internal async Task MarkImportedInAsync(UnitOfWork uow, long id, string confirmedBy, string outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uow);
        var changed = await uow.Connection.ExecuteAsync(uow.Command(
            "UPDATE imports SET status = 'imported', confirmed_by = @confirmedBy, confirmed_at = @now, outcome = @outcome WHERE id = @id AND status = 'previewed'",
            new { id, confirmedBy, now = clock.GetUtcNow(), outcome }, cancellationToken));
        if (changed == 0)
        {
            throw new ImportConfirmedException($"import {id} has been confirmed already");
        }
    }

    /// <summary>Makes the caller's transaction the only import of this plan until it ends: on PostgreSQL a
    /// transaction-scoped advisory lock on the plan's name; SQLite's write lock, which the transaction holds, already
    /// serialises.</summary>
    internal async Task LockPlanAsync(UnitOfWork uow, string planName, CancellationToken cancellationToken)
    {
        if (database.Provider == DatabaseProvider.PostgreSql)
        {
            await uow.Connection.ExecuteAsync(uow.Command("SELECT pg_advisory_xact_lock(@key)", new { key = LockKey(planName) }, cancellationToken));
        }
    }

    /// <summary>The fields of every task whose title or fields mention the plan's name, as the caller's transaction sees them.</summary>
    internal Task<IEnumerable<string>> TaskPayloadsMentioningAsync(UnitOfWork uow, string planName, CancellationToken cancellationToken) =>
        uow.Connection.QueryAsync<string>(uow.Command(
            $"SELECT payload FROM items WHERE kind = 'task' AND {database.Dialect.TextMatch(string.Empty, "@plan")}",
            new { plan = SqlDialect.ContainsPattern(planName) }, cancellationToken));

    private static long LockKey(string planName) => BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes("import:" + planName)), 0);

    private sealed class Row
    {
        public long Id { get; set; }

        public string FileName { get; set; } = string.Empty;

        public string Sha256 { get; set; } = string.Empty;

        public long Size { get; set; }

        public long? Year { get; set; }

        public string PlanName { get; set; } = string.Empty;

        public string UploadedBy { get; set; } = string.Empty;

        public DateTimeOffset UploadedAt { get; set; }

        public string Report { get; set; } = string.Empty;

        public string Status { get; set; } = string.Empty;

        public string? ConfirmedBy { get; set; }

        public DateTimeOffset? ConfirmedAt { get; set; }

        public string? Outcome { get; set; }

        public ImportRecord ToRecord() => new(Id, FileName, Sha256, (int)Size, (int?)Year, PlanName, UploadedBy, UploadedAt, Report, Status, ConfirmedBy, ConfirmedAt, Outcome);
    }
}
