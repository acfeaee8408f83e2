using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Supervision.Host.Storage;

namespace Supervision.Host.Tests.Api;

/// <summary>
/// The authorization matrix over every route the server maps, read from its own endpoint table (a route added later
/// is checked without anyone listing it): nothing answers without credentials but the few meant to; nothing guarded
/// by a role answers a handler.
/// </summary>
public sealed partial class AuthorizationMatrixTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    // The routes meant for anyone: health checks, signing in, the API description.
    private static readonly string[] Anonymous = ["GET /health", "POST /api/session/", "GET /openapi/{documentName}.json"];

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
            var roles = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>()
                .Select(a => a.Policy)
                .Where(p => p is "admin" or "supervisor")
                .Select(p => p!)
                .ToHashSet(StringComparer.Ordinal);
            foreach (var method in endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
            {
                yield return new Route(method, pattern, anonymous, roles);
            }
        }
    }

    // A request for the route with sample values in its parameters and an empty JSON body where one may go.
    private static HttpRequestMessage Request(Route route)
    {
        var path = Parameter().Replace(route.Pattern, m => m.Groups["name"].Value switch
        {
            "year" => "2025",
            "action" => "complete",
            "documentName" => "v1",
            var name when m.Groups["constraint"].Value is "long" or "int" || name.EndsWith("id", StringComparison.OrdinalIgnoreCase) => "1",
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
