using System.Globalization;
using Dapper;
using Supervision.Engine.Workflows;
using Supervision.Host.Storage;

namespace Supervision.Host.Platform;

/// <summary>One entry of the access log as the administration shows it.</summary>
public sealed record AccessLogEntry
{
    public long Id { get; init; }
    public DateTimeOffset At { get; init; }
    public string Actor { get; init; } = string.Empty;
    public string Method { get; init; } = string.Empty;
    public string Path { get; init; } = string.Empty;
    public int Status { get; init; }
    public bool Allowed { get; init; }
    public string? Reason { get; init; }
    public string? Detail { get; init; }
}

/// <summary>A page of the access log, newest first; <see cref="Next"/> is the address of the older entries (null: none).</summary>
public sealed record AccessLogPage(IReadOnlyList<AccessLogEntry> Entries, string? Next);

/// <summary>
/// <c>GET /api/admin/access-log</c> (administrators): every attempt to act through the API, newest first, filtered by
/// <c>user</c> (the login), <c>route</c> (the path's beginning, e.g. <c>/api/admin/users</c>), <c>status</c> (a code
/// such as 403, or a class such as 4xx), <c>from</c>/<c>to</c> (days in the office's zone, both included, or
/// instants), <c>limit</c> (1–500, default 100) and <c>before</c> (the id the previous page ended at).
/// </summary>
public static class AccessLogApi
{
    public const int MaxLimit = 500;

    public static IEndpointRouteBuilder MapAccessLog(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/admin/access-log", (HttpContext context, Database database, OfficeTimeZone zone, CancellationToken ct,
                string? user = null, string? route = null, string? status = null, string? from = null, string? to = null, int limit = 100, long? before = null) =>
                Answer.Read(async () => TypedResults.Ok(await ReadAsync(context.Request, database, zone, user, route, status, from, to, limit, before, ct))))
            .WithTags("Administration")
            .RequireAuthorization("admin");
        return endpoints;
    }

    private static async Task<AccessLogPage> ReadAsync(HttpRequest request, Database database, OfficeTimeZone zone, string? user, string? route, string? status, string? from, string? to, int limit, long? before, CancellationToken ct)
    {
        if (limit is < 1 or > MaxLimit)
        {
            throw Invalid($"limit: {limit} is not between 1 and {MaxLimit}");
        }

        var where = new List<string>();
        var parameters = new DynamicParameters();
        if (!string.IsNullOrWhiteSpace(user))
        {
            where.Add("lower(actor) = lower(@user)");
            parameters.Add("user", user.Trim());
        }

        if (!string.IsNullOrWhiteSpace(route))
        {
            if (!route.StartsWith('/'))
            {
                throw Invalid($"route: '{route}' is not a path (it begins with /)");
            }

            where.Add("path LIKE @route ESCAPE '\\'");
            parameters.Add("route", SqlDialect.ContainsPattern(route)[1..]);
        }

        if (!string.IsNullOrWhiteSpace(status))
        {
            var (low, high) = StatusRange(status.Trim());
            where.Add("status BETWEEN @low AND @high");
            parameters.Add("low", low);
            parameters.Add("high", high);
        }

        if (Instant(from, zone, "from", endOfDay: false) is { } since)
        {
            where.Add("at >= @since");
            parameters.Add("since", since);
        }

        if (Instant(to, zone, "to", endOfDay: true) is { } until)
        {
            where.Add("at < @until");
            parameters.Add("until", until);
        }

        if (before is { } last)
        {
            where.Add("id < @before");
            parameters.Add("before", last);
        }

        parameters.Add("take", limit + 1);
        await using var connection = await database.OpenAsync(ct);
        var rows = (await connection.QueryAsync<AccessLogEntry>(new CommandDefinition(
            $"""
            SELECT id AS Id, at AS At, actor AS Actor, method AS Method, path AS Path, status AS Status, allowed AS Allowed, reason AS Reason, detail AS Detail
            FROM access_log{(where.Count == 0 ? string.Empty : " WHERE " + string.Join(" AND ", where))}
            ORDER BY id DESC LIMIT @take
            """, parameters, cancellationToken: ct))).AsList();
        string? next = null;
        if (rows.Count > limit)
        {
            rows.RemoveAt(limit);
            var query = request.Query.Where(q => q.Key != "before").Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value.ToString())}")
                .Append(string.Create(CultureInfo.InvariantCulture, $"before={rows[^1].Id}"));
            next = "/api/admin/access-log?" + string.Join('&', query);
        }

        return new AccessLogPage(rows, next);
    }

    // "403" is that code; "4xx" (or "4XX") every code of the class.
    private static (int Low, int High) StatusRange(string status)
    {
        if (status.Length == 3 && status[0] is >= '1' and <= '5' && status[1..].Equals("xx", StringComparison.OrdinalIgnoreCase))
        {
            var hundred = (status[0] - '0') * 100;
            return (hundred, hundred + 99);
        }

        return int.TryParse(status, NumberStyles.None, CultureInfo.InvariantCulture, out var code) && code is >= 100 and <= 599
            ? (code, code)
            : throw Invalid($"status: '{status}' is neither a status code (403) nor a class (4xx)");
    }

    // A day (yyyy-MM-dd) is its beginning in the office's zone, or for "to" the beginning of the day after; anything
    // else must be an instant with its offset.
    private static DateTimeOffset? Instant(string? text, OfficeTimeZone zone, string name, bool endOfDay)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            var start = (endOfDay ? day.AddDays(1) : day).ToDateTime(TimeOnly.MinValue);
            return new DateTimeOffset(start, zone.Zone.GetUtcOffset(start));
        }

        return DateTimeOffset.TryParse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var at) && text.Contains('T', StringComparison.Ordinal)
            ? at
            : throw Invalid($"{name}: '{text}' is neither a day (2027-01-31) nor an instant (2027-01-31T08:00:00+08:00)");
    }

    private static WorkflowRefusedException Invalid(string message) => new(RefusalKind.Invalid, message);
}
