using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Supervision.Host.Storage;

namespace Supervision.Host.Tests.Api;

/// <summary>
/// Scope before state, over every action and the item's page: to a caller outside the item's departments (another
/// bureau's handler, another office's supervisor) an item answers exactly as an item that does not exist, whatever
/// the body says and whatever state the item is in (open, wrong step, stale version, closed), and nothing is written.
/// </summary>
public abstract class ScopeBeforeStateTests(DatabaseProvider provider) : IAsyncLifetime
{
    private ApiServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await ApiServer.StartAsync(provider, new DateTimeOffset(2025, 9, 26, 10, 0, 0, TimeSpan.FromHours(8)));
        await _server.AddPersonAsync("qian", "县政府办公室", "supervisor");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    // Every action with a body that would pass its own checks, and the wrong ones that used to reveal the item's state.
    private static readonly (string Action, object Body)[] Attempts =
    [
        ("complete", new { step = "review", outcome = "accepted" }),
        ("complete", new { step = "reply", outcome = "disclosed" }),
        ("complete", new { step = "review", outcome = "accepted", assignment = 999_999 }),
        ("complete", new { step = "review", outcome = "accepted", version = 999 }),
        ("pause", new { reason = "third-party-consultation" }),
        ("resume", new { }),
        ("extend", new { workingDays = 5, reason = "需调取档案" }),
        ("approve-extension", new { }),
        ("reject-extension", new { reason = "不予延期" }),
        ("override", new { dueOn = "2025-12-31", reason = "大量申请" }),
        ("transfer", new { department = "市教育局", reason = "职责调整" }),
        ("return", new { toStep = "register", reason = "补登" }),
        ("report", new { text = "进展" }),
        ("withdraw", new { reason = "撤回" }),
        ("no-such-action", new { }),
        // Bodies the field checks refuse (400 to an insider): outside the item's departments the answer is still 404.
        ("complete", new { }),
        ("pause", new { reason = "no-such-reason", on = "yesterday" }),
        ("extend", new { workingDays = 0, approver = "某领导" }),
        ("reject-extension", new { }),
        ("override", new { dueOn = "31/12/2025" }),
        ("transfer", new { }),
        ("return", new { }),
    ];

    private static async Task<string> BodyAsync(HttpResponseMessage response) => await response.Content.ReadAsStringAsync();

    private static async Task<(int Version, int History)> StateAsync(HttpClient owner, long id)
    {
        using var detail = JsonDocument.Parse(await owner.GetStringAsync(new Uri($"/api/items/{id}", UriKind.Relative)));
        return (detail.RootElement.GetProperty("item").GetProperty("version").GetInt32(), detail.RootElement.GetProperty("history").GetArrayLength());
    }

    private async Task AssertUnknownToOutsidersAsync(HttpClient owner, long id)
    {
        var before = await StateAsync(owner, id);
        var unknown = 900_000 + id;
        foreach (var login in new[] { "li", "qian" })
        {
            using var client = _server.Client(login);
            var answers = new List<(string What, HttpStatusCode Status, string Body, string Expected)>();
            using (var get = await client.GetAsync(new Uri($"/api/items/{id}", UriKind.Relative)))
            using (var getUnknown = await client.GetAsync(new Uri($"/api/items/{unknown}", UriKind.Relative)))
            {
                answers.Add(("GET", get.StatusCode, await BodyAsync(get), await BodyAsync(getUnknown)));
            }

            foreach (var (action, body) in Attempts)
            {
                using var response = await client.PostAsJsonAsync($"/api/items/{id}/actions/{action}", body);
                using var reference = await client.PostAsJsonAsync($"/api/items/{unknown}/actions/{action}", body);
                answers.Add(($"{action} {JsonSerializer.Serialize(body)}", response.StatusCode, await BodyAsync(response), await BodyAsync(reference)));
            }

            var text = (long n) => n.ToString(CultureInfo.InvariantCulture);
            var wrong = answers.Where(a => a.Status != HttpStatusCode.NotFound || a.Body != a.Expected.Replace(text(unknown), text(id), StringComparison.Ordinal)).ToList();
            Assert.True(wrong.Count == 0, $"{login}: " + string.Join("\n", wrong.Select(w => $"{w.What}: {(int)w.Status} {w.Body} (unknown id: {w.Expected})")));
        }

        Assert.Equal(before, await StateAsync(owner, id));
    }

