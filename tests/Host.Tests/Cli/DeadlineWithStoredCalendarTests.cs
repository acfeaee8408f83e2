using Microsoft.Extensions.Logging.Abstractions;
using Supervision.Engine.Calendars;
using Supervision.Host.Calendars;
using Supervision.Host.Items;
using Supervision.Host.Platform;
using Supervision.Host.Storage;
using Supervision.Host.Tests.Infrastructure;

namespace Supervision.Host.Tests.Cli;

/// <summary>The command line computes on the same calendar as the server: the shipped file plus stored years.</summary>
[Collection(ProcessEnvironment.Name)]
public sealed class DeadlineWithStoredCalendarTests
{
    [Fact]
    public async Task A_year_entered_at_run_time_reaches_the_deadline_command()
    {
        await using var testDatabase = new SqliteTestDatabase();
        await using (var database = new Database(testDatabase.Settings))
        {
            await new Migrator(database, TimeProvider.System).MigrateAsync(default);
            var zone = OfficeTimeZone.Resolve(null);
            var items = new ItemStore(database, TimeProvider.System);
            var clocks = new ClockStore(database);
            var recomputer = new DeadlineRecomputer(database, items, clocks, zone, TimeProvider.System, NullLogger<DeadlineRecomputer>.Instance);
            var calendars = new CalendarService(database, new CalendarStore(database), TimeProvider.System, new ShippedCalendar(null), recomputer, NullLogger<CalendarService>.Instance);
            await calendars.LoadAsync(default);
            await calendars.ReplaceYearAsync(new CalendarYear(2027,
                [new HolidayPeriod("元旦", "New Year's Day", new DateOnly(2026, 12, 31), new DateOnly(2027, 1, 3))], [], "test"), "admin", default);
        }

        string withStored, withStoredError, withoutStored, withoutStoredError;
        using (new EnvironmentVariable(DatabaseSettings.EnvironmentVariable, testDatabase.Settings.ConnectionString))
        {
            (_, withStored, withStoredError) = await CliRunner.RunAsync("deadline", "--start", "2026-12-15", "--working-days", "20");
        }

        using (new EnvironmentVariable(DatabaseSettings.EnvironmentVariable, $"Data Source={Path.Combine(Path.GetTempPath(), "supervision-tests", "absent-" + Guid.NewGuid().ToString("N"), "none.db")}"))
        {
            (_, withoutStored, withoutStoredError) = await CliRunner.RunAsync("deadline", "--start", "2026-12-15", "--working-days", "20");
        }

        // Stored: Thursday 2026-12-31 bridges to New Year; without it 2027 is reckoned from the law (01-01 alone).
        Assert.Equal("2027-01-14", withStored.Trim());
        Assert.Empty(withStoredError);
        Assert.Equal("2027-01-13", withoutStored.Trim());
        Assert.Contains("the 2027 holiday arrangement is not loaded", withoutStoredError, StringComparison.Ordinal);
    }
}
