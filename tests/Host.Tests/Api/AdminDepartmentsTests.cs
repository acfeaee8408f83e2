using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Supervision.Host.Storage;

namespace Supervision.Host.Tests.Api;

/// <summary><c>/api/admin/departments</c>: adding, renaming, moving and deleting departments over HTTP.</summary>
public abstract class AdminDepartmentsTests(DatabaseProvider provider) : IAsyncLifetime
{
    private ApiServer _server = null!;

    public async Task InitializeAsync() => _server = await ApiServer.StartAsync(provider, DateTimeOffset.UtcNow);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{response.StatusCode}: {body}");
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task An_administrator_adds_renames_moves_and_deletes_a_department_and_the_directory_follows()
    {
        using var admin = _server.Client("admin");
        using var zhao = _server.Client("zhao");
        using var zhang = _server.Client("zhang");

        var added = await JsonAsync(await admin.PostAsJsonAsync("/api/admin/departments", new { name = "市数据局", parent = "市府办", aliases = new[] { "数据局" } }), HttpStatusCode.Created);
        var id = added.GetProperty("id").GetInt64();
        Assert.Equal(("市政府办公室", "数据局"), (added.GetProperty("parent").GetString(), added.GetProperty("aliases")[0].GetString()));

        // Renamed and moved under 市司法局 by alias-free name; the old alias replaced.
        var changed = await JsonAsync(await admin.PatchAsync(new Uri($"/api/admin/departments/{id}", UriKind.Relative), Json("""{"name":"市大数据中心","parent":"市司法局","aliases":["大数据中心"]}""")), HttpStatusCode.OK);
        Assert.Equal(("市大数据中心", "市司法局"), (changed.GetProperty("name").GetString(), changed.GetProperty("parent").GetString()));
        // Supervisors read the directory; the change is in it, under its new name and alias only.
        var list = await JsonAsync(await zhao.GetAsync(new Uri("/api/admin/departments", UriKind.Relative)), HttpStatusCode.OK);
        var row = list.EnumerateArray().Single(d => d.GetProperty("id").GetInt64() == id);
        Assert.Equal(["大数据中心"], row.GetProperty("aliases").EnumerateArray().Select(a => a.GetString()));
        using var forbidden = await zhang.GetAsync(new Uri("/api/admin/departments", UriKind.Relative));
        using var supervisorAdds = await zhao.PostAsJsonAsync("/api/admin/departments", new { name = "不应创建" });
        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden), (forbidden.StatusCode, supervisorAdds.StatusCode));

        // 市司法局 under its own child: refused, nothing moved. A name another department has: 409.
        var justice = list.EnumerateArray().Single(d => d.GetProperty("name").GetString() == "市司法局").GetProperty("id").GetInt64();
        var cycle = await JsonAsync(await admin.PatchAsync(new Uri($"/api/admin/departments/{justice}", UriKind.Relative), Json($$"""{"parent":"{{id}}"}""")), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("cannot be put under itself", cycle.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var taken = await JsonAsync(await admin.PatchAsync(new Uri($"/api/admin/departments/{id}", UriKind.Relative), Json("""{"name":"市教育局"}""")), HttpStatusCode.Conflict);
        Assert.Contains("市教育局", taken.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // 市司法局 has people and a department below it: its deletion says so and changes nothing.
        var refused = await JsonAsync(await admin.DeleteAsync(new Uri($"/api/admin/departments/{justice}", UriKind.Relative)), HttpStatusCode.Conflict);
        Assert.Contains("1 departments below it", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("people", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // Put in the groups plans name (the import expands 各区县（市）政府 to its members), then out of one again.
        var grouped = await JsonAsync(await admin.PatchAsync(new Uri($"/api/admin/departments/{id}", UriKind.Relative), Json("""{"groups":["各区县（市）政府","市直部门"]}""")), HttpStatusCode.OK);
        Assert.Equal(["各区县（市）政府", "市直部门"], grouped.GetProperty("groups").EnumerateArray().Select(g => g.GetString()));
        var groups = await _server.Services.GetRequiredService<Supervision.Host.People.DepartmentStore>().GroupsAsync(default);
        Assert.Equal(["市大数据中心"], groups["各区县（市）政府"]);
        await JsonAsync(await admin.PatchAsync(new Uri($"/api/admin/departments/{id}", UriKind.Relative), Json("""{"groups":["市直部门"]}""")), HttpStatusCode.OK);
        Assert.False((await _server.Services.GetRequiredService<Supervision.Host.People.DepartmentStore>().GroupsAsync(default)).ContainsKey("各区县（市）政府"));
        var log = await JsonAsync(await admin.GetAsync(new Uri("/api/admin/access-log?route=/api/admin/departments&status=200", UriKind.Relative)), HttpStatusCode.OK);
        Assert.Equal("市大数据中心: groups: 市直部门", log.GetProperty("entries")[0].GetProperty("detail").GetString());
        await JsonAsync(await admin.PatchAsync(new Uri($"/api/admin/departments/{id}", UriKind.Relative), Json("""{"groups":[]}""")), HttpStatusCode.OK);

        // Moved to the top, then deleted: nothing referred to it.
        var top = await JsonAsync(await admin.PatchAsync(new Uri($"/api/admin/departments/{id}", UriKind.Relative), Json("""{"parent":null}""")), HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Null, top.GetProperty("parentId").ValueKind);
        using var deleted = await admin.DeleteAsync(new Uri($"/api/admin/departments/{id}", UriKind.Relative));
        using var again = await admin.DeleteAsync(new Uri($"/api/admin/departments/{id}", UriKind.Relative));
        Assert.Equal((HttpStatusCode.NoContent, HttpStatusCode.NotFound), (deleted.StatusCode, again.StatusCode));
        var after = await JsonAsync(await admin.GetAsync(new Uri("/api/departments", UriKind.Relative)), HttpStatusCode.OK);
        Assert.DoesNotContain(after.EnumerateArray(), d => d.GetProperty("name").GetString() == "市大数据中心");
    }
}

public sealed class SqliteAdminDepartmentsTests() : AdminDepartmentsTests(DatabaseProvider.Sqlite);

[Trait("Provider", "PostgreSql")]
public sealed class PostgresAdminDepartmentsTests() : AdminDepartmentsTests(DatabaseProvider.PostgreSql);
