using System.Net;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Supervision.Host.Storage;
using Supervision.Host.Tests.Infrastructure;

namespace Supervision.Host.Tests.Health;

/// <summary>The real server on a real socket: it migrates at start and reports its health over HTTP.</summary>
public abstract class HealthEndpointTests(DatabaseProvider provider) : IAsyncLifetime
{
    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync(provider);

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task Server_migrates_at_start_and_reports_healthy_with_the_details_for_administrators_only()
    {
        await using var server = new ServerFactory(_database.Settings.ConnectionString, migrateOnStart: true);
        server.UseKestrel(0);
        server.StartServer();
        using var client = server.CreateClient();
        using var admin = server.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await AdminTokenAsync());

        using var response = await client.GetAsync(new Uri("/health", UriKind.Relative));
        using var anonymous = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        using var detailed = await admin.GetAsync(new Uri("/health", UriKind.Relative));
        using var body = JsonDocument.Parse(await detailed.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("http://127.0.0.1:", client.BaseAddress!.ToString(), StringComparison.Ordinal);
        // Anyone learns healthy or not; not which database, schema or time zone.
        Assert.Equal("{\"status\":\"Healthy\"}", anonymous.RootElement.GetRawText());
        Assert.Equal(HttpStatusCode.OK, detailed.StatusCode);
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
        var data = body.RootElement.GetProperty("checks").GetProperty("database").GetProperty("data");
        Assert.Equal(provider == DatabaseProvider.Sqlite ? "sqlite" : "postgresql", data.GetProperty("provider").GetString());
        Assert.Equal(Migrator.For(provider)[^1].Version, data.GetProperty("schemaVersion").GetInt32());
        Assert.Equal("Asia/Shanghai", data.GetProperty("timeZone").GetString());
    }

    [Fact]
    public async Task Server_without_migrations_reports_unhealthy_without_saying_more_to_anyone()
    {
        await using var server = new ServerFactory(_database.Settings.ConnectionString, migrateOnStart: false);
        server.UseKestrel(0);
        server.StartServer();
        using var client = server.CreateClient();

        using var response = await client.GetAsync(new Uri("/health", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("{\"status\":\"Unhealthy\"}", text);
    }

    [Fact]
    public async Task Server_reports_unhealthy_when_the_schema_was_tampered_with_and_tells_an_administrator_why()
    {
        await using var server = new ServerFactory(_database.Settings.ConnectionString, migrateOnStart: true);
        server.UseKestrel(0);
        server.StartServer();
        var token = await AdminTokenAsync();
        await using (var db = new Database(_database.Settings))
        await using (var connection = await db.OpenAsync(default))
        {
            await connection.ExecuteAsync("UPDATE schema_version SET checksum = 'tampered' WHERE version = 1");
        }

        using var client = server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var response = await client.GetAsync(new Uri("/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(text.Contains("changed after it was applied", StringComparison.Ordinal), text);
    }

    // An administrator with an API token, in the migrated database.
    private async Task<string> AdminTokenAsync()
    {
        await using var database = new Database(_database.Settings);
        var clock = TimeProvider.System;
        var office = await new Supervision.Host.People.DepartmentStore(database, clock).AddAsync(new Supervision.Engine.Organisation.Department { Name = "市政府办公室" }, default);
        var users = new Supervision.Host.People.UserStore(database, clock);
        await users.AddAsync(new Supervision.Engine.Organisation.User { Login = "admin", DisplayName = "管理员", DepartmentId = office.Id, Role = "admin" }, default);
        return (await new Supervision.Host.People.Credentials(new Supervision.Host.People.TokenStore(database), users, clock).CreateTokenAsync("admin", "health", default)).Token;
    }

    private sealed class ServerFactory(string connectionString, bool migrateOnStart) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("urls", "http://127.0.0.1:0");
            builder.UseSetting(DatabaseSettings.ConfigurationKey, connectionString);
            builder.UseSetting("Supervision:MigrateOnStart", migrateOnStart ? "true" : "false");
        }
    }
}

public sealed class SqliteHealthEndpointTests() : HealthEndpointTests(DatabaseProvider.Sqlite);

[Trait("Provider", "PostgreSql")]
public sealed class PostgresHealthEndpointTests() : HealthEndpointTests(DatabaseProvider.PostgreSql);

/// <summary>The <c>health</c> subcommand that container health checks run against a live server.</summary>
public sealed class HealthCommandTests
{
    [Fact]
    public async Task Health_command_exits_0_for_a_healthy_server_and_1_when_nothing_answers()
    {
        await using var database = new SqliteTestDatabase();
        await using var server = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("urls", "http://127.0.0.1:0");
            b.UseSetting(DatabaseSettings.ConfigurationKey, database.Settings.ConnectionString);
        });
        server.UseKestrel(0);
        server.StartServer();
        using var client = server.CreateClient();
        var url = new Uri(client.BaseAddress!, "/health").ToString();

        using var output = new StringWriter();
        using var error = new StringWriter();
        var healthy = await Supervision.Host.Cli.Cli.RunAsync(["health", "--url", url], output, error);
        var unreachable = await Supervision.Host.Cli.Cli.RunAsync(["health", "--url", "http://127.0.0.1:1/health"], output, error);
        var malformed = await Supervision.Host.Cli.Cli.RunAsync(["health", "--url", "not a url"], output, error);

        Assert.Equal(0, healthy);
        Assert.Contains("200 {\"status\":\"Healthy\"", output.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, unreachable);
        Assert.NotEqual(0, malformed);
        Assert.Contains("--url must be an absolute http or https address", error.ToString(), StringComparison.Ordinal);
    }
}

/// <summary>The server seals the history chains on its own, as a recurring job on its cron.</summary>
public sealed class HistoryDigestJobTests
{
    [Fact]
    public async Task The_running_server_takes_digests_on_the_cron()
    {
        await using var database = new SqliteTestDatabase();
        await using var server = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("urls", "http://127.0.0.1:0");
            b.UseSetting(DatabaseSettings.ConfigurationKey, database.Settings.ConnectionString);
            // Every second (six fields, seconds first), so two runs come soon.
            b.UseSetting(Supervision.Host.Scheduling.Scheduler.HistoryDigestCronKey, "* * * * * *");
        });
        server.UseKestrel(0);
        server.StartServer();

        long digests = 0;
        for (var i = 0; i < 1200 && digests < 2; i++)
        {
            await Task.Delay(100);
            await using var db = new Database(database.Settings);
            await using var connection = await db.OpenAsync(default);
            digests = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM history_digests");
        }

        Assert.True(digests >= 2, $"{digests} digests taken");
    }
}
