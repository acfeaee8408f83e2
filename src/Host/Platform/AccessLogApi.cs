using System.Globalization;
using Supervision.Engine.Workflows;

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
        endpoints.MapGet("/api/admin/access-log", (HttpContext context, AccessLogStore store, OfficeTimeZone zone, CancellationToken ct,
                string? user = null, string? route = null, string? status = null, string? from = null, string? to = null, int limit = 100, long? before = null) =>
                Answer.Read(async () => TypedResults.Ok(await ReadAsync(context.Request, store, zone, user, route, status, from, to, limit, before, ct))))
            .WithTags("Administration")
            .RequireAuthorization("admin");
        return endpoints;
    }

    private static async Task<AccessLogPage> ReadAsync(HttpRequest request, AccessLogStore store, OfficeTimeZone zone, string? user, string? route, string? status, string? from, string? to, int limit, long? before, CancellationToken ct)
    {
        if (limit is < 1 or > MaxLimit)
        {
            throw Invalid($"limit: {limit} is not between 1 and {MaxLimit}");
        }

        var (low, high) = string.IsNullOrWhiteSpace(status) ? ((int?)null, (int?)null) : StatusRange(status.Trim());
        if (!string.IsNullOrWhiteSpace(route) && !route.StartsWith('/'))
        {
            throw Invalid($"route: '{route}' is not a path (it begins with /)");
        }

        var rows = (await store.ReadAsync(
            new AccessLogFilter(string.IsNullOrWhiteSpace(user) ? null : user.Trim(), string.IsNullOrWhiteSpace(route) ? null : route, low, high,
                Instant(from, zone, "from", endOfDay: false), Instant(to, zone, "to", endOfDay: true), before),
            limit + 1, ct)).ToList();
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
    private static (int? Low, int? High) StatusRange(string status)
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
