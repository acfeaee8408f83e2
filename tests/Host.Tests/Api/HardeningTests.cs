using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Supervision.Host.Storage;

namespace Supervision.Host.Tests.Api;

/// <summary>
/// What the API gives away and what it does not: answers that are neither sniffed nor cached, refusals of malformed
/// values that name the field but not the server's types, and a sign-in whose answer and time are the same for an
/// unknown login as for a wrong password.
/// </summary>
public sealed class HardeningTests : IAsyncLifetime
{
    private ApiServer _server = null!;

    public async Task InitializeAsync() => _server = await ApiServer.StartAsync(DatabaseProvider.Sqlite, DateTimeOffset.UtcNow);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static async Task<string> DetailAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return problem.RootElement.GetProperty("detail").GetString()!;
    }

    [Fact]
    public async Task Api_answers_are_neither_sniffed_nor_cached_whether_they_succeed_or_refuse()
    {
        using var zhang = _server.Client("zhang");
        using var anonymous = _server.Client();

        foreach (var response in new[]
        {
            await zhang.GetAsync(new Uri("/api/board", UriKind.Relative)),
            await zhang.GetAsync(new Uri("/api/items/999999", UriKind.Relative)),
            await anonymous.GetAsync(new Uri("/api/session", UriKind.Relative)),
        })
        {
            using (response)
            {
                Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
                Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
            }
        }
    }

    [Fact]
    public async Task A_malformed_value_is_refused_naming_the_field_and_never_the_servers_types()
    {
        using var zhang = _server.Client("zhang");
        using var anonymous = _server.Client();

        var wrongKind = await DetailAsync(await zhang.PostAsync(new Uri("/api/requests", UriKind.Relative), new StringContent("{\"title\":5}", Encoding.UTF8, "application/json")));
        var notJson = await DetailAsync(await zhang.PostAsync(new Uri("/api/requests", UriKind.Relative), new StringContent("nonsense", Encoding.UTF8, "application/json")));
        var query = await DetailAsync(await zhang.GetAsync(new Uri("/api/items?page=x", UriKind.Relative)));
        var signIn = await DetailAsync(await anonymous.PostAsJsonAsync("/api/session", new { login = 1 }));

        Assert.Equal("The body is not valid JSON for this request at $.title: the value is not of the kind this field takes (text, a number, true or false, a list or an object)", wrongKind);
        Assert.StartsWith("The body is not valid JSON for this request at $:", notJson, StringComparison.Ordinal);
        Assert.Equal("page: 'x' is not a whole number", query);
        Assert.Contains("$.login", signIn, StringComparison.Ordinal);
        foreach (var detail in new[] { wrongKind, notJson, query, signIn })
        {
            Assert.DoesNotContain("Supervision.", detail, StringComparison.Ordinal);
            Assert.DoesNotContain("System.", detail, StringComparison.Ordinal);
            Assert.DoesNotContain("Int32", detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_unknown_login_is_answered_as_a_wrong_password_is_and_takes_as_long()
    {
        using var anonymous = _server.Client();
        var unknown = new List<double>();
        var wrong = new List<double>();
        string? unknownBody = null, wrongBody = null;
        // Alternating, so whatever else the machine does falls on both alike; the medians are compared.
        for (var i = 0; i < 9; i++)
        {
            foreach (var (login, times) in new[] { ("nobody-here", unknown), ("zhang", wrong) })
            {
                var watch = Stopwatch.StartNew();
                using var response = await anonymous.PostAsJsonAsync("/api/session", new { login, password = "not the password" });
                watch.Stop();
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
                var body = (await response.Content.ReadAsStringAsync()).Replace(login, "?", StringComparison.Ordinal);
                (login == "zhang" ? ref wrongBody : ref unknownBody) = body;
                times.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        Assert.Equal(wrongBody, unknownBody);
        var (unknownMedian, wrongMedian) = (unknown.Order().ElementAt(4), wrong.Order().ElementAt(4));
        // Hashing a password takes tens of milliseconds and a lookup about one: before, an unknown login answered in a
        // twentieth of the time. Now both hash; the margin only absorbs the machine's noise.
        Assert.True(unknownMedian >= wrongMedian * 0.5, $"unknown login {unknownMedian:0.0} ms, wrong password {wrongMedian:0.0} ms");
    }
}
