using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Supervision.Host.Storage;
using Supervision.Host.Tests.Api;
using Supervision.Host.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Supervision.Host.Tests.Reliability;

/// <summary>
/// Every route that takes JSON, read from the server's own endpoint table (a route added later is fuzzed without
/// anyone listing it), with its body's fields read from the server's OpenAPI document, is sent malformed bodies:
/// wrong types, missing, null and extra fields, huge and odd numbers, deep nesting, a 10 MB body, invalid UTF-8,
/// control characters and lone surrogates, wrong content types, empty bodies, and seeded random ones. Each answer is
/// a 4xx with problem details (413 for too large), nothing is written, every attempt is in the access log as
/// refused, and the server still serves afterwards.
/// </summary>
public abstract partial class ApiFuzzTests(DatabaseProvider provider, ITestOutputHelper output) : IAsyncLifetime
{
    // A stale version keeps every well-formed fuzz body from acting on the open item: it is never removed or nulled
    // (its own wrong types are still sent). Every other field of a template holds a value no rule accepts.
    private const string Anchor = "version";

    // Values of the path's {action}: the actions an item route knows, and one it does not.
    private static readonly string[] Actions = ["complete", "pause", "resume", "extend", "approve-extension", "reject-extension", "override", "transfer", "return", "report", "withdraw", "nonsense"];

    // Number-shaped trouble, as JSON text: too big for any number type, just past long, negative zero, fractions,
    // exponents, and the IEEE names as strings.
    private static readonly string[] Numbers =
        ["1e400", "-1e400", "9223372036854775808", "-9223372036854775809", "-0", "-0.0", "1.5", "1e5", "0.0000001", "99999999999999999999999999999999", "\"NaN\"", "\"Infinity\"", "\"-0\"", "\"\"", "\"1e400\""];

    // Strings that are valid JSON but not text a person typed: NUL, other control characters, lone surrogates.
    private static readonly string[] OddStrings =
        ["\"\\u0000\"", "\"a\\u0000b\"", "\"\\u0007\\u001b[31m\\u007f\"", "\"\\ud800\"", "\"\\udc00x\"", "\"x\\ud83d\"", "\"\\udfff\\ud800\""];

    // Values of every JSON type, to put where another type belongs.
    private static readonly string[] AnyTypes = ["1", "true", "\"x\"", "[]", "{}", "[1,\"x\"]", "{\"a\":1}", "{\"a\":{\"b\":[]}}"];

    private ApiServer _server = null!;
    private long _item;

