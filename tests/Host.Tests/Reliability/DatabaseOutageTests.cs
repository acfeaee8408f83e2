using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Dapper;
using Supervision.Host.Platform;
using Supervision.Host.Storage;
using Supervision.Host.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Supervision.Host.Tests.Reliability;

/// <summary>
/// PostgreSQL stopped and started again under a stream of writes to a real server process: while it is down every
/// write is answered at once with 503, Retry-After and problem details (never a 500, never a hang); the server comes
/// back by itself; every acknowledged write is there afterwards, once, with its history intact.
/// </summary>
[Trait("Provider", "PostgreSql")]
public sealed class DatabaseOutageTests(ITestOutputHelper output)
{
    private const int Writers = 4;

    [Fact]
    public async Task A_restarted_database_is_answered_503_with_retry_after_meanwhile_and_no_acknowledged_write_is_lost()
    {
        await using var cluster = await PrivatePostgres.StartAsync();
        var settings = DatabaseSettings.Parse(await cluster.CreateDatabaseAsync("outage"));
        string token;
        await using (var database = new Database(settings))
        {
            token = await SmallOffice.SeedAsync(database, "outage test");
        }

        await using var host = new RunningHost(new Dictionary<string, string>
        {
            ["SUPERVISION_DB"] = settings.ConnectionString,
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["Supervision__RateLimit__PermitsPerMinute"] = "1000000",
        });
        var address = await host.ListeningAsync() ?? throw new InvalidOperationException(Eventually.Tail(host.Output));

        // Writers register disclosure requests, each with its own title, and accept each one acknowledged (an action on
        // it), for as long as the phases below run.
        var answers = new ConcurrentBag<(string Title, HttpStatusCode Status, string? RetryAfter, string? ContentType, int Phase)>();
        var actions = new ConcurrentBag<(long Item, HttpStatusCode Status, string? RetryAfter, string? ContentType)>();
        var phase = 0;
        using var stop = new CancellationTokenSource();
        var next = 0;
        var writers = Enumerable.Range(0, Writers).Select(_ => Task.Run(async () =>
        {
            using var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(1) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            while (!stop.IsCancellationRequested)
            {
                var title = string.Create(CultureInfo.InvariantCulture, $"申请{Interlocked.Increment(ref next)}");
                var during = Volatile.Read(ref phase);
                using var response = await client.PostAsJsonAsync("/api/requests", SmallOffice.Request(title));
                answers.Add((title, response.StatusCode, response.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(CultureInfo.InvariantCulture),
                    response.Content.Headers.ContentType?.MediaType, during));
                if (response.StatusCode != HttpStatusCode.Created)
                {
                    await Task.Delay(50);
                    continue;
                }

                var item = (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetInt64();
                using var accepted = await client.PostAsJsonAsync($"/api/items/{item}/actions/complete", new { step = "review", outcome = "accepted" });
                actions.Add((item, accepted.StatusCode, accepted.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(CultureInfo.InvariantCulture), accepted.Content.Headers.ContentType?.MediaType));
            }
        })).ToList();

        // Up: writes acknowledged. Down: answered 503. Up again: acknowledged again, without restarting the server.
        Assert.True(await Eventually.UntilAsync(() => answers.Count(a => a.Status == HttpStatusCode.Created) >= 20), Eventually.Tail(host.Output));
        await cluster.HaltAsync();
        Volatile.Write(ref phase, 1);
        Assert.True(await Eventually.UntilAsync(() => answers.Count(a => a.Phase == 1 && a.Status == HttpStatusCode.ServiceUnavailable) >= 20), Eventually.Tail(host.Output));
        await cluster.ResumeAsync();
        Volatile.Write(ref phase, 2);
        Assert.True(await Eventually.UntilAsync(() => answers.Count(a => a.Phase == 2 && a.Status == HttpStatusCode.Created) >= 20), Eventually.Tail(host.Output));
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        var all = answers.ToList();
        var acknowledged = all.Where(a => a.Status == HttpStatusCode.Created).Select(a => a.Title).ToHashSet();
        var refused = all.Where(a => a.Status == HttpStatusCode.ServiceUnavailable).ToList();
        var acts = actions.ToList();
        output.WriteLine($"{all.Count} registrations attempted, {acknowledged.Count} acknowledged, {refused.Count} answered 503; "
            + $"{acts.Count} actions attempted, {acts.Count(a => a.Status == HttpStatusCode.OK)} acknowledged, {acts.Count(a => a.Status == HttpStatusCode.ServiceUnavailable)} answered 503");

        // Nothing but acknowledged or 503; each 503 says when to come back, as problem details.
        Assert.DoesNotContain(all, a => a.Status is not (HttpStatusCode.Created or HttpStatusCode.ServiceUnavailable));
        Assert.DoesNotContain(acts, a => a.Status is not (HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable));
        Assert.All(refused, a => Assert.Equal((Problems.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture), "application/problem+json"), (a.RetryAfter, a.ContentType)));
        Assert.All(acts.Where(a => a.Status == HttpStatusCode.ServiceUnavailable), a => Assert.Equal((Problems.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture), "application/problem+json"), (a.RetryAfter, a.ContentType)));

        // Every acknowledged write is stored once; nothing stored twice; the history chain verifies.
        await using var check = new Database(settings);
        await using var connection = await check.OpenAsync(default);
        var stored = (await connection.QueryAsync<(string Title, long Count)>("SELECT title, count(*) FROM items GROUP BY title")).ToList();
        Assert.DoesNotContain(stored, s => s.Count != 1);
        Assert.Empty(acknowledged.Except(stored.Select(s => s.Title)));
        Assert.True(stored.Count <= all.Count);

        // The history says exactly what the answers said: an acknowledged acceptance is there once and the request is
        // at the handling step; one answered 503 is not there and the request is still at review.
        var acceptances = (await connection.QueryAsync<(long Item, long Count)>(
            "SELECT item_id, count(*) FROM item_history WHERE action = 'complete' AND from_step = 'review' GROUP BY item_id")).ToDictionary(r => r.Item, r => r.Count);
        var steps = (await connection.QueryAsync<(long Id, string Step)>("SELECT id, step FROM items")).ToDictionary(r => r.Id, r => r.Step);
        Assert.All(acts, a => Assert.Equal(
            a.Status == HttpStatusCode.OK ? (1L, "handle") : (0L, "review"),
            (acceptances.GetValueOrDefault(a.Item), steps[a.Item])));
        Assert.Contains(acts, a => a.Status == HttpStatusCode.OK);
        var audit = await new HistoryAudit(check, TimeProvider.System).VerifyAsync(default);
        Assert.True(audit.Intact, string.Join('\n', audit.Problems));
    }
}
