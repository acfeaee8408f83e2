using System.Net.Http.Headers;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Supervision.Engine.Organisation;
using Supervision.Host.People;
using Supervision.Host.Storage;
using Supervision.Host.Tests.Infrastructure;

namespace Supervision.Host.Tests.Api;

/// <summary>
/// The real server on a loopback socket with a database of its own and a city set up: the government office above
/// three bureaus, a handler in two of them, a lead, a supervisor and an admin, each with an API token.
/// </summary>
public sealed class ApiServer : IAsyncDisposable
{
    private readonly TestDatabase _database;
    private readonly WebApplicationFactory<Program> _factory;
    private readonly Dictionary<string, string> _tokens = [];

    private ApiServer(TestDatabase database, WebApplicationFactory<Program> factory, ManualClock clock)
    {
        _database = database;
        _factory = factory;
        Clock = clock;
    }

    public ManualClock Clock { get; }

    public IServiceProvider Services => _factory.Services;

    public DatabaseSettings DatabaseSettings => _database.Settings;

    public static async Task<ApiServer> StartAsync(DatabaseProvider provider, DateTimeOffset now, IReadOnlyDictionary<string, string>? settings = null)
    {
        var database = await TestDatabase.CreateAsync(provider);
        var clock = new ManualClock(now);
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("urls", "http://127.0.0.1:0");
            b.UseSetting(DatabaseSettings.ConfigurationKey, database.Settings.ConnectionString);
            b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(clock));
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                b.UseSetting(key, value);
            }
        });
        factory.UseKestrel(0);
        factory.StartServer();
        var server = new ApiServer(database, factory, clock);
        await server.SeedAsync();
        return server;
    }

    private async Task SeedAsync()
    {
        var departments = Services.GetRequiredService<DepartmentStore>();
        var office = await departments.AddAsync(new Department { Name = "市政府办公室", Aliases = ["市府办"] }, default);
        var justice = await departments.AddAsync(new Department { Name = "市司法局", ParentId = office.Id }, default);
        var education = await departments.AddAsync(new Department { Name = "市教育局", ParentId = office.Id }, default);
        await departments.AddAsync(new Department { Name = "市自然资源局", ParentId = office.Id }, default);
        var users = Services.GetRequiredService<UserStore>();
        var credentials = Services.GetRequiredService<Credentials>();
        foreach (var (login, department, role) in new[] { ("zhang", justice.Id, "handler"), ("li", education.Id, "handler"), ("wang", justice.Id, "lead"), ("zhao", office.Id, "supervisor"), ("admin", office.Id, "admin") })
        {
            await users.AddAsync(new User { Login = login, DisplayName = login, DepartmentId = department, Role = role }, default);
            _tokens[login] = (await credentials.CreateTokenAsync(login, "tests", default)).Token;
        }

        await credentials.SetPasswordAsync("zhang", "correct horse battery", default);
    }

    /// <summary>Adds a person (and their department, a new top-level office when it does not exist) with a token.</summary>
    public async Task AddPersonAsync(string login, string department, string role)
    {
        var departments = Services.GetRequiredService<DepartmentStore>();
        var id = (await departments.FindByNameAsync(department, default))?.Id ?? (await departments.AddAsync(new Department { Name = department }, default)).Id;
        await Services.GetRequiredService<UserStore>().AddAsync(new User { Login = login, DisplayName = login, DepartmentId = id, Role = role }, default);
        _tokens[login] = (await Services.GetRequiredService<Credentials>().CreateTokenAsync(login, "tests", default)).Token;
    }

    /// <summary>A client acting as a user through their API token (no user: anonymous).</summary>
    public HttpClient Client(string? login = null, bool followRedirects = true, bool handleCookies = true)
    {
        using var probe = _factory.CreateClient();
        // On a real socket the factory's options do not reach the handler: a client of its own where they matter.
        var client = followRedirects && handleCookies
            ? _factory.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true, BaseAddress = probe.BaseAddress! })
            : new HttpClient(new HttpClientHandler { AllowAutoRedirect = followRedirects, UseCookies = handleCookies }) { BaseAddress = probe.BaseAddress! };
        if (login is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _tokens[login]);
        }

        return client;
    }

    /// <summary>Reads a background job (<c>GET /api/jobs/{id}</c>) until it has succeeded or failed for good; how long
    /// it takes is not asserted (four minutes' patience).</summary>
    public static async Task<System.Text.Json.JsonElement> FinishedJobAsync(HttpClient client, string href)
    {
        ArgumentNullException.ThrowIfNull(client);
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(4);
        while (true)
        {
            using var response = await client.GetAsync(new Uri(href, UriKind.Relative));
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, body);
            using var job = System.Text.Json.JsonDocument.Parse(body);
            var status = job.RootElement.GetProperty("status").GetString();
            if (status is "succeeded" or "failed" || DateTime.UtcNow > until)
            {
                return job.RootElement.Clone();
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _database.DisposeAsync();
    }
}
