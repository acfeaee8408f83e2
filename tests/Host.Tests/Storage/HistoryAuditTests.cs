using Dapper;
using Supervision.Engine.Items;
using Supervision.Engine.Organisation;
using Supervision.Host.Items;
using Supervision.Host.People;
using Supervision.Host.Storage;
using Supervision.Host.Tests.Infrastructure;

namespace Supervision.Host.Tests.Storage;

/// <summary>
/// The per-item hash chains and digests catch every way of rewriting history, even by someone who can switch off the
/// append-only triggers; on both providers.
/// </summary>
public abstract class HistoryAuditTests(DatabaseProvider provider) : IAsyncLifetime
{
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 3, 2, 1, 2, 3, TimeSpan.Zero).AddTicks(1234567));
    private TestDatabase _testDatabase = null!;
    private long[] _items = [];

    private Database Db { get; set; } = null!;

    public async Task InitializeAsync()
    {
        _testDatabase = await TestDatabase.CreateAsync(provider);
        Db = new Database(_testDatabase.Settings);
        await new Migrator(Db, _clock).MigrateAsync(default);
        var department = await new DepartmentStore(Db, _clock).AddAsync(new Department { Name = "市档案馆" }, default);
        var store = new ItemStore(Db, _clock);
        var ids = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            var item = await store.AddAsync(
                new SupervisedItem { Kind = ItemKind.Request, Title = $"申请{i}", DepartmentId = department.Id, DefinitionId = "disclosure-request", DefinitionVersion = 1, Step = "register", ReceivedOn = new DateOnly(2026, 3, 2) },
                new HistoryEntry { At = _clock.GetUtcNow(), Actor = "clerk", Action = "registered", ToLight = Light.Green, Detail = """{"b": 2, "a": "甲", "n": 1.5}""" },
                default);
            for (var k = 0; k < 3; k++)
            {
                _clock.Advance(TimeSpan.FromMinutes(7));
                await store.AppendHistoryAsync(item.Id, new HistoryEntry { At = _clock.GetUtcNow(), Actor = "handler", Action = "report", Detail = $$"""{"note":"进展{{k}}"}""" }, default);
            }

            ids.Add(item.Id);
        }

        _items = [.. ids];
    }

    public async Task DisposeAsync()
    {
        await Db.DisposeAsync();
        await _testDatabase.DisposeAsync();
    }

    private HistoryAudit Audit() => new(Db, _clock);

    // Someone with database access switches the append-only protection off and rewrites history.
    private async Task TamperAsync(string sql, object? parameters = null)
    {
        await using var connection = await Db.OpenAsync(default);
        if (provider == DatabaseProvider.PostgreSql)
        {
            await connection.ExecuteAsync("ALTER TABLE item_history DISABLE TRIGGER USER");
            await connection.ExecuteAsync(sql, parameters);
            await connection.ExecuteAsync("ALTER TABLE item_history ENABLE TRIGGER USER");
        }
        else
        {
            await connection.ExecuteAsync("DROP TRIGGER item_history_no_update; DROP TRIGGER item_history_no_delete;");
            await connection.ExecuteAsync(sql, parameters);
        }
    }

    [Fact]
    public async Task An_untouched_history_verifies_with_and_without_a_digest()
    {
        var before = await Audit().VerifyAsync(default);
        var (items, entries, _) = await Audit().TakeDigestAsync(default);
        var after = await Audit().VerifyAsync(default);

        Assert.True(before.Intact, string.Join("; ", before.Problems));
        Assert.Equal((3, 12L), (items, entries));
        Assert.True(after.Intact, string.Join("; ", after.Problems));
        Assert.NotNull(after.DigestTakenAt);
    }

    [Fact]
    public async Task An_edited_entry_is_named()
    {
        await TamperAsync($"UPDATE item_history SET actor = 'someone-else' WHERE item_id = @id AND seq = 3", new { id = _items[1] });

        var result = await Audit().VerifyAsync(default);

        Assert.Equal($"item {_items[1]} entry 3: its content does not match its hash (edited)", Assert.Single(result.Problems));
    }

    [Fact]
    public async Task An_edited_detail_is_named()
    {
        await TamperAsync($"UPDATE item_history SET detail = {Db.Dialect.Json("@d")} WHERE item_id = @id AND seq = 2", new { id = _items[0], d = """{"note":"改过的进展"}""" });

        var result = await Audit().VerifyAsync(default);

        Assert.Equal($"item {_items[0]} entry 2: its content does not match its hash (edited)", Assert.Single(result.Problems));
    }

    [Fact]
    public async Task A_deleted_entry_is_named()
    {
        await TamperAsync("DELETE FROM item_history WHERE item_id = @id AND seq = 2", new { id = _items[2] });

        var result = await Audit().VerifyAsync(default);

        Assert.Equal($"item {_items[2]} entry 2: missing (the chain jumps to entry 3; deleted)", Assert.Single(result.Problems));
    }

    [Fact]
    public async Task A_deleted_last_entry_is_named()
    {
        await TamperAsync("DELETE FROM item_history WHERE item_id = @id AND seq = 4", new { id = _items[0] });

        var result = await Audit().VerifyAsync(default);

        Assert.Equal($"item {_items[0]} entry 4: missing (the item is at version 4; the end of its history was deleted)", Assert.Single(result.Problems));
    }

    [Fact]
    public async Task Reordered_entries_are_named()
    {
        await TamperAsync(
            """
            UPDATE item_history SET seq = 1000 WHERE item_id = @id AND seq = 2;
            UPDATE item_history SET seq = 2 WHERE item_id = @id AND seq = 3;
            UPDATE item_history SET seq = 3 WHERE item_id = @id AND seq = 1000;
            """,
            new { id = _items[1] });

        var result = await Audit().VerifyAsync(default);

        Assert.Equal($"item {_items[1]} entry 2: does not follow entry 1 (reordered, or an earlier entry was replaced)", Assert.Single(result.Problems));
    }

    [Fact]
    public async Task A_whole_deleted_item_is_caught_by_the_digest()
    {
        await Audit().TakeDigestAsync(default);
        await TamperAsync("DELETE FROM item_history WHERE item_id = @id", new { id = _items[2] });
        await using (var connection = await Db.OpenAsync(default))
        {
            await connection.ExecuteAsync("DELETE FROM items WHERE id = @id", new { id = _items[2] });
        }

        var result = await Audit().VerifyAsync(default);

        Assert.Contains(result.Problems, p => p.StartsWith($"item {_items[2]}: deleted (it was in the digest of", StringComparison.Ordinal));
    }

    [Fact]
    public async Task History_verify_exits_1_naming_the_first_broken_entry()
    {
        await TamperAsync("UPDATE item_history SET action = 'forged' WHERE item_id = @id AND seq = 1", new { id = _items[0] });
        using var _ = new EnvironmentVariable(DatabaseSettings.EnvironmentVariable, _testDatabase.Settings.ConnectionString);

        var (code, output, error) = await CliRunner.RunAsync("history", "verify");

        Assert.Equal(1, code);
        Assert.Contains($"item {_items[0]} entry 1: its content does not match its hash (edited)", error, StringComparison.Ordinal);
        Assert.Contains("History BROKEN", output, StringComparison.Ordinal);
    }
}

[Collection(ProcessEnvironment.Name)]
public sealed class SqliteHistoryAuditTests() : HistoryAuditTests(DatabaseProvider.Sqlite);

[Collection(ProcessEnvironment.Name)]
[Trait("Provider", "PostgreSql")]
public sealed class PostgresHistoryAuditTests() : HistoryAuditTests(DatabaseProvider.PostgreSql);
