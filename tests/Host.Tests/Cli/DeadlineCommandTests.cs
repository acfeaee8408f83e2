using System.Text.Json;

using Supervision.Host.Tests.Infrastructure;

namespace Supervision.Host.Tests.Cli;

/// <summary>The <c>deadline</c> subcommand, as people and checks use it.</summary>
public sealed class DeadlineCommandTests
{
    [Theory]
    [InlineData("7", "2025-10-13")]
    [InlineData("20", "2025-10-30")]
    [InlineData("40", "2025-11-27")]
    public async Task Working_days_from_the_reference_example(string days, string due)
    {
        var (code, output, error) = await CliRunner.RunAsync("deadline", "--start", "2025-09-26", "--working-days", days);

        Assert.Equal(0, code);
        Assert.Equal(due, output.Trim());
        Assert.Empty(error);
    }

    [Fact]
    public async Task Json_output_carries_due_and_explanation()
    {
        var (code, output, _) = await CliRunner.RunAsync("deadline", "--start", "2025-09-26", "--working-days", "20", "--json");

        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("2025-10-30", json.RootElement.GetProperty("due").GetString());
        Assert.Contains("国庆节、中秋节", json.RootElement.GetProperty("explanation").GetProperty("zh").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, json.RootElement.GetProperty("warnings").GetArrayLength());
        Assert.Equal("2025-10-30T16:00:00+00:00", json.RootElement.GetProperty("dueEnd").GetString());
    }

    [Fact]
    public async Task Calendar_days_months_and_hours()
    {
        var (_, calendarDays, _) = await CliRunner.RunAsync("deadline", "--start", "2025-09-19", "--calendar-days", "15");
        var (_, months, _) = await CliRunner.RunAsync("deadline", "--start", "2025-01-31", "--months", "1");
        var (_, hours, _) = await CliRunner.RunAsync("deadline", "--start", "2025-10-01T09:30", "--hours", "5");

        Assert.Equal("2025-10-09", calendarDays.Trim());
        Assert.Equal("2025-02-28", months.Trim());
        Assert.Equal("2025-10-01T06:30:00Z", hours.Trim());
    }

    [Fact]
    public async Task Explain_prints_the_account_and_a_provisional_year_is_warned_about()
    {
        var (code, output, error) = await CliRunner.RunAsync("deadline", "--start", "2026-12-20", "--working-days", "10", "--explain");

        Assert.Equal(0, code);
        // 2027-01-01 is New Year's Day by law although the 2027 notice is not loaded.
        Assert.StartsWith("2027-01-04", output, StringComparison.Ordinal);
        Assert.Contains("2027年放假安排尚未公布", output, StringComparison.Ordinal);
        Assert.Contains("warning: the 2027 holiday arrangement is not loaded: 2027 is reckoned from the law on public holidays (provisional", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deadline_into_2027_skips_new_years_day_and_names_the_provisional_year()
    {
        var (code, output, _) = await CliRunner.RunAsync("deadline", "--start", "2026-12-28", "--working-days", "5", "--json");
        var (_, spring, _) = await CliRunner.RunAsync("deadline", "--start", "2027-02-04", "--working-days", "1");
        var (_, english, _) = await CliRunner.RunAsync("deadline", "--start", "2026-12-28", "--working-days", "5", "--explain", "--english");

        Assert.Equal(0, code);
        using var json = System.Text.Json.JsonDocument.Parse(output);
        Assert.Equal("2027-01-05", json.RootElement.GetProperty("due").GetString());
        Assert.Equal([2027], json.RootElement.GetProperty("provisionalYears").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Contains("not yet published", json.RootElement.GetProperty("explanation").GetProperty("en").GetString(), StringComparison.Ordinal);
        // Spring Festival 2027 by law: 除夕 Fri 02-05 to 初三 Mon 02-08, and Sat/Sun given back on Tue 02-09 and Wed 02-10.
        Assert.Equal("2027-02-11", spring.Trim());
        Assert.Contains("reckoned from the law on public holidays (New Year's Day 2027-01-01", english, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("must be a positive whole number", "deadline", "--start", "2025-09-26", "--working-days", "-4")]
    [InlineData("is not a day", "deadline", "--start", "2025-13-26", "--working-days", "4")]
    [InlineData("Unrecognized command or argument '--fortnights'", "deadline", "--start", "2025-09-26", "--fortnights", "4")]
    [InlineData("give exactly one limit", "deadline", "--start", "2025-09-26", "--working-days", "4", "--hours", "3")]
    [InlineData("give exactly one limit", "deadline", "--start", "2025-09-26")]
    [InlineData("--start", "deadline", "--working-days", "4")]
    [InlineData("not a time limit", "deadline", "--start", "2025-09-26", "--limit", "3 weeks")]
    public async Task Invalid_input_exits_2_with_a_one_line_reason(string reason, params string[] args)
    {
        var (code, output, error) = await CliRunner.RunAsync(args);

        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }
}
