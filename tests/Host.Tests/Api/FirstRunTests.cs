using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Supervision.Host.Storage;
using Supervision.Host.Tests.Infrastructure;

namespace Supervision.Host.Tests.Api;

/// <summary>
/// A fresh install set up from the browser: the server started without anyone who can sign in writes a setup code to
/// its log; with it (and only with it) the office and its first administrator are created once, signed in at once.
/// </summary>
public abstract partial class FirstRunTests(DatabaseProvider provider)
{
    [Fact]
    public async Task A_fresh_server_is_set_up_once_with_the_code_from_its_log_and_its_administrator_signed_in()
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var environment = new Dictionary<string, string> { ["SUPERVISION_DB"] = database.Settings.ConnectionString, ["ASPNETCORE_URLS"] = "http://127.0.0.1:0" };
        await using (var host = new RunningHost(environment))
        {
            var address = await host.ListeningAsync() ?? throw new InvalidOperationException(host.Output);
            Assert.True(await host.WaitForAsync("setup code"), host.Output);
            var code = Code().Match(host.Output).Groups["code"].Value;
            Assert.Matches("^[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}$", code);

            using var browser = new HttpClient(new HttpClientHandler { UseCookies = true }) { BaseAddress = address };
            using (var needed = JsonDocument.Parse(await browser.GetStringAsync(new Uri("/api/setup", UriKind.Relative))))
            {
                Assert.True(needed.RootElement.GetProperty("needed").GetBoolean());
            }

            var office = new { office = "某某县人民政府办公室", login = "chen", displayName = "陈主任", password = "县政府办的管理密码2026" };
            using var wrong = await browser.PostAsJsonAsync("/api/setup", new { code = "AAAA-BBBB-CCCC", office.office, office.login, office.displayName, office.password });
            using var weak = await browser.PostAsJsonAsync("/api/setup", new { code, office.office, office.login, office.displayName, password = "1234567890" });
            Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.BadRequest), (wrong.StatusCode, weak.StatusCode));
            Assert.StartsWith("password:", (await weak.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);

            // The code as people type it: lower case, without dashes.
            using var done = await browser.PostAsJsonAsync("/api/setup", new { code = code.Replace("-", string.Empty, StringComparison.Ordinal).ToLowerInvariant(), office.office, office.login, office.displayName, office.password });
            Assert.Equal(HttpStatusCode.Created, done.StatusCode);
            using var users = JsonDocument.Parse(await browser.GetStringAsync(new Uri("/api/admin/users", UriKind.Relative)));
            var admin = Assert.Single(users.RootElement.EnumerateArray());
            Assert.Equal(("chen", "admin", "某某县人民政府办公室", false), (admin.GetProperty("login").GetString(), admin.GetProperty("role").GetString(), admin.GetProperty("department").GetProperty("name").GetString(), admin.GetProperty("mustChangePassword").GetBoolean()));

            // Once only: the code is spent, the office set up.
            using var again = await browser.PostAsJsonAsync("/api/setup", new { code, office = "另一个办公室", login = "thief", displayName = "x", password = "another long password 1" });
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
            using var after = JsonDocument.Parse(await browser.GetStringAsync(new Uri("/api/setup", UriKind.Relative)));
            Assert.False(after.RootElement.GetProperty("needed").GetBoolean());
        }

        // Started again with an administrator: no code is written at all.
        await using var second = new RunningHost(environment);
        Assert.NotNull(await second.ListeningAsync());
        Assert.True(await second.WaitForAsync("Now listening on"), second.Output);
        Assert.DoesNotContain("setup code", second.Output, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"setup code (?<code>[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4})")]
    private static partial Regex Code();
}

public sealed class SqliteFirstRunTests() : FirstRunTests(DatabaseProvider.Sqlite);

[Trait("Provider", "PostgreSql")]
public sealed class PostgresFirstRunTests() : FirstRunTests(DatabaseProvider.PostgreSql);
