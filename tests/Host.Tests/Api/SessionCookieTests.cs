using System.Net;
using System.Net.Http.Json;
using Supervision.Host.Storage;

namespace Supervision.Host.Tests.Api;

/// <summary>
/// The sign-in cookie: not readable by scripts, never sent with a request another site starts, marked Secure only
/// when the connection is TLS (this test server speaks plain HTTP); and a cookie-carrying request that is not JSON —
/// what a forged cross-site form would send — changes nothing.
/// </summary>
public sealed class SessionCookieTests : IAsyncLifetime
{
    private ApiServer _server = null!;

    public async Task InitializeAsync() => _server = await ApiServer.StartAsync(DatabaseProvider.Sqlite, new DateTimeOffset(2025, 10, 10, 10, 0, 0, TimeSpan.FromHours(8)));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task The_sign_in_cookie_is_http_only_same_site_strict_and_not_secure_over_plain_http()
    {
        using var browser = _server.Client();
        using var signIn = await browser.PostAsJsonAsync("/api/session", new { login = "zhang", password = "correct horse battery" });

        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        var cookie = Assert.Single(signIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith("supervision=", StringComparison.Ordinal));
        var attributes = cookie.Split(';', StringSplitOptions.TrimEntries).Skip(1).Select(a => a.ToLowerInvariant()).ToList();
        Assert.Contains("httponly", attributes);
        Assert.Contains("samesite=strict", attributes);
        Assert.Contains("path=/", attributes);
        Assert.DoesNotContain("secure", attributes);
        // The password is nowhere in the answer.
        Assert.DoesNotContain("correct horse battery", await signIn.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_form_post_carrying_the_cookie_changes_nothing()
    {
        using var handler = _server.Client("zhang");
        using var registered = await handler.PostAsJsonAsync("/api/requests", new
        {
            title = "申请公开", department = "市司法局", channel = "online", receivedOn = "2025-10-09", applicant = "王某", content = "内容",
        });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var id = (await registered.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetInt64();

        using var before = await handler.GetAsync(new Uri($"/api/items/{id}", UriKind.Relative));
        var was = (await before.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("item");

        using var browser = _server.Client();
        using (var signIn = await browser.PostAsJsonAsync("/api/session", new { login = "zhang", password = "correct horse battery" }))
        {
            Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        }

        // What a page on another site could make a browser send (were the cookie sent at all): a plain form post.
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["step"] = "review", ["outcome"] = "accepted" });
        using var forged = await browser.PostAsync(new Uri($"/api/items/{id}/actions/complete", UriKind.Relative), form);
        using var after = await handler.GetAsync(new Uri($"/api/items/{id}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, forged.StatusCode);
        var item = (await after.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("item");
        Assert.Equal(("review", was.GetProperty("version").GetInt32()), (item.GetProperty("step").GetString(), item.GetProperty("version").GetInt32()));

        // The same cookie with a JSON body (which a page on another site cannot send without the server's consent) acts.
        using var json = await browser.PostAsJsonAsync($"/api/items/{id}/actions/complete", new { step = "review", outcome = "accepted" });
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
    }
}
