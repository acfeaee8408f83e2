using System.Data.Common;
using System.Text.Json;
using Dapper;
using Supervision.Engine.Items;
using Supervision.Engine.Organisation;
using Supervision.Host.Items;
using Supervision.Host.People;
using Supervision.Host.Storage;
using Supervision.Host.Tests.Infrastructure;

namespace Supervision.Host.Tests.Storage;

/// <summary>The storage layer's promises, checked on each real provider: every test gets a database of its own.</summary>
public abstract class StorageTests(DatabaseProvider provider) : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2025, 9, 26, 1, 30, 0, TimeSpan.Zero);

    private TestDatabase _testDatabase = null!;

    protected ManualClock Clock { get; } = new(Start);

    protected Database Database { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _testDatabase = await TestDatabase.CreateAsync(provider);
        Database = new Database(_testDatabase.Settings);
    }

    public async Task DisposeAsync()
    {
        await Database.DisposeAsync();
        await _testDatabase.DisposeAsync();
    }

    [Fact]
    public async Task Migrate_applies_every_migration_once_and_a_second_run_changes_nothing()
    {
        var migrator = new Migrator(Database, Clock);
        Assert.False((await migrator.GetStatusAsync(default)).IsCurrent);

        var first = await migrator.MigrateAsync(default);
        Clock.Advance(TimeSpan.FromHours(1));
        var second = await migrator.MigrateAsync(default);

        Assert.Equal(Migrator.For(provider).Select(m => m.Version), first.Select(m => m.Version));
        Assert.Empty(second);
        var status = await migrator.GetStatusAsync(default);
        Assert.True(status.IsCurrent);
        Assert.All(status.Applied, a => Assert.Equal(Start, a.AppliedAt));
        Assert.Equal(Migrator.For(provider).Count, await ScalarAsync<long>("SELECT count(*) FROM schema_version"));
    }

    [Fact]
    public async Task Migrators_starting_together_apply_each_migration_exactly_once()
    {
        // Separate Database objects behave like separate processes: separate pools, separate connections.
        var instances = Enumerable.Range(0, 4).Select(_ => new Database(_testDatabase.Settings)).ToList();
        try
        {
            using var go = new ManualResetEventSlim();
            var runs = instances.Select(db => Task.Run(async () =>
            {
                go.Wait();
                return await new Migrator(db, Clock).MigrateAsync(default);
            })).ToList();
            go.Set();
            var results = await Task.WhenAll(runs);

            var applied = results.SelectMany(r => r).Select(m => m.Version).OrderBy(v => v).ToList();
            Assert.Equal(Migrator.For(provider).Select(m => m.Version), applied);
            Assert.Equal(Migrator.For(provider).Count, await ScalarAsync<long>("SELECT count(*) FROM schema_version"));
        }
        finally
        {
            foreach (var db in instances)
            {
                await db.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task An_applied_migration_that_was_edited_is_refused()
    {
        var migrator = new Migrator(Database, Clock);
        await migrator.MigrateAsync(default);
        await ExecuteAsync("UPDATE schema_version SET checksum = 'feedfacefeedfacefeedface' WHERE version = 1");

        var error = await Assert.ThrowsAsync<MigrationException>(() => migrator.MigrateAsync(default));

        Assert.Contains("0001_initial.sql was changed after it was applied", error.Message, StringComparison.Ordinal);
        Assert.False((await migrator.GetStatusAsync(default)).IsCurrent);
    }

    [Fact]
    public async Task A_database_newer_than_the_program_is_refused()
    {
        var migrator = new Migrator(Database, Clock);
        await migrator.MigrateAsync(default);
        await ExecuteAsync("INSERT INTO schema_version (version, name, checksum, applied_at) VALUES (9999, 'future', 'x', @at)", new { at = Start });

        var error = await Assert.ThrowsAsync<MigrationException>(() => migrator.MigrateAsync(default));

        Assert.Contains("9999_future", error.Message, StringComparison.Ordinal);
        Assert.Contains("newer than the program", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Department_round_trips_with_parent_and_aliases()
    {
        await MigrateAsync();
        var store = new DepartmentStore(Database, Clock);
        var office = await store.AddAsync(new Department { Name = "市政府办公室" }, default);
        var bureau = await store.AddAsync(new Department { Name = " 市政务服务数据管理局 ", Aliases = ["市政数局", "政数局", "市政数局"], ParentId = office.Id }, default);

        var byAlias = await store.FindByNameAsync("政数局", default);
        var byId = await store.GetAsync(bureau.Id, default);
        var all = await store.ListAsync(default);

        Assert.NotNull(byAlias);
        Assert.Equal(bureau.Id, byAlias.Id);
        Assert.Equal("市政务服务数据管理局", byAlias.Name);
        Assert.Equal(office.Id, byAlias.ParentId);
        Assert.Equal(["市政数局", "政数局"], byAlias.Aliases.Order(StringComparer.Ordinal));
        Assert.Equal(byAlias.Aliases.Order(StringComparer.Ordinal), byId!.Aliases.Order(StringComparer.Ordinal));
        Assert.Equal(2, all.Count);
        Assert.Null(await store.FindByNameAsync("不存在的局", default));
    }

    [Fact]
    public async Task A_name_or_alias_names_one_department_and_a_refused_add_writes_nothing()
    {
        await MigrateAsync();
        var store = new DepartmentStore(Database, Clock);
        await store.AddAsync(new Department { Name = "市司法局", Aliases = ["司法局"] }, default);

        var clash = await Assert.ThrowsAsync<DuplicateNameException>(() =>
            store.AddAsync(new Department { Name = "区司法局", Aliases = ["司法局"] }, default));

        Assert.Contains("司法局", clash.Message, StringComparison.Ordinal);
        Assert.Single(await store.ListAsync(default));
        Assert.Equal(2, await ScalarAsync<long>("SELECT count(*) FROM department_names"));
    }

    [Fact]
    public async Task User_round_trips_and_logins_are_unique_regardless_of_case()
    {
        await MigrateAsync();
        var department = await new DepartmentStore(Database, Clock).AddAsync(new Department { Name = "市教育局" }, default);
        var users = new UserStore(Database, Clock);
        var added = await users.AddAsync(new User { Login = "zhang.wei", DisplayName = "张伟", DepartmentId = department.Id, Role = "handler" }, default);

        var found = await users.FindByLoginAsync("Zhang.Wei", default);
        var clash = await Assert.ThrowsAsync<DuplicateNameException>(() =>
            users.AddAsync(new User { Login = "ZHANG.WEI", DisplayName = "另一个张伟", DepartmentId = department.Id, Role = "lead" }, default));

        Assert.Equal(added, found);
        Assert.True(found!.Active);
        Assert.Contains("ZHANG.WEI", clash.Message, StringComparison.Ordinal);
        Assert.Single(await users.ListByDepartmentAsync(department.Id, default));
    }

    [Fact]
    public async Task A_user_with_an_unknown_role_is_refused_by_the_schema()
    {
        await MigrateAsync();
        var department = await new DepartmentStore(Database, Clock).AddAsync(new Department { Name = "市教育局" }, default);

        await Assert.ThrowsAnyAsync<DbException>(() => new UserStore(Database, Clock)
            .AddAsync(new User { Login = "x", DisplayName = "x", DepartmentId = department.Id, Role = "emperor" }, default));
    }

    [Fact]
    public async Task Item_round_trips_days_instants_flags_and_payload()
    {
        await MigrateAsync();
        var items = new ItemStore(Database, Clock);
        var department = await new DepartmentStore(Database, Clock).AddAsync(new Department { Name = "市自然资源局" }, default);
        var nextChange = new DateTimeOffset(2025, 10, 29, 16, 0, 0, TimeSpan.Zero).AddTicks(1234560); // microsecond precision
        var item = NewRequest(department.Id) with
        {
            DueOn = new DateOnly(2025, 10, 30),
            NextChangeAt = nextChange,
            Payload = """{"applicant":"李娜","channel":"post","content":"2024年土地征收批复文件"}""",
        };

        var added = await items.AddAsync(item, Registered(), default);
        var loaded = await items.GetAsync(added.Id, default);

        Assert.NotNull(loaded);
        Assert.Equal(1, loaded.Version);
        Assert.Equal(ItemKind.Request, loaded.Kind);
        Assert.Equal(new DateOnly(2025, 9, 26), loaded.ReceivedOn);
        Assert.Equal(new DateOnly(2025, 10, 30), loaded.DueOn);
        Assert.Null(loaded.DueAt);
        Assert.Equal(nextChange, loaded.NextChangeAt);
        Assert.Equal(TimeSpan.Zero, loaded.NextChangeAt!.Value.Offset);
        Assert.Equal(Start, loaded.CreatedAt);
        Assert.False(loaded.Paused);
        Assert.Equal(Light.Green, loaded.Light);
        Assert.Null(loaded.ClosedAt);
        using var payload = JsonDocument.Parse(loaded.Payload);
        Assert.Equal("李娜", payload.RootElement.GetProperty("applicant").GetString());
        Assert.Equal("2024年土地征收批复文件", payload.RootElement.GetProperty("content").GetString());
    }

    [Fact]
    public async Task Saving_a_change_records_it_in_history_with_the_next_number()
    {
        await MigrateAsync();
        var items = new ItemStore(Database, Clock);
        var department = await new DepartmentStore(Database, Clock).AddAsync(new Department { Name = "市卫健委" }, default);
        var added = await items.AddAsync(NewRequest(department.Id), Registered(), default);
        Clock.Advance(TimeSpan.FromDays(3));

        var paused = await items.SaveAsync(
            added with { Paused = true, NextChangeAt = null },
            new HistoryEntry { At = Clock.GetUtcNow(), Actor = "li.na", Action = "pause", Detail = """{"reason":"third-party-consultation"}""" },
            default);
        var history = await items.HistoryAsync(added.Id, default);
        var reloaded = await items.GetAsync(added.Id, default);

        Assert.Equal(2, paused.Version);
        Assert.Equal(paused.Version, reloaded!.Version);
        Assert.True(reloaded.Paused);
        Assert.Equal(Start.AddDays(3), reloaded.UpdatedAt);
        Assert.Equal([1, 2], history.Select(h => h.Sequence));
        Assert.Equal(["registered", "pause"], history.Select(h => h.Action));
        Assert.Equal(Light.Green, history[0].ToLight);
        Assert.Equal("register", history[0].ToStep);
        Assert.Equal(Start.AddDays(3), history[1].At);
    }

    [Fact]
    public async Task A_change_made_on_a_stale_read_is_refused_and_writes_nothing()
    {
        await MigrateAsync();
        var items = new ItemStore(Database, Clock);
        var department = await new DepartmentStore(Database, Clock).AddAsync(new Department { Name = "市交通运输局" }, default);
        var added = await items.AddAsync(NewRequest(department.Id), Registered(), default);
        var readByA = await items.GetAsync(added.Id, default);
        var readByB = await items.GetAsync(added.Id, default);

        await items.SaveAsync(readByA! with { Step = "review" }, new HistoryEntry { At = Start, Actor = "a", Action = "complete", FromStep = "register", ToStep = "review" }, default);
        var refused = await Assert.ThrowsAsync<ConcurrencyException>(() =>
            items.SaveAsync(readByB! with { Paused = true }, new HistoryEntry { At = Start, Actor = "b", Action = "pause" }, default));

        Assert.Contains("changed by someone else", refused.Message, StringComparison.Ordinal);
        var final = await items.GetAsync(added.Id, default);
        Assert.Equal("review", final!.Step);
        Assert.False(final.Paused);
        Assert.Equal(["registered", "complete"], (await items.HistoryAsync(added.Id, default)).Select(h => h.Action));
    }

    [Fact]
    public async Task Concurrent_history_appends_are_numbered_without_gaps_or_duplicates()
    {
        await MigrateAsync();
        var items = new ItemStore(Database, Clock);
        var department = await new DepartmentStore(Database, Clock).AddAsync(new Department { Name = "市民政局" }, default);
        var added = await items.AddAsync(NewRequest(department.Id), Registered(), default);
        const int writers = 24;

        using var go = new ManualResetEventSlim();
        var appends = Enumerable.Range(0, writers).Select(i => Task.Run(async () =>
        {
            go.Wait();
            return await items.AppendHistoryAsync(added.Id, new HistoryEntry { At = Start, Actor = $"writer-{i}", Action = "report" }, default);
        })).ToList();
        go.Set();
        var sequences = await Task.WhenAll(appends);

        Assert.Equal(Enumerable.Range(2, writers), sequences.Order());
        var history = await items.HistoryAsync(added.Id, default);
        Assert.Equal(Enumerable.Range(1, writers + 1), history.Select(h => h.Sequence));
        Assert.Equal(writers, history.Select(h => h.Actor).Distinct().Count() - 1);
        Assert.Equal(writers + 1, (await items.GetAsync(added.Id, default))!.Version);
    }

    [Fact]
    public async Task History_cannot_be_changed_or_deleted()
    {
        await MigrateAsync();
        var items = new ItemStore(Database, Clock);
        var department = await new DepartmentStore(Database, Clock).AddAsync(new Department { Name = "市审计局" }, default);
        var added = await items.AddAsync(NewRequest(department.Id), Registered(), default);

        var update = await Assert.ThrowsAnyAsync<DbException>(() => ExecuteAsync("UPDATE item_history SET actor = 'forger'"));
        var delete = await Assert.ThrowsAnyAsync<DbException>(() => ExecuteAsync("DELETE FROM item_history"));

        Assert.Contains("append-only", update.Message, StringComparison.Ordinal);
        Assert.Contains("append-only", delete.Message, StringComparison.Ordinal);
        Assert.Equal("clerk", (await items.HistoryAsync(added.Id, default)).Single().Actor);
    }

    [Fact]
    public async Task A_closed_light_without_a_closing_time_is_refused_by_the_schema()
    {
        await MigrateAsync();
        var items = new ItemStore(Database, Clock);
        var department = await new DepartmentStore(Database, Clock).AddAsync(new Department { Name = "市财政局" }, default);

        await Assert.ThrowsAnyAsync<DbException>(() =>
            items.AddAsync(NewRequest(department.Id) with { Light = Light.DoneOnTime }, Registered(), default));
        Assert.Equal(0, await ScalarAsync<long>("SELECT count(*) FROM items"));
    }

    private static SupervisedItem NewRequest(long departmentId) => new()
    {
        Kind = ItemKind.Request,
        Title = "申请公开2024年土地征收批复",
        DepartmentId = departmentId,
        DefinitionId = "disclosure-request",
        DefinitionVersion = 1,
        Step = "register",
        ReceivedOn = new DateOnly(2025, 9, 26),
    };

    private HistoryEntry Registered() => new() { At = Clock.GetUtcNow(), Actor = "clerk", Action = "registered", ToStep = "register", ToLight = Light.Green };

    private async Task MigrateAsync() => await new Migrator(Database, Clock).MigrateAsync(default);

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = await Database.OpenAsync(default);
        return await connection.ExecuteScalarAsync<T>(sql) ?? throw new InvalidOperationException("no value");
    }

    private async Task ExecuteAsync(string sql, object? parameters = null)
    {
        await using var connection = await Database.OpenAsync(default);
        await connection.ExecuteAsync(sql, parameters);
    }
}

public sealed class SqliteStorageTests() : StorageTests(DatabaseProvider.Sqlite);

[Trait("Provider", "PostgreSql")]
public sealed class PostgresStorageTests() : StorageTests(DatabaseProvider.PostgreSql);
