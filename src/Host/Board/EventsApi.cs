using System.Globalization;
using Supervision.Host.People;
using Supervision.Host.Platform;
using Supervision.Host.Storage;

namespace Supervision.Host.Board;

/// <summary>
/// <c>GET /api/events</c>: a Server-Sent Events stream for live boards. Sends <c>event: changed</c> whenever lights or
/// items of the signed-in person's departments change on any instance (an action, a light reaching its instant), at
/// most one per <see cref="MinimumGap"/>, and a comment every 15 seconds so proxies keep the connection open. Another
/// department's changes are not told (they once were, to everyone: a handler could hear when any department acted);
/// the event carries no data about items, only the change count it covers (<c>version</c>). A
/// person holds at most <see cref="EventStreams.MaxPerPerson"/> streams at once on an instance (a board per screen and
/// tab; <c>Supervision:Events:MaxStreamsPerPerson</c>, default 16); one more is answered 429, so one account cannot
/// tie up the server's connections.
/// </summary>
public static class EventsApi
{
    /// <summary>Changes closer together than this are sent as one.</summary>
    public static readonly TimeSpan MinimumGap = TimeSpan.FromMilliseconds(250);

    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);


    public static IEndpointRouteBuilder MapEvents(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/events", StreamAsync).WithTags("Board").ExcludeFromDescription();
        return endpoints;
    }

    private static async Task StreamAsync(HttpContext context, Wakeups wakeups, EventStreams streams, Actors actors, TimeProvider clock)
    {
        var person = context.User.Identity?.Name ?? string.Empty;
        // From the principal (its role and department checked against the record, or a display link's): a wall
        // screen has no person behind it.
        var actor = await actors.ForAsync(context.User, context.RequestAborted);
        // Admins hear every change; others their departments' (their own, or their office's subtree).
        IReadOnlySet<long>? scope = actor.Role == Engine.Workflows.Role.Admin ? null : actor.Scope;
        if (!streams.TryOpen(person))
        {
            context.Response.Headers.RetryAfter = "60";
            await Problems.WriteAsync(context, StatusCodes.Status429TooManyRequests, "Too many event streams",
                $"At most {streams.MaxPerPerson} live boards at once per person; close one and try again.");
            return;
        }

        try
        {
            await StreamOpenAsync(context, wakeups, scope, clock);
        }
        finally
        {
            streams.Close(person);
        }
    }

    private static async Task StreamOpenAsync(HttpContext context, Wakeups wakeups, IReadOnlySet<long>? scope, TimeProvider clock)
    {
        var stopping = context.RequestAborted;
        var seen = wakeups.ChangeVersion;
        context.Response.ContentType = "text/event-stream; charset=utf-8";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        await context.Response.WriteAsync("retry: 2000\n: connected\n\n", stopping);
        await context.Response.Body.FlushAsync(stopping);
        try
        {
            var next = wakeups.NextChangeAsync(stopping);
            while (!stopping.IsCancellationRequested)
            {
                var beat = Task.Delay(Heartbeat, stopping);
                if (await Task.WhenAny(next, beat) == next)
                {
                    await next;
                    await Task.Delay(MinimumGap, stopping);
                    next = wakeups.NextChangeAsync(stopping);
                    var (latest, departments) = wakeups.ChangesSince(seen);
                    var told = latest == seen || (scope is not null && departments is not null && !departments.Overlaps(scope));
                    seen = latest;
                    if (told)
                    {
                        // Nothing new (already covered by the last event), or only other departments' changes.
                        continue;
                    }

                    var at = clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
                    await context.Response.WriteAsync($"event: changed\ndata: {{\"at\":\"{at}\",\"version\":{latest.ToString(CultureInfo.InvariantCulture)}}}\n\n", stopping);
                }
                else
                {
                    await context.Response.WriteAsync(": keep-alive\n\n", stopping);
                }

                await context.Response.Body.FlushAsync(stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The page went away.
        }
    }
}

/// <summary>The event streams open on this instance, per person.</summary>
public sealed class EventStreams(IConfiguration configuration)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _open = new(StringComparer.Ordinal);

    /// <summary>Open streams one person may hold at once on one instance.</summary>
    public int MaxPerPerson { get; } = Math.Max(1, configuration.GetValue("Supervision:Events:MaxStreamsPerPerson", 16));

    /// <summary>Counts one more stream of <paramref name="person"/>; false (and nothing counted) beyond <see cref="MaxPerPerson"/>.</summary>
    public bool TryOpen(string person)
    {
        if (_open.AddOrUpdate(person, 1, (_, n) => n + 1) <= MaxPerPerson)
        {
            return true;
        }

        Close(person);
        return false;
    }

    /// <summary>Counts one stream of <paramref name="person"/> less; the entry goes at zero.</summary>
    public void Close(string person)
    {
        // Atomically against another stream of the same person opening or closing meanwhile.
        while (_open.TryGetValue(person, out var n) && !(n <= 1 ? _open.TryRemove(new KeyValuePair<string, int>(person, n)) : _open.TryUpdate(person, n - 1, n)))
        {
        }
    }
}
