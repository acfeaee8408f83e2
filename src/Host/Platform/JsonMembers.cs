using System.Text.Json;
using Supervision.Engine.Workflows;

namespace Supervision.Host.Platform;

/// <summary>
/// The members of a JSON body read by name, for routes whose members are each optional (PATCH: absent is
/// "unchanged", null is "none") and which refuse members they do not know rather than ignore them.
/// </summary>
public static class JsonMembers
{
    /// <summary>A JSON object's members, each one the body may have; nothing at all, or a member it may not have, is a
    /// 400 naming it.</summary>
    public static Dictionary<string, JsonElement> Read(JsonElement body, string[] allowed, string what)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw new WorkflowRefusedException(RefusalKind.Invalid, $"body: a JSON object with {string.Join(", ", allowed)}");
        }

        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var member in body.EnumerateObject())
        {
            if (!allowed.Contains(member.Name, StringComparer.Ordinal))
            {
                throw new WorkflowRefusedException(RefusalKind.Invalid, $"{member.Name}: not a field of {what} ({string.Join(", ", allowed)})");
            }

            fields[member.Name] = member.Value;
        }

        return fields.Count == 0 ? throw new WorkflowRefusedException(RefusalKind.Invalid, $"body: nothing given ({string.Join(", ", allowed)})") : fields;
    }

    /// <summary>A text member (a number is read as its digits: an id); absent or null is null; anything else is a 400
    /// naming it.</summary>
    public static string? Text(IReadOnlyDictionary<string, JsonElement> fields, string member) => fields.TryGetValue(member, out var v) ? v.ValueKind switch
    {
        JsonValueKind.String => v.GetString(),
        JsonValueKind.Number => v.GetRawText(),
        JsonValueKind.Null => null,
        _ => throw new WorkflowRefusedException(RefusalKind.Invalid, $"{member}: text expected"),
    } : null;
}
