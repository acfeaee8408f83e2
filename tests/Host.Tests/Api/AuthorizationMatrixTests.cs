using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Supervision.Host.Storage;

namespace Supervision.Host.Tests.Api;

/// <summary>
/// The authorization matrix over every route the server maps, read from its own endpoint table (a route added later
/// is checked without anyone listing it): nothing answers without credentials but the few meant to; nothing guarded
/// by a role answers a handler; no route shows or changes another department's item for a handler.
/// </summary>
public sealed partial class AuthorizationMatrixTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    // The routes meant for anyone: health checks, signing in, the API description, setting up an office nobody can sign in to yet.
    private static readonly string[] Anonymous = ["GET /health", "POST /api/session/", "GET /openapi/{documentName}.json", "GET /api/setup/", "POST /api/setup/", "POST /api/display-session"];

    private ApiServer _server = null!;

    public async Task InitializeAsync() => _server = await ApiServer.StartAsync(DatabaseProvider.Sqlite, new DateTimeOffset(2025, 10, 10, 10, 0, 0, TimeSpan.FromHours(8)));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Every_route_but_the_public_ones_refuses_a_caller_without_credentials()
    {
        using var anonymous = _server.Client();
        var routes = Routes().ToList();
        Assert.True(routes.Count > 20, $"only {routes.Count} routes found");

        var open = new List<string>();
        var answered = new List<string>();
        foreach (var route in routes)
        {
            if (route.AllowsAnonymous)
            {
                open.Add(route.Name);
                continue;
            }

            using var response = await anonymous.SendAsync(Request(route));
            if (response.StatusCode != HttpStatusCode.Unauthorized)
            {
                answered.Add($"{route.Name} -> {(int)response.StatusCode}");
            }
        }

        output.WriteLine($"{routes.Count} routes and methods, {routes.Count - open.Count} refused without credentials, {open.Count} public");
        Assert.Empty(answered);
        Assert.Equal(Anonymous.Order(StringComparer.Ordinal), open.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Every_route_guarded_by_a_role_refuses_a_handler()
    {
        using var handler = _server.Client("zhang");
        var guarded = Routes().Where(r => r.Roles.Count > 0).ToList();
        Assert.Contains(guarded, r => r.Roles.Contains("admin"));
        Assert.Contains(guarded, r => r.Roles.Contains("supervisor"));

        var answered = new List<string>();
        foreach (var route in guarded)
        {
            using var response = await handler.SendAsync(Request(route));
            if (response.StatusCode != HttpStatusCode.Forbidden)
            {
                answered.Add($"{route.Name} -> {(int)response.StatusCode}");
            }
        }

        output.WriteLine($"{guarded.Count} routes guarded by a role, each refused to a handler");
        Assert.Empty(answered);
    }

    [Fact]
    public async Task Every_route_guarded_by_roles_refuses_every_other_role_and_answers_those_it_is_for()
    {
        // One person of each role; ids that name nothing, so that no call changes what the next one sees.
        var people = new Dictionary<string, string>(StringComparer.Ordinal) { ["handler"] = "zhang", ["lead"] = "wang", ["supervisor"] = "zhao", ["admin"] = "admin" };
        var guarded = Routes().Where(r => r.Roles.Count > 0).ToList();
        Assert.Contains(guarded, r => r.Name == "GET /api/admin/departments/" && r.Roles.SetEquals(["admin", "supervisor"]));
        Assert.Contains(guarded, r => r.Name == "PATCH /api/admin/users/{login}" && r.Roles.SetEquals(["admin"]));

        var wrong = new List<string>();
        var calls = 0;
        foreach (var route in guarded)
        {
            foreach (var (role, login) in people)
            {
                using var client = _server.Client(login);
                using var response = await client.SendAsync(Request(route, 987_654));
                calls++;
                var status = (int)response.StatusCode;
                var allowed = route.Roles.Contains(role);
                // Refused by role: 403. Allowed: a read answers 200 (404 when its address names something, as these
                // name nothing); a change may still find its body or its id wrong (400, 404, 415), never 401 or 403.
                var right = !allowed ? status == 403
                    : route.Method == "GET" ? status == 200 || (status == 404 && route.Pattern.Contains('{', StringComparison.Ordinal))
                    : status is not (401 or 403) and < 500;
                if (!right)
                {
                    wrong.Add($"{route.Name} as {role} -> {status}");
                }
            }
        }

        output.WriteLine($"{guarded.Count} routes guarded by roles, {calls} calls, each role refused or answered as it should be");
        Assert.Empty(wrong);
    }

    [Fact]
    public async Task No_route_shows_or_changes_another_departments_item_for_a_handler()
    {
        // 市司法局's request, with a marker in its title and content, overdue so that its handler has a notice about it.
        const string Marker = "司法局内部CANARY7731";
        using var zhang = _server.Client("zhang");
        using var li = _server.Client("li");
        using var registered = await zhang.PostAsJsonAsync("/api/requests", new
        {
            title = Marker, applicant = "李某", channel = "post", receivedOn = "2025-10-10", department = "市司法局", content = Marker,
        });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var item = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        _server.Clock.Advance(TimeSpan.FromDays(60));
        await _server.Services.GetRequiredService<Supervision.Host.Escalation.LightTransitions>().ProcessDueAsync(null, default);
        await using var database = new Database(_server.DatabaseSettings);
        async Task<string> FingerprintAsync()
        {
            await using var connection = await database.OpenAsync(default);
            return string.Join('|',
                await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM items"),
                await connection.ExecuteScalarAsync<long>("SELECT version FROM items WHERE id = @item", new { item }),
                await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM item_history"),
                await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM notices WHERE read_at IS NOT NULL"));
        }

        long notice;
        await using (var connection = await database.OpenAsync(default))
        {
            notice = await connection.ExecuteScalarAsync<long>("SELECT min(n.id) FROM notices n JOIN users u ON u.id = n.recipient_user_id WHERE u.login = 'zhang'");
        }

        var before = await FingerprintAsync();

        // 市教育局's handler calls every route with the other department's ids, and every list with filters aimed at it.
        var routes = Routes().Where(r => !r.AllowsAnonymous && r.Roles.Count == 0).ToList();
        var leaks = new List<string>();
        var writes = new List<string>();
        foreach (var route in routes)
        {
            using var request = Request(route, route.Pattern.Contains("notices", StringComparison.Ordinal) ? notice : item);
            if (route.Method == "GET")
            {
                request.RequestUri = new Uri($"{request.RequestUri}?department=市司法局&text={Uri.EscapeDataString(Marker)}&from=2025-01-01&to=2025-12-31", UriKind.Relative);
            }

            if (route.Pattern.EndsWith("/actions/{action}", StringComparison.Ordinal))
            {
                request.Content = JsonContent.Create(new { step = "review", outcome = "accepted" });
            }

            using var response = await li.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            var streaming = response.Content.Headers.ContentType?.MediaType == "text/event-stream";
            var body = streaming ? string.Empty : await response.Content.ReadAsStringAsync();
            if (body.Contains(Marker, StringComparison.Ordinal) || (response.Content.Headers.ContentType?.MediaType?.Contains("spreadsheet", StringComparison.Ordinal) == true && SheetContains(await response.Content.ReadAsByteArrayAsync(), Marker)))
            {
                leaks.Add($"{route.Name} -> {(int)response.StatusCode}");
            }

            if (route.Method != "GET" && response.IsSuccessStatusCode && route.Name != "DELETE /api/session/")
            {
                writes.Add($"{route.Name} -> {(int)response.StatusCode}");
            }
        }

        output.WriteLine($"{routes.Count} routes called by another department's handler: {leaks.Count} showed the item, {writes.Count} changed something");
        Assert.Empty(leaks);
        Assert.Empty(writes);
        Assert.Equal(before, await FingerprintAsync());

        // The same calls by the item's own handler do show it: the marker is there to be found.
        using var own = await zhang.GetAsync(new Uri($"/api/items/{item}", UriKind.Relative));
        Assert.Contains(Marker, await own.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var ownList = await zhang.GetAsync(new Uri($"/api/items?text={Uri.EscapeDataString(Marker)}", UriKind.Relative));
        Assert.Contains(Marker, await ownList.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    // Whether a workbook's shared or inline strings hold the text (exports are zipped XML).
    private static bool SheetContains(byte[] workbook, string text)
    {
        using var zip = new System.IO.Compression.ZipArchive(new MemoryStream(workbook));
        return zip.Entries.Where(e => e.FullName.EndsWith(".xml", StringComparison.Ordinal)).Any(e =>
        {
            using var reader = new StreamReader(e.Open());
            return reader.ReadToEnd().Contains(text, StringComparison.Ordinal);
        });
    }

    private sealed record Route(string Method, string Pattern, bool AllowsAnonymous, IReadOnlySet<string> Roles)
    {
        public string Name => $"{Method} {Pattern}";
    }

    // Every mapped route and method, with what its metadata says about who may call it.
    private IEnumerable<Route> Routes()
    {
        var sources = _server.Services.GetRequiredService<IEnumerable<EndpointDataSource>>();
        foreach (var endpoint in sources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>())
        {
            var pattern = "/" + (endpoint.RoutePattern.RawText ?? string.Empty).TrimStart('/');
            var anonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            // The roles a route is open to: its named policies ("admin", "supervisor") and the roles its own policies
            // require (RequireRole in place); a route with neither is open to every signed-in role.
            var named = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).Where(p => p is "admin" or "supervisor").Select(p => p!);
            var required = endpoint.Metadata.GetOrderedMetadata<AuthorizationPolicy>()
                .SelectMany(p => p.Requirements.OfType<Microsoft.AspNetCore.Authorization.Infrastructure.RolesAuthorizationRequirement>())
                .SelectMany(r => r.AllowedRoles);
            var roles = named.Concat(required).ToHashSet(StringComparer.Ordinal);
            foreach (var method in endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
            {
                yield return new Route(method, pattern, anonymous, roles);
            }
        }
    }

    // A request for the route with sample values in its parameters and an empty JSON body where one may go.
    private static HttpRequestMessage Request(Route route, long id = 1)
    {
        var path = Parameter().Replace(route.Pattern, m => m.Groups["name"].Value switch
        {
            "year" => "2025",
            "action" => "complete",
            "documentName" => "v1",
            var name when m.Groups["constraint"].Value is "long" or "int" || name.EndsWith("id", StringComparison.OrdinalIgnoreCase) => id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => "x",
        });
        var request = new HttpRequestMessage(new HttpMethod(route.Method), new Uri(path, UriKind.Relative));
        if (route.Method is "POST" or "PUT" or "PATCH")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        return request;
    }

    [GeneratedRegex(@"\{(?<name>[A-Za-z]+)(:(?<constraint>[a-z]+))?\??\}")]
    private static partial Regex Parameter();
}
