using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Supervision.Engine.Organisation;
using Supervision.Host.People;
using Supervision.Host.Storage;
using Supervision.Host.Tests.Infrastructure;

namespace Supervision.Host.Tests.Reliability;

/// <summary>
/// Secrets stay secret: a real server process is signed into with a wrong and a right password, called with an
/// unknown and a valid token, and configured with a mail password; none of them appears in what it logs or in any
/// answer, and the database holds neither the password nor the token, only their hashes.
/// </summary>
public sealed class SecretsTests
{
    private const string Password = "correct horse battery staple";
    private const string WrongPassword = "wrong-password-1f3a9";
    private const string MailPassword = "smtp-secret-7c2d4e";
    private const string UnknownToken = "sv_unknown-token-9b8a7c6d5e4f";

    [Fact]
    public async Task Passwords_and_tokens_appear_in_no_log_no_answer_and_no_table()
    {
        await using var database = new SqliteTestDatabase();
        string token;
        await using (var store = new Database(database.Settings))
        {
            var clock = TimeProvider.System;
            await new Migrator(store, clock).MigrateAsync(default);
            var office = await new DepartmentStore(store, clock).AddAsync(new Department { Name = "市政府办公室" }, default);
            var users = new UserStore(store, clock);
            await users.AddAsync(new User { Login = "zhao", DisplayName = "赵督查", DepartmentId = office.Id, Role = "supervisor" }, default);
            var credentials = new Credentials(new TokenStore(store), users, clock);
            await credentials.SetPasswordAsync("zhao", Password, default);
            token = (await credentials.CreateTokenAsync("zhao", "secrets test", default)).Token;
        }

        var answers = new List<string>();
        string output;
        await using (var host = new RunningHost(new Dictionary<string, string>
        {
            ["SUPERVISION_DB"] = database.Settings.ConnectionString,
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["Logging__LogLevel__Default"] = "Debug",
            ["Supervision__Smtp__Host"] = "127.0.0.1",
            ["Supervision__Smtp__Port"] = "9",
            ["Supervision__Smtp__Password"] = MailPassword,
        }))
        {
            var address = await host.ListeningAsync() ?? throw new InvalidOperationException(host.Output);
            using var client = new HttpClient { BaseAddress = address };
            async Task<HttpStatusCode> SendAsync(HttpRequestMessage request)
            {
                using var response = await client.SendAsync(request);
                answers.Add(await response.Content.ReadAsStringAsync());
                return response.StatusCode;
            }

            HttpRequestMessage SignIn(string password) => new(HttpMethod.Post, "/api/session") { Content = JsonContent.Create(new { login = "zhao", password }) };
            HttpRequestMessage Board(string bearer) => new(HttpMethod.Get, "/api/board") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", bearer) } };

            Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(SignIn(WrongPassword)));
            Assert.Equal(HttpStatusCode.OK, await SendAsync(SignIn(Password)));
            Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(Board(UnknownToken)));
            Assert.Equal(HttpStatusCode.OK, await SendAsync(Board(token)));
            output = host.Output;
        }

        Assert.NotEmpty(output);
        foreach (var secret in new[] { Password, WrongPassword, MailPassword, UnknownToken, token })
        {
            Assert.DoesNotContain(secret, output, StringComparison.Ordinal);
            Assert.DoesNotContain(answers, a => a.Contains(secret, StringComparison.Ordinal));
        }

        // The database keeps hashes only: the file holds neither the password nor the token.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var text = string.Concat(await Task.WhenAll(new[] { database.Path, database.Path + "-wal" }.Where(File.Exists)
            .Select(async f => System.Text.Encoding.UTF8.GetString(await File.ReadAllBytesAsync(f)))));
        Assert.DoesNotContain(Password, text, StringComparison.Ordinal);
        Assert.DoesNotContain(token, text, StringComparison.Ordinal);
    }
}
