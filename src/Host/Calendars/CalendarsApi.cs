using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Supervision.Engine.Calendars;
using Supervision.Host.People;
using Supervision.Host.Platform;

namespace Supervision.Host.Calendars;

/// <summary>The statutory calendar: each year as deadlines count it, and an administrator storing a year's notice.</summary>
public static class CalendarsApi
{
    public static IEndpointRouteBuilder MapCalendars(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api").WithTags("Reference");
        api.MapGet("/calendars/{year:int}", GetYear);
        api.MapPut("/calendars/{year:int}", PutYear).RequireAuthorization("admin");
        return endpoints;
    }

    private static Results<Ok<JsonElement>, NotFoundProblem> GetYear(int year, CalendarService calendars)
    {
        var found = calendars.Current.YearInForce(year);
        if (found is null)
        {
            return new NotFoundProblem("Not found", $"No calendar covers {year}: the calendar covers {WorkingCalendar.FirstYear}-{WorkingCalendar.LastYear}.");
        }

        // The year as deadlines count it: its notice, or (provisional: true) the law's holidays until the notice is loaded.
        var node = System.Text.Json.Nodes.JsonNode.Parse(CalendarFile.FormatYear(found))!.AsObject();
        node["provisional"] = found.Provisional;
        using var json = JsonDocument.Parse(node.ToJsonString());
        return TypedResults.Ok(json.RootElement.Clone());
    }

    private static Task<Results<Results<Ok<object>, Accepted<object>>, InvalidProblem, ForbiddenProblem, NotFoundProblem, ConflictProblem, RefusedProblem>> PutYear(int year, JsonElement body, ClaimsPrincipal user, Actors actors, ISender sender, CancellationToken ct) => Answer.Command(async () =>
    {
        var parsed = CalendarFile.ParseYear(body.GetRawText(), $"PUT /api/calendars/{year}");
        if (parsed.Year != year)
        {
            throw new CalendarFileException($"PUT /api/calendars/{year}", [$"$.year: {parsed.Year} does not match the address ({year})"]);
        }

        // The year is stored at once; recomputing the open items it affects (a million of them at a province) is a
        // background job: 202 with its address, whose result says how many items, due days and lights moved.
        var change = await sender.Send(new StoreCalendarYear(await actors.ForAsync(user, ct), parsed, InBackground: true), ct);
        return Stored(year, change);
    });

    /// <summary>A stored year's answer: 202 with the job recomputing the open items it affects, or 200 when no date changed.</summary>
    internal static Results<Ok<object>, Accepted<object>> Stored(int year, CalendarChange change)
    {
        var changedDates = change.ChangedDates.Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        if (change.Job is { } job)
        {
            return TypedResults.Accepted<object>(job.Href, new
            {
                year,
                calendarVersion = change.Version,
                changedDates,
                job = new { id = job.Id, kind = job.Kind, status = "queued", href = job.Href },
            });
        }

        return TypedResults.Ok<object>(new
        {
            year,
            calendarVersion = change.Version,
            changedDates,
            itemsRecomputed = change.ItemsRecomputed,
            dueDaysMoved = change.DueDaysMoved,
            lightsChanged = change.LightsChanged,
        });
    }
}
