using System.Text.Json;

namespace Supervision.Engine.Workflows;

/// <summary>
/// A supervision task's own fields, under the names its definitions give them and its payload stores them by: the
/// task (<see cref="Content"/>) and where it comes from (<see cref="Plan"/>, <see cref="PlanItem"/>), its lead and
/// responsible departments (names as written, separated by 、 , ; or new lines), its deadline as written (a time
/// limit, a date, or a word for an ongoing task such as 长期坚持), how often an ongoing task reports
/// (<see cref="ReportCadence"/>: monthly, quarterly or half-yearly), and the event its deadline counts from
/// (<see cref="StartsAfter"/>, 新规出台). A field not given is null.
/// </summary>
public sealed record TaskFields(string? Content, string? Plan, string? PlanItem, string? LeadDepartments, string? ResponsibleDepartments, string? Deadline, string? ReportCadence, string? StartsAfter)
{
    /// <summary>The field names, as the task definitions declare them.</summary>
    public const string ContentField = "content", PlanField = "plan", PlanItemField = "planItem", LeadDepartmentsField = "leadDepartments",
        ResponsibleDepartmentsField = "responsibleDepartments", DeadlineField = "deadline", ReportCadenceField = "reportCadence", StartsAfterField = "startsAfter";

    /// <summary>The task's fields among those given (a registration's, checked against its definition).</summary>
    public static TaskFields From(IReadOnlyDictionary<string, string> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        return new TaskFields(
            fields.GetValueOrDefault(ContentField),
            fields.GetValueOrDefault(PlanField),
            fields.GetValueOrDefault(PlanItemField),
            fields.GetValueOrDefault(LeadDepartmentsField),
            fields.GetValueOrDefault(ResponsibleDepartmentsField),
            fields.GetValueOrDefault(DeadlineField),
            fields.GetValueOrDefault(ReportCadenceField),
            fields.GetValueOrDefault(StartsAfterField));
    }

    /// <summary>The task's fields as its payload (a JSON object of texts) stores them.</summary>
    public static TaskFields FromPayload(string payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        using var json = JsonDocument.Parse(payload);
        var root = json.RootElement;
        string? Text(string name) => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        return new TaskFields(
            Text(ContentField),
            Text(PlanField),
            Text(PlanItemField),
            Text(LeadDepartmentsField),
            Text(ResponsibleDepartmentsField),
            Text(DeadlineField),
            Text(ReportCadenceField),
            Text(StartsAfterField));
    }
}
