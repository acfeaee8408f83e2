using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Supervision.Host.Storage;
using Supervision.Host.Tests.Api;
using Xunit.Abstractions;

namespace Supervision.Host.Tests.Reliability;

/// <summary>
/// Many clients acting on the same items at once over HTTP (a real server on a socket, both providers): handlers,
/// a lead and the supervising office completing, extending, pausing, resuming, overriding, transferring and reporting
/// on a handful of disclosure requests. Every answer is 200 or a refusal with its reason (409 when someone else got
/// there first), never a lost update: each success moved the item from the version it read to the next one, and the
/// stored history, clock events and final state are exactly what the successful answers say happened.
/// </summary>
public abstract class ConcurrentActionsTests(DatabaseProvider provider, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);
    private static readonly string[] Actors = ["zhang", "zhang", "wang", "zhao", "zhao", "li"];
    private static readonly HashSet<string> Acts = ["complete", "pause", "resume", "extend", "approve-extension", "reject-extension", "override", "transfer", "report"];

    // What an action is recorded as: a handler's extend is a request (article 33) that a lead approves or rejects.
    private static string Recorded(string actor, string action) => action switch
    {
        "extend" when actor != "wang" => "extension-requested",
        "approve-extension" => "extension-approved",
        "reject-extension" => "extension-rejected",
        _ => action,
    };
    private ApiServer _server = null!;

    public async Task InitializeAsync() => _server = await ApiServer.StartAsync(provider, new DateTimeOffset(2025, 9, 26, 10, 0, 0, Cst));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private sealed record Attempt(string Actor, long Item, string Action, int BaseVersion, HttpStatusCode Status, int? NewVersion, string? Department, bool? Paused, string? Detail);

    [Fact]
    public async Task Identical_actions_sent_at_once_succeed_once_and_the_others_are_told_409()
    {
        var clients = Actors.Where(a => a != "li" && a != "zhao").Select(login => _server.Client(login)).ToList();
        var leads = Enumerable.Range(0, 3).Select(_ => _server.Client("wang")).ToList();
        try
        {
            var ids = await RegisterAtHandlingAsync(clients[0], 4);
            foreach (var (id, version) in ids)
            {

                // The same extension from three leads who all read the same version: one of them extends.
                var extends = await Task.WhenAll(leads.Select(c => PostAsync(c, id, "extend", new { workingDays = 5, reason = "需调取档案", version })));
                Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict, HttpStatusCode.Conflict], extends.Select(r => r.Status).Order());
                Assert.All(extends.Where(r => r.Status == HttpStatusCode.Conflict), r => Assert.Contains("changed by someone else", r.Detail, StringComparison.Ordinal));

                // Three completions of the same step without a version: the step is completed once.
                var completes = await Task.WhenAll(clients.Select(c => PostAsync(c, id, "complete", new { step = "handle", outcome = "ready-to-reply" })));
                Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict, HttpStatusCode.Conflict], completes.Select(r => r.Status).Order());
            }

            await using var database = new Database(_server.DatabaseSettings);
            await using var connection = await database.OpenAsync(default);
            foreach (var id in ids.Keys)
            {
                Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM clock_events WHERE item_id = @id AND kind = 'extended'", new { id }));
                Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM item_history WHERE item_id = @id AND action = 'complete' AND from_step = 'handle'", new { id }));
                Assert.Equal("reply", await connection.ExecuteScalarAsync<string>("SELECT step FROM items WHERE id = @id", new { id }));
            }

            Assert.True((await _server.Services.GetRequiredService<HistoryAudit>().VerifyAsync(default)).Intact);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
            leads.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task Clients_acting_at_random_on_the_same_items_lose_no_update_and_the_history_says_what_they_were_told()
    {
        var clients = Actors.Select(login => _server.Client(login)).ToList();
        try
        {
            var ids = await RegisterAtHandlingAsync(clients[0], 5);
            var order = ids.Keys.Order().ToList();
            var attempts = new ConcurrentBag<Attempt>();
            var succeededKinds = new ConcurrentDictionary<string, bool>();

            // Forty rounds each; a worker goes on (up to 400 rounds) while no transfer or no extension has succeeded
            // yet, since which actions win the races depends on thread timing and both must be exercised.
            bool Covered() => succeededKinds.ContainsKey("transfer") && succeededKinds.ContainsKey("extend");
            await Task.WhenAll(clients.Select((client, worker) => Task.Run(async () =>
            {
                var random = new Random(1000 + worker);
                for (var round = 0; round < 40 || (round < 400 && !Covered()); round++)
                {
                    var id = order[random.Next(order.Count)];
                    if (await TryActAsync(client, Actors[worker], id, random) is { } attempt)
                    {
                        attempts.Add(attempt);
                        if (attempt.Status == HttpStatusCode.OK)
                        {
                            succeededKinds.TryAdd(attempt.Action, true);
                        }
                    }
                }
            })));

            var all = attempts.ToList();
            output.WriteLine($"{all.Count} actions sent: " + string.Join(", ", all.GroupBy(a => (int)a.Status).OrderBy(g => g.Key).Select(g => $"{g.Count()}× {g.Key}"))
                + "; succeeded: " + string.Join(", ", all.Where(a => a.Status == HttpStatusCode.OK).GroupBy(a => a.Action).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}")));
            // 404: the item was transferred out of the actor's departments meanwhile (scope before state).
            var unexpected = all.Where(a => a.Status is not (HttpStatusCode.OK or HttpStatusCode.Conflict or HttpStatusCode.Forbidden or HttpStatusCode.UnprocessableEntity)
                && !(a.Status == HttpStatusCode.NotFound && a.Detail == $"Item {a.Item} does not exist.")).ToList();
            Assert.True(unexpected.Count == 0, string.Join("; ", unexpected.Select(a => $"{a.Action} on {a.Item}: {(int)a.Status} {a.Detail}")));
            Assert.Contains(all, a => a.Status == HttpStatusCode.OK && a.Action == "transfer");
            Assert.Contains(all, a => a.Status == HttpStatusCode.OK && a.Action == "extend");

            await using var database = new Database(_server.DatabaseSettings);
            await using var connection = await database.OpenAsync(default);
            using var reader = _server.Client("zhao");
            foreach (var id in ids.Keys)
            {
                var succeeded = all.Where(a => a.Item == id && a.Status == HttpStatusCode.OK).OrderBy(a => a.NewVersion).ToList();

                // No lost update: every success moved the item from the version its client read to the next, and
                // together the successes account for every version since the item was handed to the clients.
                Assert.All(succeeded, a => Assert.Equal(a.BaseVersion + 1, a.NewVersion));
                Assert.Equal(succeeded.Count, succeeded.Select(a => a.BaseVersion).Distinct().Count());
                var item = (await DetailAsync(reader, id)).GetProperty("item");
                var finalVersion = item.GetProperty("version").GetInt32();
                Assert.Equal(Enumerable.Range(ids[id] + 1, finalVersion - ids[id]), succeeded.Select(a => a.NewVersion!.Value));

                // The history holds one entry per successful action, of that action, by that actor, in that order.
                var accepted = await connection.ExecuteScalarAsync<long>(
                    "SELECT CAST(max(seq) AS bigint) FROM item_history WHERE item_id = @id AND action = 'complete' AND from_step = 'review'", new { id });
                var history = (await connection.QueryAsync<(string Actor, string Action)>(
                    "SELECT actor, action FROM item_history WHERE item_id = @id AND seq > @accepted ORDER BY seq", new { id, accepted }))
                    .Where(h => Acts.Contains(h.Action) || h.Action.StartsWith("extension-", StringComparison.Ordinal)).ToList();
                Assert.Equal(succeeded.Select(a => (a.Actor, Recorded(a.Actor, a.Action))), history);

                // Clock events: one per successful pause, resume and extension (a lead's, or a request a lead approved);
                // the state is the last success's.
                foreach (var (kind, count) in new[]
                {
                    ("paused", succeeded.Count(a => a.Action == "pause")),
                    ("resumed", succeeded.Count(a => a.Action == "resume")),
                    ("extended", succeeded.Count(a => Recorded(a.Actor, a.Action) is "extend" or "extension-approved")),
                })
                {
                    Assert.Equal(count, await connection.ExecuteScalarAsync<long>(
                        "SELECT count(*) FROM clock_events WHERE item_id = @id AND kind = @kind", new { id, kind }));
                }

                if (succeeded.Count > 0)
                {
                    Assert.Equal(succeeded[^1].Department, item.GetProperty("department").GetProperty("name").GetString());
                    Assert.Equal(succeeded[^1].Paused, item.GetProperty("paused").GetBoolean());
                }
            }

            var audit = await _server.Services.GetRequiredService<HistoryAudit>().VerifyAsync(default);
            Assert.True(audit.Intact, string.Join("; ", audit.Problems));
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    /// <summary>Reads the item, picks one of the actions it offers this caller, fills what the action asks for and
    /// sends it with the version it read.</summary>
    private static async Task<Attempt?> TryActAsync(HttpClient client, string actor, long id, Random random)
    {
        using var read = await client.GetAsync(new Uri($"/api/items/{id}", UriKind.Relative));
        if (read.StatusCode != HttpStatusCode.OK)
        {
            Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
            return null;
        }

        var detail = await JsonAsync(read);
        var item = detail.GetProperty("item");
        var version = item.GetProperty("version").GetInt32();
        // Completions are rarer than the rest, so that the items stay open for most of the run.
        var offered = detail.GetProperty("actions").EnumerateArray()
            .Where(a => Acts.Contains(a.GetProperty("action").GetString()!) && (a.GetProperty("action").GetString() != "complete" || random.Next(12) == 0)).ToList();
        if (offered.Count == 0)
        {
            return null;
        }

        var action = offered[random.Next(offered.Count)];
        var code = action.GetProperty("action").GetString()!;
        var here = item.GetProperty("department").GetProperty("name").GetString();
        object body = code switch
        {
            "complete" => new
            {
                step = action.GetProperty("step").GetString(),
                outcome = action.GetProperty("outcome").GetString(),
                fields = action.GetProperty("fields").EnumerateArray().Where(f => f.GetProperty("required").GetBoolean()).ToDictionary(
                    f => f.GetProperty("name").GetString()!,
                    f => f.GetProperty("type").GetString() == "date" ? "2025-09-26" : f.GetProperty("choices").GetArrayLength() > 0 ? f.GetProperty("choices")[0].GetString()! : "答复内容"),
                version,
            },
            "pause" => new { reason = action.GetProperty("choices")[0].GetString(), version },
            "resume" => new { note = "材料已补齐", version },
            "extend" => new { workingDays = random.Next(1, 4), reason = "需调取档案", version },
            "approve-extension" => new { version },
            "reject-extension" => new { reason = "理由不充分", version },
            "override" => new { dueOn = "2025-11-20", reason = "复议机关决定", version },
            "transfer" => new { department = here == "市司法局" ? "市教育局" : "市司法局", reason = "职能调整", version },
            _ => new { text = "已完成初步核查", version },
        };
        var answer = await PostAsync(client, id, code, body);
        return answer with { Actor = actor, Item = id, Action = code, BaseVersion = version };
    }

    private static async Task<Attempt> PostAsync(HttpClient client, long id, string action, object body)
    {
        using var response = await client.PostAsJsonAsync($"/api/items/{id}/actions/{action}", body);
        var json = await JsonAsync(response);
        if (response.StatusCode == HttpStatusCode.OK)
        {
            return new Attempt(string.Empty, id, action, 0, response.StatusCode, json.GetProperty("version").GetInt32(),
                json.GetProperty("department").GetProperty("name").GetString(), json.GetProperty("paused").GetBoolean(), null);
        }

        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)response.StatusCode, json.GetProperty("status").GetInt32());
        return new Attempt(string.Empty, id, action, 0, response.StatusCode, null, null, null, json.GetProperty("detail").GetString());
    }

    /// <summary>Registers and accepts <paramref name="count"/> requests; their ids and versions once at the handling step.</summary>
    private static async Task<Dictionary<long, int>> RegisterAtHandlingAsync(HttpClient zhang, int count)
    {
        var ids = new Dictionary<long, int>();
        for (var i = 0; i < count; i++)
        {
            using var registered = await zhang.PostAsJsonAsync("/api/requests", new
            {
                title = $"申请公开2024年行政复议案件统计（{i + 1}）",
                applicant = "李某",
                channel = "post",
                receivedOn = "2025-09-26",
                department = "市司法局",
                content = "2024年行政复议案件数量及结果",
            });
            Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
            var id = (await JsonAsync(registered)).GetProperty("id").GetInt64();
            var accepted = await PostAsync(zhang, id, "complete", new { step = "review", outcome = "accepted" });
            Assert.Equal(HttpStatusCode.OK, accepted.Status);
            ids[id] = accepted.NewVersion!.Value;
        }

        return ids;
    }

    private static async Task<JsonElement> DetailAsync(HttpClient client, long id)
    {
        using var response = await client.GetAsync(new Uri($"/api/items/{id}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await JsonAsync(response);
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }
}

public sealed class SqliteConcurrentActionsTests(ITestOutputHelper output) : ConcurrentActionsTests(DatabaseProvider.Sqlite, output);

[Trait("Provider", "PostgreSql")]
public sealed class PostgresConcurrentActionsTests(ITestOutputHelper output) : ConcurrentActionsTests(DatabaseProvider.PostgreSql, output);
