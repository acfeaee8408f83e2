using Supervision.Engine.Calendars;

namespace Supervision.Engine.Tests.Calendars;

public sealed class CalendarFileTests
{
    [Fact]
    public void Every_problem_is_reported_with_its_json_path()
    {
        const string json = """
            { "calendar": "x", "years": [
              { "year": 2027, "holidays": [ { "name": "", "from": "2027-01-01", "to": "2027-13-01" } ], "makeUpDays": [] },
              { "year": 2028, "holidays": [], "makeUpDays": [ { "date": "2028-02-05" } ] }
            ] }
            """;

        var error = Assert.Throws<CalendarFileException>(() => CalendarFile.Parse(json, "bad.json"));

        Assert.Equal("bad.json", error.File);
        Assert.Contains("$.years[0].holidays[0].name: missing or empty", error.Problems);
        Assert.Contains("$.years[0].holidays[0].to: missing or not a date (yyyy-MM-dd)", error.Problems);
        Assert.Contains("$.years[1].makeUpDays[0].for: missing or empty", error.Problems);
        Assert.Equal(3, error.Problems.Count);
    }

    [Fact]
    public void Broken_json_names_the_line()
    {
        var error = Assert.Throws<CalendarFileException>(() => CalendarFile.Parse("{\n \"calendar\": \"x\",\n \"years\": [ }", "broken.json"));
        Assert.Contains("line 3", error.Problems.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_year_round_trips_through_its_text_form()
    {
        var year = StatutoryCalendar.Calendar.Year(2025)!;

        var again = CalendarFile.ParseYear(CalendarFile.FormatYear(year), "api");

        Assert.Equal(year.Year, again.Year);
        Assert.Equal(year.Holidays, again.Holidays);
        Assert.Equal(year.MakeUpDays, again.MakeUpDays);
        Assert.Equal(year.Source, again.Source);
    }
}
