using Supervision.Engine.Organisation;
using Supervision.Host.People;
using Supervision.Host.Storage;

namespace Supervision.Host.Tests.Infrastructure;

/// <summary>The least a server process needs to take writes: a migrated database with the city office, 市司法局 under
/// it and its handler zhang, who gets an API token.</summary>
public static class SmallOffice
{
    /// <summary>Migrates and seeds the database; returns zhang's API token.</summary>
    public static async Task<string> SeedAsync(Database database, string purpose)
    {
        var clock = TimeProvider.System;
        await new Migrator(database, clock).MigrateAsync(default);
        var departments = new DepartmentStore(database, clock);
        var users = new UserStore(database, clock);
        var office = await departments.AddAsync(new Department { Name = "市政府办公室" }, default);
        var bureau = await departments.AddAsync(new Department { Name = "市司法局", ParentId = office.Id }, default);
        await users.AddAsync(new User { Login = "zhang", DisplayName = "张经办", DepartmentId = bureau.Id, Role = "handler" }, default);
        return (await new Credentials(new TokenStore(database), users, clock).CreateTokenAsync("zhang", purpose, default)).Token;
    }

    /// <summary>A disclosure request to 市司法局 with its own title, as <c>POST /api/requests</c> takes it.</summary>
    public static object Request(string title, string content = "内容") => new
    {
        title,
        department = "市司法局",
        channel = "online",
        receivedOn = "2026-11-20",
        applicant = "王某",
        content,
    };
}
