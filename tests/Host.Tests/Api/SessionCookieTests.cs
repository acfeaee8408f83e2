using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Supervision.Host.People;
using Supervision.Host.Storage;

namespace Supervision.Host.Tests.Api;

/// <summary>
/// The sign-in cookie: not readable by scripts, never sent with a request another site starts, marked Secure only
/// when the connection is TLS (this test server speaks plain HTTP); a cookie-carrying request that is not JSON —
/// what a forged cross-site form would send — changes nothing; and sessions end when they should: signed out
/// everywhere, a new password, a disabled account or a changed role, ten idle hours, twelve hours after signing in.
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
        var attributes = CookieAttributes(signIn);
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

    [Fact]
    public async Task Behind_a_proxy_ending_tls_the_cookie_is_secure_when_the_public_address_is_https()
    {
        await using var proxied = await ApiServer.StartAsync(DatabaseProvider.Sqlite, new DateTimeOffset(2025, 10, 10, 10, 0, 0, TimeSpan.FromHours(8)),
            new Dictionary<string, string> { ["Supervision:PublicUrl"] = "https://ducha.example.gov.cn" });
        using var browser = proxied.Client();
        using var signIn = await browser.PostAsJsonAsync("/api/session", new { login = "zhang", password = "correct horse battery" });

        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        Assert.Contains("secure", CookieAttributes(signIn));
    }

    /// <summary>The attributes (lower case, without the value) of the sign-in cookie a response sets, which must be one.</summary>
    internal static List<string> CookieAttributes(HttpResponseMessage signIn)
    {
        var cookie = Assert.Single(signIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith("supervision=", StringComparison.Ordinal));
        return cookie.Split(';', StringSplitOptions.TrimEntries).Skip(1).Select(a => a.ToLowerInvariant()).ToList();
    }

    private async Task<HttpClient> SignedInAsync(string password = "correct horse battery")
    {
        var browser = _server.Client();
        using var signIn = await browser.PostAsJsonAsync("/api/session", new { login = "zhang", password });
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        return browser;
    }

    private static async Task<(HttpStatusCode Status, string Body)> WhoAmIAsync(HttpClient browser)
    {
        using var response = await browser.GetAsync(new Uri("/api/session", UriKind.Relative));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task AssertEndedAsync(HttpClient browser, string reason)
    {
        var (status, body) = await WhoAmIAsync(browser);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains($"Your session has ended ({reason}", body, StringComparison.Ordinal);
        // The cookie was cleared with the answer: the next request is simply not signed in.
        var (again, next) = await WhoAmIAsync(browser);
        Assert.Equal(HttpStatusCode.Unauthorized, again);
        Assert.DoesNotContain("Your session has ended", next, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signing_out_everywhere_ends_the_sessions_of_other_browsers_and_signing_out_here_only_this_one()
    {
        using var laptop = await SignedInAsync();
        using var office = await SignedInAsync();
        using var phone = await SignedInAsync();
        Assert.Equal(HttpStatusCode.OK, (await WhoAmIAsync(office)).Status);

        using (var here = await phone.DeleteAsync(new Uri("/api/session", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NoContent, here.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await WhoAmIAsync(phone)).Status);
        Assert.Equal(HttpStatusCode.OK, (await WhoAmIAsync(office)).Status);

        using (var everywhere = await laptop.DeleteAsync(new Uri("/api/session?everywhere=true", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NoContent, everywhere.StatusCode);
        }

        await AssertEndedAsync(office, "signed out everywhere");
        using var later = await SignedInAsync();
        Assert.Equal(HttpStatusCode.OK, (await WhoAmIAsync(later)).Status);
    }

    [Fact]
    public async Task A_new_password_a_disabled_account_or_a_changed_role_ends_a_session()
    {
        var credentials = _server.Services.GetRequiredService<Credentials>();
        var sender = _server.Services.GetRequiredService<Mediator.ISender>();
        using var before = await SignedInAsync();
        await credentials.SetPasswordAsync("zhang", "a new long password", default);
        await AssertEndedAsync(before, "signed out everywhere, or the password was changed");

        using var token = _server.Client("zhang");
        using var session = await SignedInAsync("a new long password");
        await sender.Send(new ChangeAccess("zhang", AccessChange.Disable));
        await AssertEndedAsync(session, "the account is disabled or gone");
        using (var refused = await token.GetAsync(new Uri("/api/session", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using (var signIn = await _server.Client().PostAsJsonAsync("/api/session", new { login = "zhang", password = "a new long password" }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, signIn.StatusCode);
        }

        await sender.Send(new ChangeAccess("zhang", AccessChange.Enable));
        using var promoted = await SignedInAsync("a new long password");
        await using (var database = new Database(_server.DatabaseSettings))
        await using (var connection = await database.OpenAsync(default))
        {
            await Dapper.SqlMapper.ExecuteAsync(connection, "UPDATE users SET role = 'lead' WHERE login = 'zhang'");
        }

        await AssertEndedAsync(promoted, "the account's role or department changed");
    }

    [Fact]
    public async Task A_session_ends_after_ten_hours_unused_and_twelve_hours_after_signing_in()
    {
        using var busy = await SignedInAsync();
        using var idle = await SignedInAsync();
        _server.Clock.Advance(TimeSpan.FromHours(9));
        Assert.Equal(HttpStatusCode.OK, (await WhoAmIAsync(busy)).Status);
        _server.Clock.Advance(TimeSpan.FromHours(2));

        // Eleven hours on: the one left alone for eleven hours has ended, the one used two hours ago has not...
        Assert.Equal(HttpStatusCode.Unauthorized, (await WhoAmIAsync(idle)).Status);
        Assert.Equal(HttpStatusCode.OK, (await WhoAmIAsync(busy)).Status);

        // ...until twelve hours after signing in, however busy.
        _server.Clock.Advance(TimeSpan.FromHours(1.5));
        await AssertEndedAsync(busy, "signed in more than 12 hours ago");
    }
}
