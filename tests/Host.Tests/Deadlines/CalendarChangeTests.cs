using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Supervision.Engine.Calendars;
using Supervision.Engine.Clocks;
using Supervision.Engine.Deadlines;
using Supervision.Engine.Items;
using Supervision.Engine.Organisation;
using Supervision.Host.Calendars;
using Supervision.Host.Items;
using Supervision.Host.People;
using Supervision.Host.Platform;
using Supervision.Host.Storage;
using Supervision.Host.Tests.Infrastructure;

namespace Supervision.Host.Tests.Deadlines;

/// <summary>
/// Items' clocks in storage, and what a change of a calendar year does to them: new holidays must reach stored
/// deadlines (a known failure of other FOI systems), on both providers.
/// </summary>
public abstract class CalendarChangeTests(DatabaseProvider provider) : IAsyncLifetime
{
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);
    private TestDatabase _testDatabase = null!;
    private Database Db { get; set; } = null!;
    private long _department;

    // 2026-12-01 10:00 in Shanghai: requests received now are due in 2027, whose notice is not loaded.
    protected ManualClock Clock { get; } = new(new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.FromHours(8)));

    public async Task InitializeAsync()
    {
        _testDatabase = await TestDatabase.CreateAsync(provider);
        Db = new Database(_testDatabase.Settings);
        await new Migrator(Db, Clock).MigrateAsync(default);
        _department = (await new DepartmentStore(Db, Clock).AddAsync(new Department { Name = "市政府办公室" }, default)).Id;
    }

    public async Task DisposeAsync()
    {
        await Db.DisposeAsync();
        await _testDatabase.DisposeAsync();
    }

    private (ItemStore Items, ClockStore Clocks, CalendarService Calendars, ItemClocks ItemClocks, DeadlineRecomputer Recomputer) Services()
    {
        var zone = OfficeTimeZone.Resolve(null);
        var items = new ItemStore(Db, Clock);
        var clocks = new ClockStore(Db);
        var recomputer = new DeadlineRecomputer(Db, items, clocks, zone, Clock, NullLogger<DeadlineRecomputer>.Instance);
        var calendars = new CalendarService(Db, new CalendarStore(Db), Clock, new ShippedCalendar(null), recomputer, NullLogger<CalendarService>.Instance);
        return (items, clocks, calendars, new ItemClocks(Db, items, clocks, calendars, zone, Clock), recomputer);
    }

    private async Task<SupervisedItem> RegisterAsync(ItemClocks itemClocks, DateOnly received, string title = "申请公开")
    {
        var item = new SupervisedItem
        {
            Kind = ItemKind.Request,
            Title = title,
            DepartmentId = _department,
            DefinitionId = "disclosure-request",
            DefinitionVersion = 1,
            Step = "handle",
            ReceivedOn = received,
        };
        return await itemClocks.RegisterAsync(item, new ClockEvent.Started(Clock.GetUtcNow(), received, new TimeLimit.WorkingDays(20)), ClockPolicy.Disclosure, "clerk", default);
    }

    // Unlike the law's provisional 2027 (元旦 Friday 01-01 alone), this notice bridges Thursday 2026-12-31 to New Year.
    private static CalendarYear Year2027() => new(2027,
        [
            new HolidayPeriod("元旦", "New Year's Day", new DateOnly(2026, 12, 31), new DateOnly(2027, 1, 3)),
            new HolidayPeriod("春节", "Spring Festival", new DateOnly(2027, 2, 5), new DateOnly(2027, 2, 11)),
        ],
        [new MakeUpDay(new DateOnly(2027, 2, 20), "春节")],
        "test notice for 2027");

    [Fact]
    public async Task Registering_stores_the_due_day_light_and_next_change_with_the_clock()
    {
        var (items, clocks, calendars, itemClocks, _) = Services();
        await calendars.LoadAsync(default);

        var item = await RegisterAsync(itemClocks, new DateOnly(2025, 9, 26));
        var stored = await items.GetAsync(item.Id, default);
        var (events, policy) = await clocks.LoadAsync(item.Id, default);

        Assert.Equal(new DateOnly(2025, 10, 30), stored!.DueOn);
        Assert.Equal(Light.Red, stored.Light);
        Assert.True(stored.SeriouslyOverdue);
        Assert.Null(stored.NextChangeAt);
        Assert.Equal(1, stored.CalendarVersion);
        Assert.IsType<ClockEvent.Started>(Assert.Single(events));
        Assert.Equal(ClockPolicy.Disclosure, policy);
    }

    [Fact]
    public async Task Clock_events_update_the_stored_deadline_and_are_refused_with_a_reason()
    {
        var (items, _, calendars, itemClocks, _) = Services();
        await calendars.LoadAsync(default);
        var item = await RegisterAsync(itemClocks, new DateOnly(2026, 11, 20));
        Assert.Equal(new DateOnly(2026, 12, 18), item.DueOn);
        Assert.Equal(new DateTimeOffset(2026, 12, 11, 0, 0, 0, Cst), item.NextChangeAt);

        var paused = await itemClocks.ApplyAsync(item.Id, new ClockEvent.Paused(Clock.GetUtcNow(), PauseReason.ThirdPartyConsultation), "handler", item.Version, default);
        Clock.Advance(TimeSpan.FromDays(7));
        var resumed = await itemClocks.ApplyAsync(item.Id, new ClockEvent.Resumed(Clock.GetUtcNow()), "handler", null, default);
        var refused = await Assert.ThrowsAsync<ClockRuleException>(() =>
            itemClocks.ApplyAsync(item.Id, new ClockEvent.Extended(Clock.GetUtcNow(), new TimeLimit.WorkingDays(21), "主任", "太多"), "handler", null, default));
        var stale = await Assert.ThrowsAsync<ConcurrencyException>(() =>
            itemClocks.ApplyAsync(item.Id, new ClockEvent.Paused(Clock.GetUtcNow(), PauseReason.Custom), "handler", item.Version, default));

        Assert.True(paused.Paused);
        Assert.Null(paused.NextChangeAt);
        Assert.False(resumed.Paused);
        Assert.Equal(new DateOnly(2026, 12, 25), resumed.DueOn);
        Assert.Equal("Extension would exceed 20 working days: 0 already used, 21 requested.", refused.Message);
        Assert.Contains("changed by someone else", stale.Message, StringComparison.Ordinal);
        var history = await items.HistoryAsync(item.Id, default);
        Assert.Equal(["registered", "clock-paused", "clock-resumed"], history.Select(h => h.Action));
    }

    [Fact]
    public async Task Adding_2027_moves_the_stored_deadlines_that_reach_into_it_and_only_those()
    {
        var (items, _, calendars, itemClocks, _) = Services();
        await calendars.LoadAsync(default);
        var reaching = await RegisterAsync(itemClocks, new DateOnly(2026, 12, 1), "跨年申请");
        var before = await RegisterAsync(itemClocks, new DateOnly(2026, 11, 2), "年内申请");
        Assert.Equal(new DateOnly(2026, 12, 29), reaching.DueOn);

        // 2027 reckoned from the law (元旦 01-01 off): 20 working days from 2026-12-01 end 2026-12-29; now register one
        // that crosses.
        var crossing = await RegisterAsync(itemClocks, new DateOnly(2026, 12, 15), "元旦前后");
        Assert.Equal(new DateOnly(2027, 1, 13), crossing.DueOn);
        Assert.Equal(1, crossing.CalendarVersion);

        var change = await calendars.ReplaceYearAsync(Year2027(), "admin", default);

        Assert.Equal(2, change.Version);
        Assert.Equal(1, change.ItemsRecomputed);
        Assert.Contains(new DateOnly(2026, 12, 31), change.ChangedDates);
        Assert.DoesNotContain(new DateOnly(2027, 1, 1), change.ChangedDates);
        var moved = await items.GetAsync(crossing.Id, default);
        Assert.Equal(new DateOnly(2027, 1, 14), moved!.DueOn);
        Assert.Equal(2, moved.CalendarVersion);
        Assert.Equal(new DateOnly(2026, 12, 29), (await items.GetAsync(reaching.Id, default))!.DueOn);
        Assert.Equal(1, (await items.GetAsync(before.Id, default))!.CalendarVersion);
        var entry = (await items.HistoryAsync(crossing.Id, default))[^1];
        Assert.Equal("deadline-recomputed", entry.Action);
        Assert.Contains("\"toDueOn\":\"2027-01-14\"", entry.Detail.Replace(" ", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(2, calendars.Current.Version);
        Assert.Contains(2027, calendars.Current.LoadedYears);
    }

    [Fact]
    public async Task A_stored_year_survives_a_restart_and_replacing_it_again_moves_deadlines_back()
    {
        var (items, _, calendars, itemClocks, _) = Services();
        await calendars.LoadAsync(default);
        var crossing = await RegisterAsync(itemClocks, new DateOnly(2026, 12, 15));
        await calendars.ReplaceYearAsync(Year2027(), "admin", default);

        var (_, _, restarted, _, _) = Services();
        var loaded = await restarted.LoadAsync(default);
        var corrected = Year2027() with { Holidays = [new HolidayPeriod("春节", "Spring Festival", new DateOnly(2027, 2, 5), new DateOnly(2027, 2, 11))] };
        var change = await restarted.ReplaceYearAsync(corrected, "admin", default);

        Assert.Equal(2, loaded.Version);
        Assert.False(loaded.IsWorkingDay(new DateOnly(2026, 12, 31)));
        Assert.Equal(3, change.Version);
        // The corrected notice names no New Year's Day at all: a loaded notice replaces the whole year, law included.
        Assert.Equal(new DateOnly(2027, 1, 12), (await items.GetAsync(crossing.Id, default))!.DueOn);
        Assert.Equal(["registered", "deadline-recomputed", "deadline-recomputed"], (await items.HistoryAsync(crossing.Id, default)).Select(h => h.Action));
    }

    [Fact]
    public async Task A_recomputation_interrupted_by_a_crash_is_finished_at_the_next_start()
    {
        var (items, _, calendars, itemClocks, _) = Services();
        await calendars.LoadAsync(default);
        var crossing = await RegisterAsync(itemClocks, new DateOnly(2026, 12, 15));
        // The change was recorded, then the process died before recomputing (recomputed_at stays null).
        await using (var connection = await Db.OpenAsync(default))
        {
            await connection.ExecuteAsync(
                $"INSERT INTO calendar_years (calendar, year, definition, version, changed_at, changed_by) VALUES ('cn-statutory', 2027, {Db.Dialect.Json("@d")}, 2, @now, 'admin')",
                new { d = CalendarFile.FormatYear(Year2027()), now = Clock.GetUtcNow() });
            await connection.ExecuteAsync(
                "INSERT INTO calendar_changes (calendar, version, year, changed_at, changed_by, changed_dates) VALUES ('cn-statutory', 2, 2027, @now, 'admin', 9)",
                new { now = Clock.GetUtcNow() });
        }

        Assert.Equal(new DateOnly(2027, 1, 13), (await items.GetAsync(crossing.Id, default))!.DueOn);
        var (_, _, nextStart, _, _) = Services();
        await nextStart.LoadAsync(default);

        Assert.Equal(new DateOnly(2027, 1, 14), (await items.GetAsync(crossing.Id, default))!.DueOn);
        await using var check = await Db.OpenAsync(default);
        Assert.Equal(0L, await check.ExecuteScalarAsync<long>("SELECT count(*) FROM calendar_changes WHERE recomputed_at IS NULL"));
    }

    [Fact]
    public async Task Upgrading_recomputes_open_items_stored_when_2027_counted_as_weekends_only()
    {
        // Before migration 0017 a year without a notice was weekends only: 20 working days from 2026-12-15 ended on
        // 2027-01-12, counting New Year's Day. Such a stored item must follow the law once the server is upgraded.
        var (items, _, calendars, itemClocks, _) = Services();
        await calendars.LoadAsync(default);
        var crossing = await RegisterAsync(itemClocks, new DateOnly(2026, 12, 15));
        await using (var connection = await Db.OpenAsync(default))
        {
            await connection.ExecuteAsync("UPDATE items SET due_on = @old WHERE id = @id", new { old = new DateOnly(2027, 1, 12), id = crossing.Id });
            await connection.ExecuteAsync(Migrator.For(provider).Single(m => m.Version == 17).Sql);
        }

        var (_, _, upgraded, _, _) = Services();
        await upgraded.LoadAsync(default);

        var recomputed = await items.GetAsync(crossing.Id, default);
        Assert.Equal(new DateOnly(2027, 1, 13), recomputed!.DueOn);
        Assert.Equal("deadline-recomputed", (await items.HistoryAsync(crossing.Id, default))[^1].Action);
        await using var check = await Db.OpenAsync(default);
        Assert.Equal(0L, await check.ExecuteScalarAsync<long>("SELECT count(*) FROM calendar_changes WHERE recomputed_at IS NULL"));
        Assert.Equal(2, upgraded.Current.Version);
    }

    [Fact]
    public async Task Recomputing_twice_changes_nothing_the_second_time()
    {
        var (items, _, calendars, itemClocks, recomputer) = Services();
        await calendars.LoadAsync(default);
        for (var i = 0; i < 7; i++)
        {
            await RegisterAsync(itemClocks, new DateOnly(2026, 12, 10).AddDays(i));
        }

        await calendars.ReplaceYearAsync(Year2027(), "admin", default);
        var again = await recomputer.RecomputeAsync(calendars.Current, null, default);

        Assert.Equal(0, again);
    }

    [Fact]
    public async Task An_inconsistent_year_is_refused_and_nothing_is_stored()
    {
        var (_, _, calendars, _, _) = Services();
        await calendars.LoadAsync(default);
        var bad = Year2027() with { MakeUpDays = [new MakeUpDay(new DateOnly(2027, 1, 2), "元旦")] };

        var error = await Assert.ThrowsAsync<CalendarFileException>(() => calendars.ReplaceYearAsync(bad, "admin", default));

        Assert.Contains("2027-01-02 is listed both as a holiday and as a make-up working day", error.Message, StringComparison.Ordinal);
        await using var connection = await Db.OpenAsync(default);
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM calendar_years"));
        Assert.Equal(1, calendars.Current.Version);
    }

    [Fact]
    public async Task The_explanation_of_a_stored_item_covers_its_events_and_its_light()
    {
        var (_, _, calendars, itemClocks, _) = Services();
        await calendars.LoadAsync(default);
        var item = await RegisterAsync(itemClocks, new DateOnly(2026, 11, 20));
        await itemClocks.ApplyAsync(item.Id, new ClockEvent.Paused(Clock.GetUtcNow(), PauseReason.ThirdPartyConsultation, "征求某公司意见"), "handler", null, default);

        var (state, explanation) = await itemClocks.ExplainAsync(item.Id, Clock.GetUtcNow(), default);

        Assert.Equal(ClockStatus.Paused, state.Status);
        Assert.Equal(["start", "span", "pause", "due", "light"], explanation.Steps.Select(s => s.Kind));
        Assert.Contains("征求第三方意见", explanation.ToChinese(), StringComparison.Ordinal);
        Assert.Contains("计时已暂停", explanation.ToChinese(), StringComparison.Ordinal);
    }
}

public sealed class SqliteCalendarChangeTests() : CalendarChangeTests(DatabaseProvider.Sqlite);

[Trait("Provider", "PostgreSql")]
public sealed class PostgresCalendarChangeTests() : CalendarChangeTests(DatabaseProvider.PostgreSql);