    public async Task InitializeAsync()
    {
        _server = await ApiServer.StartAsync(provider, new DateTimeOffset(2025, 10, 10, 10, 0, 0, TimeSpan.FromHours(8)),
            new Dictionary<string, string> { ["Supervision:RateLimit:PermitsPerMinute"] = "1000000" });
        using var zhang = _server.Client("zhang");
        using var created = await zhang.PostAsJsonAsync("/api/requests", new
        {
            title = "申请公开2024年行政复议案件统计", applicant = "李某", channel = "post", receivedOn = "2025-10-10", department = "市司法局", content = "统计",
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        _item = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    // The newest access log entry's id, before an attempt.
    private async Task<long> LastLoggedAsync()
    {
        await using var database = new Database(_server.DatabaseSettings);
        await using var connection = await database.OpenAsync(default);
        return await connection.ExecuteScalarAsync<long?>("SELECT max(id) FROM access_log") ?? 0;
    }

    // The status the server logged for the attempt on method and path made after entry `after` (it is committed before
    // the answer goes out; waited for, not timed).
    private async Task<int> LoggedStatusAsync(long after, string method, string path)
    {
        await using var database = new Database(_server.DatabaseSettings);
        int? status = null;
        await Eventually.UntilAsync(async () =>
        {
            await using var connection = await database.OpenAsync(default);
            status = await connection.ExecuteScalarAsync<int?>(
                "SELECT status FROM access_log WHERE id > @after AND method = @method AND path = @path ORDER BY id LIMIT 1", new { after, method, path = path.Split('?')[0] });
            return status is not null;
        });
        return status ?? 0;
    }

    [Fact]
    public async Task Every_malformed_body_on_every_json_route_is_a_4xx_problem_and_writes_nothing()
    {
        using var admin = _server.Client("admin");
        using var supervisor = _server.Client("zhao");
        // For the body announced with 100-continue: the client waits for the server's answer to the headers as long as
        // it takes (the default is one second, after which it sends the 10 MB anyway, and a busy machine then sees the
        // server's 413 close the connection under the upload: a broken pipe instead of the answer).
        HttpClient Patient(HttpClient like)
        {
            var client = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromMinutes(5) }) { BaseAddress = like.BaseAddress };
            client.DefaultRequestHeaders.Authorization = like.DefaultRequestHeaders.Authorization;
            return client;
        }

        using var patientAdmin = Patient(admin);
        using var patientSupervisor = Patient(supervisor);
        var routes = await JsonRoutesAsync(admin);
        Assert.Contains(routes, r => r.Pattern == "/api/items/{id:long}/actions/{action}");
        Assert.True(routes.Count >= 6, $"only {routes.Count} JSON routes found");

        var before = await Fingerprint.TakeAsync(_server.DatabaseSettings);
        var statuses = new SortedDictionary<int, int>();
        var perRoute = new SortedDictionary<string, SortedDictionary<int, int>>(StringComparer.Ordinal);
        var wrong = new List<string>();
        var sent = 0;
        foreach (var route in routes)
        {
            foreach (var path in Paths(route.Pattern))
            {
                foreach (var (name, content) in Cases(route.Template).Concat(RandomCases(route.Template, new Random(20251122 ^ StableSeed(path)), 60)))
                {
                    using var request = new HttpRequestMessage(new HttpMethod(route.Method), new Uri(path, UriKind.Relative)) { Content = content };
                    request.Headers.ExpectContinue = name == "10 MB body";
                    var oversized = name is "10 MB body" or "just over 1 MiB";
                    var logged = oversized ? await LastLoggedAsync() : 0;
                    int status;
                    string? problem;
                    try
                    {
                        using var response = await (name == "10 MB body" ? (route.Role == "supervisor" ? patientSupervisor : patientAdmin) : route.Role == "supervisor" ? supervisor : admin).SendAsync(request);
                        status = (int)response.StatusCode;
                        problem = await ProblemOrNullAsync(response);
                    }
                    catch (HttpRequestException e) when (oversized && e.InnerException is IOException)
                    {
                        // The server refused the upload past its limit and closed the connection while the client was
                        // still sending the rest: the client cannot read the answer, so it is read where every attempt is
                        // recorded with its status, the access log (the answer's problem details are the 413's).
                        status = await LoggedStatusAsync(logged, route.Method, path);
                        problem = status == 413 ? "request too large (answered as the connection closed)" : null;
                    }

                    sent++;
                    statuses[status] = statuses.GetValueOrDefault(status) + 1;
                    var tally = perRoute.TryGetValue(path, out var t) ? t : perRoute[path] = [];
                    tally[status] = tally.GetValueOrDefault(status) + 1;
                    var expected = name is "10 MB body" or "just over 1 MiB" ? status == 413 : status is >= 400 and < 500 and not 413;
                    if (!expected || problem is null)
                    {
                        wrong.Add($"{route.Method} {path} [{name}] -> {status} {(problem is null ? "without problem details" : problem)}");
                    }
                }
            }
        }

        var after = await Fingerprint.TakeAsync(_server.DatabaseSettings);
        using var health = await admin.GetAsync(new Uri("/health", UriKind.Relative));
        using var zhang = _server.Client("zhang");
        using var still = await zhang.PostAsJsonAsync($"/api/items/{_item}/actions/complete", new { step = "review", outcome = "accepted" });

        output.WriteLine($"{provider}: {routes.Count} JSON routes, {sent} cases; statuses {string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}"))}; "
            + $"rows written {after.RowsChangedSince(before)}; access log: {after.Refused - before.Refused} refused, {after.Allowed - before.Allowed} allowed");
        foreach (var (path, tally) in perRoute)
        {
            output.WriteLine($"  {path}: {string.Join(", ", tally.Select(s => $"{s.Key}×{s.Value}"))}");
        }

        foreach (var line in wrong.Take(40))
        {
            output.WriteLine(line);
        }

        Assert.Empty(wrong);
        Assert.Equal(before.Tables, after.Tables);
        Assert.Equal(before.Allowed, after.Allowed);
        Assert.Equal(sent, after.Refused - before.Refused);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, still.StatusCode);
    }

    // A route taking JSON, the role its endpoint asks for (the body is read only once the caller may call it), and
    // its template body.
    private sealed record JsonRoute(string Method, string Pattern, string? Role, JsonObject Template);

    // Every route and method whose endpoint accepts JSON, with a template body from the OpenAPI document: each field
    // present with a value of its type that no rule accepts ("x", 0, false, ["x"], {}).
    private async Task<List<JsonRoute>> JsonRoutesAsync(HttpClient client)
    {
        using var document = JsonDocument.Parse(await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));
        var sources = _server.Services.GetRequiredService<IEnumerable<EndpointDataSource>>();
        var routes = new List<JsonRoute>();
        foreach (var endpoint in sources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>())
        {
            if (!endpoint.Metadata.GetOrderedMetadata<IAcceptsMetadata>().Any(a => a.ContentTypes.Any(t => t.Contains("json", StringComparison.OrdinalIgnoreCase))))
            {
                continue;
            }

            var pattern = "/" + (endpoint.RoutePattern.RawText ?? string.Empty).TrimStart('/');
            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["POST"])
            {
                var role = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).FirstOrDefault(p => p is "admin" or "supervisor");
                routes.Add(new JsonRoute(method, pattern, role, Template(document.RootElement, pattern, method)));
            }
        }

        output.WriteLine(string.Join(Environment.NewLine, routes.Select(r => $"{r.Method} {r.Pattern} {r.Template.ToJsonString()}")));
        return routes;
    }

    private static JsonObject Template(JsonElement openApi, string pattern, string method)
    {
        var template = new JsonObject();
        var documented = Parameter().Replace(pattern, m => "{" + m.Groups["name"].Value + "}").TrimEnd('/');
        if (!openApi.GetProperty("paths").TryGetProperty(documented, out var path) && !openApi.GetProperty("paths").TryGetProperty(documented + "/", out path))
        {
            return template;
        }

        if (!path.TryGetProperty(method.ToLowerInvariant(), out var operation)
            || !operation.TryGetProperty("requestBody", out var body)
            || !body.GetProperty("content").TryGetProperty("application/json", out var json))
        {
            return template;
        }

        var schema = Resolve(openApi, json.GetProperty("schema"));
        if (!schema.TryGetProperty("properties", out var properties))
        {
            return template;
        }

        foreach (var property in properties.EnumerateObject())
        {
            var types = TypesOf(Resolve(openApi, property.Value));
            template[property.Name] =
                property.Name == Anchor ? JsonValue.Create(0)
                : types.Contains("integer") || types.Contains("number") ? JsonValue.Create(0)
                : types.Contains("string") ? JsonValue.Create("x")
                : types.Contains("boolean") ? JsonValue.Create(false)
                : types.Contains("array") ? new JsonArray("x")
                : new JsonObject();
        }

        return template;
    }

    private static JsonElement Resolve(JsonElement openApi, JsonElement schema)
    {
        while (schema.TryGetProperty("$ref", out var reference))
        {
            var name = reference.GetString()!.Split('/')[^1];
            schema = openApi.GetProperty("components").GetProperty("schemas").GetProperty(name);
        }

        return schema;
    }

    private static HashSet<string> TypesOf(JsonElement schema)
    {
        var types = new HashSet<string>(StringComparer.Ordinal);
        if (schema.TryGetProperty("type", out var type))
        {
            if (type.ValueKind == JsonValueKind.Array)
            {
                types.UnionWith(type.EnumerateArray().Select(t => t.GetString()!));
            }
            else
            {
                types.Add(type.GetString()!);
            }
        }

        foreach (var combinator in new[] { "oneOf", "anyOf", "allOf" })
        {
            if (schema.TryGetProperty(combinator, out var options))
            {
                foreach (var option in options.EnumerateArray())
                {
                    types.UnionWith(TypesOf(option));
                }
            }
        }

        return types;
    }

    // The addresses to send to: the open item for {id} on item routes, 1 elsewhere, each action for {action}.
    private IEnumerable<string> Paths(string pattern)
    {
        var names = Parameter().Matches(pattern).Select(m => m.Groups["name"].Value).ToList();
        var actions = names.Contains("action") ? Actions : [string.Empty];
        foreach (var action in actions)
        {
            yield return Parameter().Replace(pattern, m => m.Groups["name"].Value switch
            {
                "action" => action,
                "year" => "2025",
                "id" when pattern.StartsWith("/api/items/", StringComparison.Ordinal) => _item.ToString(CultureInfo.InvariantCulture),
                _ => "1",
            });
        }
    }

    [GeneratedRegex(@"\{(?<name>[A-Za-z]+)(:(?<constraint>[a-z]+))?\??\}")]
    private static partial Regex Parameter();

    // The explicit cases: the whole body wrong, then each field of the template wrong in every way.
    private static IEnumerable<(string Name, HttpContent Content)> Cases(JsonObject template)
    {
        var json = template.ToJsonString();
        yield return ("empty body", Json(string.Empty));
        yield return ("whitespace body", Json("  \n "));
        yield return ("no body, no content type", new ByteArrayContent([]));
        foreach (var whole in new[] { "null", "[]", "0", "\"x\"", "true", "{", "}", "{\"a\":", "{\"a\" 1}", "{'a':1}", "{\"a\":1,}", json + json, json[..^1] })
        {
            yield return ($"body {Shorten(whole)}", Json(whole));
        }

        yield return ("10,000 nested arrays", Json(new string('[', 10_000) + new string(']', 10_000)));
        yield return ("10,000 nested objects", Json(string.Concat(Enumerable.Repeat("{\"a\":", 10_000)) + "1" + new string('}', 10_000)));
        // A client that announces its size and waits for 100-continue hears the 413 before sending it; one sending
        // a little over the limit straight away is answered 413 after the limit.
        yield return ("10 MB body", Json("{\"title\":\"" + new string('x', 10 * 1024 * 1024) + "\"}"));
        yield return ("just over 1 MiB", Json("{\"title\":\"" + new string('x', 1024 * 1024) + "\"}"));
        yield return ("invalid UTF-8 bytes", Bytes([.. Encoding.UTF8.GetBytes("{\"title\":\""), 0xC3, 0x28, 0xFF, 0xFE, 0xED, 0xA0, 0x80, .. Encoding.UTF8.GetBytes("\"}")]));
        yield return ("raw control character in a string", Json("{\"title\":\"a\u0001b\"}"));
        yield return ("UTF-16 body declared UTF-8", Bytes(Encoding.Unicode.GetBytes(json)));
        yield return ("text/plain", new StringContent(json, Encoding.UTF8, "text/plain"));
        yield return ("application/xml", new StringContent("<request><title>x</title></request>", Encoding.UTF8, "application/xml"));
        yield return ("form-urlencoded", new FormUrlEncodedContent(new Dictionary<string, string> { ["title"] = "x", ["version"] = "0" }));
        using (var multipart = new MultipartFormDataContent())
        {
            multipart.Add(new StringContent(json), "body");
            yield return ("multipart/form-data", Bytes(multipart.ReadAsByteArrayAsync().GetAwaiter().GetResult(), multipart.Headers.ContentType!.ToString()));
        }

        yield return ("extra field", Json(With(template, "unexpected", JsonValue.Create(1))));
        yield return ("only an unknown field", Json("{\"unexpected\":1}"));
        yield return ("extra field, deeply nested", Json(With(template, "unexpected", JsonNode.Parse(new string('[', 10_000) + new string(']', 10_000), null, new JsonDocumentOptions { MaxDepth = 20_000 })!)));
        foreach (var field in template.Select(p => p.Key).ToList())
        {
            if (field != Anchor)
            {
                yield return ($"{field} missing", Json(Without(template, field)));
                yield return ($"{field} null", Json(Raw(template, field, "null")));
            }

            var kind = template[field]!.GetValueKind();
            foreach (var value in AnyTypes.Where(v => JsonDocument.Parse(v).RootElement.ValueKind != kind && !(kind is JsonValueKind.False && v == "true")))
            {
                yield return ($"{field} = {value}", Json(Raw(template, field, value)));
            }

            foreach (var value in Numbers.Concat(OddStrings))
            {
                yield return ($"{field} = {value}", Json(Raw(template, field, value)));
            }

            yield return ($"{field} nested 10,000 deep", Json(Raw(template, field, new string('[', 10_000) + new string(']', 10_000))));
        }
    }

    // Seeded random bodies: the template with some fields dropped or replaced by random JSON (odd strings, numbers,
    // nesting), random extra fields, or random bytes.
    private static IEnumerable<(string Name, HttpContent Content)> RandomCases(JsonObject template, Random random, int count)
    {
        for (var i = 0; i < count; i++)
        {
            if (random.Next(10) == 0)
            {
                var bytes = new byte[random.Next(0, 300)];
                random.NextBytes(bytes);
                yield return ($"random bytes #{i}", Bytes(bytes));
                continue;
            }

            var fields = template.Select(p => (p.Key, Value: p.Value!.ToJsonString())).ToList();
            // One text field keeps its "x", so a random body is never a plain valid request by luck (an empty
            // circulation request is one: this month so far).
            var poisoned = fields.Index().Where(f => f.Item.Value == "\"x\"").Select(f => f.Index).ToList();
            var keep = poisoned.Count > 0 ? poisoned[random.Next(poisoned.Count)] : -1;
            var parts = new List<string>();
            foreach (var (index, (key, value)) in fields.Index())
            {
                var roll = index == keep ? 2 : random.Next(4);
                if (roll == 0 && key != Anchor)
                {
                    continue;
                }

                var replaced = roll == 1 ? key == Anchor ? RandomString(random) : RandomValue(random, 0) : value;
                parts.Add($"{Quote(key)}:{replaced}");
            }

            if (random.Next(3) == 0)
            {
                parts.Insert(random.Next(parts.Count + 1), $"{RandomString(random)}:{RandomValue(random, 0)}");
            }

            yield return ($"random #{i}", Json("{" + string.Join(",", parts) + "}"));
        }
    }

    private static string RandomValue(Random random, int depth) => random.Next(depth > 3 ? 5 : 7) switch
    {
        0 => "null",
        1 => random.Next(2) == 0 ? "true" : "false",
        2 => Numbers[random.Next(Numbers.Length)],
        3 => random.NextInt64(long.MinValue, long.MaxValue).ToString(CultureInfo.InvariantCulture),
        4 => RandomString(random),
        5 => "[" + string.Join(",", Enumerable.Range(0, random.Next(4)).Select(_ => RandomValue(random, depth + 1))) + "]",
        _ => "{" + string.Join(",", Enumerable.Range(0, random.Next(4)).Select(_ => $"{RandomString(random)}:{RandomValue(random, depth + 1)}")) + "}",
    };

    // A JSON string of random UTF-16 code units: controls, quotes, backslashes, SQL and HTML metacharacters, CJK,
    // and surrogates that may or may not pair.
    private static string RandomString(Random random)
    {
        const string Pool = "'\";-/*\\%_<>&=() xX0甲局";
        var text = new StringBuilder();
        for (var n = random.Next(0, 12); n > 0; n--)
        {
            text.Append(random.Next(5) switch
            {
                0 => (char)random.Next(0, 0x20),
                1 => (char)random.Next(0xD800, 0xE000),
                2 => (char)random.Next(0x20, 0xD800),
                _ => Pool[random.Next(Pool.Length)],
            });
        }

        return Quote(text.ToString());
    }

    // A JSON string literal that escapes everything outside printable ASCII, so lone surrogates survive as \uXXXX.
    private static string Quote(string text)
    {
        var quoted = new StringBuilder("\"");
        foreach (var c in text)
        {
            quoted.Append(c is '"' or '\\' ? "\\" + c : c is >= ' ' and <= '~' ? c.ToString() : $"\\u{(int)c:x4}");
        }

        return quoted.Append('"').ToString();
    }

    private static string With(JsonObject template, string field, JsonNode value)
    {
        var copy = template.DeepClone().AsObject();
        copy[field] = value;
        return copy.ToJsonString(new JsonSerializerOptions { MaxDepth = 20_000 });
    }

    private static string Without(JsonObject template, string field)
    {
        var copy = template.DeepClone().AsObject();
        copy.Remove(field);
        return copy.ToJsonString();
    }

    // The template with one field's value replaced by raw JSON text (which need not be valid Unicode).
    private static string Raw(JsonObject template, string field, string value) =>
        "{" + string.Join(",", template.Select(p => $"{Quote(p.Key)}:{(p.Key == field ? value : p.Value!.ToJsonString())}")) + "}";

    private static StringContent Json(string text) => new(text, new UTF8Encoding(false), "application/json");

    private static ByteArrayContent Bytes(byte[] bytes, string type = "application/json")
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
        return content;
    }

    private static string Shorten(string text) => text.Length <= 24 ? text : text[..24] + "…";

    // The problem's status and title when the answer is RFC 7807 problem details agreeing with the status line.
    private static async Task<string?> ProblemOrNullAsync(HttpResponseMessage response)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return null;
        }

        try
        {
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return problem.RootElement.TryGetProperty("status", out var status) && status.GetInt32() == (int)response.StatusCode
                ? $"{problem.RootElement.GetProperty("title").GetString()}: {(problem.RootElement.TryGetProperty("detail", out var detail) ? detail.GetString() : null)}"
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A seed from the path that is the same in every run (string.GetHashCode differs per process), so that
    /// a failing random case comes back when the test is run again.</summary>
    private static int StableSeed(string path)
    {
        var hash = 2166136261u;
        foreach (var c in path)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash & 0x7fff_ffff);
    }
}

public sealed class SqliteApiFuzzTests(ITestOutputHelper output) : ApiFuzzTests(DatabaseProvider.Sqlite, output);

[Trait("Provider", "PostgreSql")]
public sealed class PostgresApiFuzzTests(ITestOutputHelper output) : ApiFuzzTests(DatabaseProvider.PostgreSql, output);
