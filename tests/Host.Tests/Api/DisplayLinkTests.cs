using System.Net;
using System.Net.Http.Json;
using Supervision.Host.Storage;

namespace Supervision.Host.Tests.Api;

/// <summary>Display links: a wall screen reads the board of its department and those below it, nothing else, until revoked.</summary>
public abstract class DisplayLinkTests(DatabaseProvider provider) : IAsyncLifetime
{
    private ApiServer _server = null!;

    public async Task InitializeAsync() => _server = await ApiServer.StartAsync(provider, DateTimeOffset.UtcNow);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static Uri At(string path) => new(path, UriKind.Relative);

    [Fact]
    public async Task A_display_link_opens_a_read_only_board_session_that_ends_when_revoked()
    {
        using var zhao = _server.Client("zhao");
        using var zhang = _server.Client("zhang");
        using var admin = _server.Client("admin");
        var made = await AdministrationTests.JsonAsync(await zhao.PostAsJsonAsync("/api/display-links", new { name = "会议室大屏", department = "市政府办公室" }), HttpStatusCode.Created);
        var key = made.GetProperty("key").GetString()!;
        var id = made.GetProperty("id").GetInt64();
        Assert.Equal(("市政府办公室", $"/wall#key={key}"), (made.GetProperty("department").GetProperty("name").GetString(), made.GetProperty("url").GetString()));
        await AdministrationTests.JsonAsync(await zhang.PostAsJsonAsync("/api/display-links", new { name = "我的屏", department = "市司法局" }), HttpStatusCode.Forbidden);
        var listed = await AdministrationTests.JsonAsync(await admin.GetAsync(At("/api/display-links")), HttpStatusCode.OK);
        Assert.Equal("会议室大屏", Assert.Single(listed.EnumerateArray()).GetProperty("name").GetString());
        Assert.DoesNotContain(key, listed.GetRawText(), StringComparison.Ordinal);

        // The screen: no person, the key traded for a session that reads the board and nothing else.
        using var screen = _server.Client();
        await AdministrationTests.JsonAsync(await screen.PostAsJsonAsync("/api/display-session", new { key = "dk_not-a-key" }), HttpStatusCode.Unauthorized);
        await AdministrationTests.JsonAsync(await screen.PostAsJsonAsync("/api/display-session", new { key }), HttpStatusCode.OK);
        var board = await AdministrationTests.JsonAsync(await screen.GetAsync(At("/api/board")), HttpStatusCode.OK);
        Assert.Contains(board.GetProperty("departments").EnumerateArray(), d => d.GetProperty("department").GetString() == "市司法局");
        await AdministrationTests.JsonAsync(await screen.GetAsync(At("/api/board/trends")), HttpStatusCode.OK);
        var refused = await AdministrationTests.JsonAsync(await screen.GetAsync(At("/api/items")), HttpStatusCode.Forbidden);
        Assert.Contains("light board only", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await AdministrationTests.JsonAsync(await screen.PostAsJsonAsync("/api/requests", new { title = "x" }), HttpStatusCode.Forbidden);
        await AdministrationTests.JsonAsync(await screen.GetAsync(At("/api/admin/users")), HttpStatusCode.Forbidden);

        // Its department cannot go while the link is live; revoked, the screen's session ends at once.
        var log = await AdministrationTests.JsonAsync(await admin.GetAsync(At("/api/admin/access-log?route=/api/display")), HttpStatusCode.OK);
        var details = log.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("detail").GetString()).ToList();
        Assert.Contains($"display link {id} '会议室大屏' made for 市政府办公室", details);
        Assert.Contains($"display link {id} '会议室大屏' opened", details);
        await AdministrationTests.JsonAsync(await zhao.DeleteAsync(At($"/api/display-links/{id}")), HttpStatusCode.NoContent);
        await AdministrationTests.JsonAsync(await screen.GetAsync(At("/api/board")), HttpStatusCode.Unauthorized);
        await AdministrationTests.JsonAsync(await zhao.DeleteAsync(At($"/api/display-links/{id}")), HttpStatusCode.NotFound);
        await AdministrationTests.JsonAsync(await screen.PostAsJsonAsync("/api/display-session", new { key }), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_department_with_a_live_display_link_is_not_deleted()
    {
        using var admin = _server.Client("admin");
        var made = await AdministrationTests.JsonAsync(await admin.PostAsJsonAsync("/api/display-links", new { name = "自然资源局大屏", department = "市自然资源局" }), HttpStatusCode.Created);
        var department = made.GetProperty("department").GetProperty("id").GetInt64();
        var refused = await AdministrationTests.JsonAsync(await admin.DeleteAsync(At($"/api/admin/departments/{department}")), HttpStatusCode.Conflict);
        Assert.Contains("1 display links", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await AdministrationTests.JsonAsync(await admin.DeleteAsync(At($"/api/display-links/{made.GetProperty("id").GetInt64()}")), HttpStatusCode.NoContent);
        await AdministrationTests.JsonAsync(await admin.DeleteAsync(At($"/api/admin/departments/{department}")), HttpStatusCode.NoContent);
    }
}

public sealed class SqliteDisplayLinkTests() : DisplayLinkTests(DatabaseProvider.Sqlite);

[Trait("Provider", "PostgreSql")]
public sealed class PostgresDisplayLinkTests() : DisplayLinkTests(DatabaseProvider.PostgreSql);
