using Supervision.Host.Items;
using Supervision.Host.People;
using Supervision.Host.Platform;
using Supervision.Host.Storage;

namespace Supervision.Host.Board;

/// <summary>
/// Keeps the board's unfiltered forecast per caller scope, kind and office day until lights or items change (on this
/// instance, or on another one that broadcast it: <see cref="Wakeups.ChangeVersion"/>) or it is
/// <c>Supervision:Board:ForecastMaxAge</c> old (default 30 s; the bound for writers that cannot broadcast, such as a
/// command run against the same SQLite file). The counts themselves are never kept: they come from the kept counts
/// on every request. At a million open items the forecast reads a few hundred thousand index entries (tens of
/// milliseconds); a board polled by many screens computes it once per change instead of once per screen.
/// Concurrent requests for the same key share one computation.
/// </summary>
public sealed class BoardForecasts(Wakeups wakeups, TimeProvider clock, IConfiguration configuration)
{
    private const int MostKept = 10_000;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = [];
    private readonly TimeSpan _maxAge = configuration.GetValue(SupervisionConfiguration.BoardForecastMaxAgeKey, TimeSpan.FromSeconds(30));

    /// <summary>The kept forecast for <paramref name="key"/>, or a fresh one from <paramref name="compute"/>; with the instant it was computed.</summary>
    public async Task<(IReadOnlyList<Forecast> Forecast, DateTimeOffset At)> GetAsync(string key, Func<CancellationToken, Task<IReadOnlyList<Forecast>>> compute)
    {
        ArgumentNullException.ThrowIfNull(compute);
        // Read before computing: a change broadcast while the computation runs makes the next request compute again.
        var version = wakeups.ChangeVersion;
        var now = clock.GetUtcNow();
        Entry entry;
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out entry!) || entry.Version != version || now - entry.At >= _maxAge || (entry.Value.IsValueCreated && (entry.Value.Value.IsFaulted || entry.Value.Value.IsCanceled)))
            {
                if (_entries.Count >= MostKept)
                {
                    _entries.Clear();
                }

                // Not the request's token: other requests may be waiting on the same computation.
                entry = new Entry(version, now, new Lazy<Task<IReadOnlyList<Forecast>>>(() => compute(CancellationToken.None)));
                _entries[key] = entry;
            }
        }

        return (await entry.Value.Value, entry.At);
    }

    private sealed record Entry(long Version, DateTimeOffset At, Lazy<Task<IReadOnlyList<Forecast>>> Value);
}

/// <summary>
/// The board's response body (all but the instant), kept per scope, kind and office day while the counts, the
/// department directory and the forecast it was written from are still the current ones: those three are kept by
/// <see cref="BoardCounts"/>, <see cref="DepartmentStore"/> and <see cref="BoardForecasts"/> and handed
/// out as the same objects until they change, so comparing references is exact. A province's board (a thousand
/// departments, some 200 KB of JSON) is then written once per change instead of once per screen and poll.
/// </summary>
public sealed class BoardResponses
{
    private const int MostKept = 1_000;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = [];

    /// <summary>The kept body for <paramref name="key"/> if it was written from exactly these inputs.</summary>
    public bool TryGet(string key, object counts, object departments, object forecast, out byte[] body)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var entry) && ReferenceEquals(entry.Counts, counts) && ReferenceEquals(entry.Departments, departments) && ReferenceEquals(entry.Forecast, forecast))
            {
                body = entry.Body;
                return true;
            }
        }

        body = [];
        return false;
    }

    /// <summary>Keeps a body written from these inputs.</summary>
    public void Keep(string key, object counts, object departments, object forecast, byte[] body)
    {
        lock (_gate)
        {
            if (_entries.Count >= MostKept)
            {
                _entries.Clear();
            }

            _entries[key] = new Entry(counts, departments, forecast, body);
        }
    }

    private sealed record Entry(object Counts, object Departments, object Forecast, byte[] Body);
}

/// <summary>The board summary less its instant, as kept by <see cref="BoardResponses"/>.</summary>
internal sealed record BoardBody(string Today, BoardRow Totals, IReadOnlyList<BoardRow> Departments, IReadOnlyList<Forecast> Forecast, DateTimeOffset ForecastAt, IReadOnlyList<int> ProvisionalYears);

/// <summary>Writes <see cref="Board"/> as JSON: the request's instant, then the kept body.</summary>
internal sealed class BoardJson(DateTimeOffset at, byte[] body, System.Text.Json.JsonSerializerOptions options) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        // {"at":"…", then the body without its opening brace: the same document Board serializes to.
        var head = System.Text.Encoding.UTF8.GetBytes("{\"at\":" + System.Text.Json.JsonSerializer.Serialize(at, options) + ",");
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.ContentType = "application/json; charset=utf-8";
        httpContext.Response.ContentLength = head.Length + body.Length - 1;
        await httpContext.Response.Body.WriteAsync(head, httpContext.RequestAborted);
        await httpContext.Response.Body.WriteAsync(body.AsMemory(1), httpContext.RequestAborted);
    }
}
