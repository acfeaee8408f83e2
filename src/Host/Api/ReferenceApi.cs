using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Supervision.Engine.Calendars;
using Supervision.Engine.Items;
using Supervision.Engine.Workflows;
using Supervision.Host.Calendars;
using Supervision.Host.Storage;
using Supervision.Host.Workflows;

namespace Supervision.Host.Api;

/// <summary>A department in the tree.</summary>
public sealed record DepartmentView(long Id, string Name, IReadOnlyList<string> Aliases, long? ParentId);

/// <summary>A workflow definition as listed.</summary>
public sealed record DefinitionView(string Id, int Version, string Kind, string Title, string TitleEn, IReadOnlyList<object> Steps);

/// <summary>The reference data: departments, workflow definitions and the statutory calendar.</summary>
public static class ReferenceApi
{
    public static IEndpointRouteBuilder MapReference(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api").WithTags("Reference");
        api.MapGet("/departments", async (DepartmentStore departments, CancellationToken ct) =>
            TypedResults.Ok((await departments.ListAsync(ct)).Select(d => new DepartmentView(d.Id, d.Name, d.Aliases, d.ParentId)).ToList()));
        api.MapGet("/definitions", (DefinitionCatalog catalog) =>
            TypedResults.Ok(catalog.Latest.OrderBy(d => d.Id, StringComparer.Ordinal).Select(d => new DefinitionView(d.Id, d.Version, d.Kind.Code(), d.Title.Zh, d.Title.En,
                d.Steps.Select(s => (object)new
                {
                    s.Id,
                    name = s.Name.Zh,
                    nameEn = s.Name.En,
                    role = s.Role.ToString().ToLowerInvariant(),
                    limit = s.Limit?.ToString(),
                    s.Terminal,
                    s.PerAssignment,
                    actions = s.Actions.Select(a => a.ToString().ToLowerInvariant()).Order(StringComparer.Ordinal),
                    outcomes = s.Outcomes.Select(o => new { o.Id, name = o.Name.Zh, nameEn = o.Name.En, to = o.To, fields = o.Fields.Select(Field) }),
                    fields = s.Fields.Select(Field),
                }).ToList())).ToList()));
        api.MapGet("/calendars/{year:int}", GetYear);
        api.MapPut("/calendars/{year:int}", PutYear).RequireAuthorization("admin");
        return endpoints;
    }

    private static object Field(FieldDefinition f) => new { f.Name, label = f.Label.Zh, type = f.Type.ToString().ToLowerInvariant(), f.Required, f.Choices };

    private static Results<Ok<JsonElement>, ProblemHttpResult> GetYear(int year, CalendarService calendars)
    {
        var found = calendars.Current.YearInForce(year);
        if (found is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found",
                detail: $"No calendar covers {year}: the calendar covers {WorkingCalendar.FirstYear}-{WorkingCalendar.LastYear}.");
        }

        // The year as deadlines count it: its notice, or (provisional: true) the law's holidays until the notice is loaded.
        var node = System.Text.Json.Nodes.JsonNode.Parse(CalendarFile.FormatYear(found))!.AsObject();
        node["provisional"] = found.Provisional;
        using var json = JsonDocument.Parse(node.ToJsonString());
        return TypedResults.Ok(json.RootElement.Clone());
    }

    private static async Task<Ok<object>> PutYear(int year, JsonElement body, ClaimsPrincipal user, CalendarService calendars, CancellationToken ct)
    {
        var parsed = CalendarFile.ParseYear(body.GetRawText(), $"PUT /api/calendars/{year}");
        if (parsed.Year != year)
        {
            throw new CalendarFileException($"PUT /api/calendars/{year}", [$"$.year: {parsed.Year} does not match the address ({year})"]);
        }

        var change = await calendars.ReplaceYearAsync(parsed, user.Identity!.Name!, ct);
        return TypedResults.Ok<object>(new
        {
            year,
            calendarVersion = change.Version,
            changedDates = change.ChangedDates.Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            itemsRecomputed = change.ItemsRecomputed,
            dueDaysMoved = change.DueDaysMoved,
            lightsChanged = change.LightsChanged,
        });
    }
}