    [Fact]
    public async Task An_item_outside_the_callers_departments_answers_as_one_that_does_not_exist_whatever_its_state()
    {
        using var zhang = _server.Client("zhang");
        using var created = await zhang.PostAsJsonAsync("/api/requests", new { title = "申请公开", applicant = "李某", channel = "post", receivedOn = "2025-09-26", department = "市司法局", content = "内容" });
        var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt64();

        await AssertUnknownToOutsidersAsync(zhang, id);

        // Closed: still nothing to tell.
        using var withdrawn = await zhang.PostAsJsonAsync($"/api/items/{id}/actions/withdraw", new { reason = "申请人撤回" });
        Assert.Equal(HttpStatusCode.OK, withdrawn.StatusCode);
        await AssertUnknownToOutsidersAsync(zhang, id);
    }

    [Fact]
    public async Task Every_action_the_API_knows_is_among_those_tried_from_outside()
    {
        // The API names its actions when asked for one it does not know; each must be tried above, with a body that
        // would pass and one that would not, so that a new action cannot skip the scope check unnoticed.
        using var zhang = _server.Client("zhang");
        using var created = await zhang.PostAsJsonAsync("/api/requests", new { title = "申请公开", applicant = "李某", channel = "post", receivedOn = "2025-09-26", department = "市司法局", content = "内容" });
        var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt64();
        using var unknown = await zhang.PostAsJsonAsync($"/api/items/{id}/actions/no-such-action", new { });
        var detail = JsonDocument.Parse(await unknown.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString()!;
        var listed = detail[(detail.IndexOf("expected ", StringComparison.Ordinal) + "expected ".Length)..].TrimEnd('.').Replace(" or ", ", ", StringComparison.Ordinal)
            .Split(", ", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(11, listed.Length);
        Assert.All(listed, action => Assert.Contains(Attempts, a => a.Action == action));
        var refusedByChecks = new[] { "complete", "pause", "extend", "reject-extension", "override", "transfer", "return" };
        Assert.All(refusedByChecks, action => Assert.True(Attempts.Count(a => a.Action == action) >= 2, action));
    }

    [Fact]
    public async Task A_supervisor_registers_and_withdraws_tasks_only_within_his_office()
    {
        using var qian = _server.Client("qian");
        using var zhao = _server.Client("zhao");
        var task = new { title = "推进执法公开", content = "推进执法公开", leadDepartments = new[] { "市司法局" }, deadline = "2025-12-31" };

        using var outside = await qian.PostAsJsonAsync("/api/tasks", task);
        using var own = await zhao.PostAsJsonAsync("/api/tasks", task);
        var id = JsonDocument.Parse(await own.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt64();
        using var withdraw = await qian.PostAsJsonAsync($"/api/items/{id}/actions/withdraw", new { reason = "撤回" });

        Assert.Equal(HttpStatusCode.Forbidden, outside.StatusCode);
        Assert.Equal(HttpStatusCode.Created, own.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, withdraw.StatusCode);
        await AssertUnknownToOutsidersAsync(zhao, id);
    }
}

public sealed class SqliteScopeBeforeStateTests() : ScopeBeforeStateTests(DatabaseProvider.Sqlite);

[Trait("Provider", "PostgreSql")]
public sealed class PostgresScopeBeforeStateTests() : ScopeBeforeStateTests(DatabaseProvider.PostgreSql);
