using System.Globalization;
using Supervision.Engine.Deadlines;

namespace Supervision.Engine.Workflows;

// The fields given with an action, checked against the definition, and the task's fields read from them.
public static partial class WorkflowEngine
{
    private static Dictionary<string, string> CheckFields(IReadOnlyList<FieldDefinition> declared, IReadOnlyDictionary<string, string> fields, WorkflowContext context, string? undeclaredDate = null)
    {
        var problems = new List<string>();
        var result = new Dictionary<string, string>();
        foreach (var field in declared)
        {
            var value = fields.GetValueOrDefault(field.Name)?.Trim();
            if (value is { Length: > MaxFieldLength })
            {
                problems.Add($"{field.Name}: at most {MaxFieldLength} characters");
                continue;
            }

            if (string.IsNullOrEmpty(value))
            {
                if (field.Required)
                {
                    problems.Add($"{field.Name}: required ({field.Label.Zh})");
                }

                continue;
            }

            switch (field.Type)
            {
                case FieldType.Date when !DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _):
                    problems.Add($"{field.Name}: '{value}' is not a date (yyyy-MM-dd)");
                    continue;
                case FieldType.Choice when !field.Choices.Contains(value):
                    problems.Add($"{field.Name}: '{value}' is not one of {string.Join(", ", field.Choices)}");
                    continue;
                case FieldType.Department or FieldType.Departments when SplitNames(value).Length == 0:
                    // Only separators (";", "、"): given, but naming no department (a task stored without its lead).
                    problems.Add($"{field.Name}: '{value}' names no department");
                    continue;
                case FieldType.Department or FieldType.Departments:
                    var unknown = SplitNames(value).Where(n => context.ResolveDepartment(n) is null).ToList();
                    if (unknown.Count > 0 || (field.Type == FieldType.Department && SplitNames(value).Length != 1))
                    {
                        problems.Add(unknown.Count > 0 ? $"{field.Name}: unknown department {string.Join(", ", unknown)}" : $"{field.Name}: one department");
                        continue;
                    }

                    break;
                default:
                    break;
            }

            result[field.Name] = value;
        }

        foreach (var (name, value) in fields.Where(f => declared.All(d => d.Name != f.Key) && !string.IsNullOrWhiteSpace(f.Value)))
        {
            // Fields the definition does not declare are dropped, except the one date a definition written before
            // outcomes declared fields still gives undeclared (disclosure-request v1's correctedOn).
            if (name == undeclaredDate)
            {
                if (!DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                {
                    problems.Add($"{name}: '{value}' is not a date (yyyy-MM-dd)");
                }
                else
                {
                    result[name] = value.Trim();
                }
            }
        }

        if (problems.Count > 0)
        {
            throw new WorkflowRefusedException(RefusalKind.Invalid, string.Join("; ", problems));
        }

        return result;
    }

    private static string[] SplitNames(string value) =>
        value.Split([',', '，', '、', ';', '；', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    // The departments named in a checked field (every name resolves), each once, in the order written.
    private static List<long> Departments(string? names, WorkflowContext context) =>
        names is null ? [] : SplitNames(names).Select(n => context.ResolveDepartment(n)!.Value).Distinct().ToList();

    private static TimeLimit? TaskLimit(string? deadline)
    {
        if (deadline is null || OngoingWords.Contains(deadline.Trim()))
        {
            return null;
        }

        return TimeLimit.TryParse(deadline, out var limit, out var error)
            ? limit
            : throw new WorkflowRefusedException(RefusalKind.Invalid, $"deadline: {error}; or 'ongoing' (长期坚持) with a report cadence");
    }

    private static TimeLimit.Months CycleOf(string? cadence) => cadence switch
    {
        "quarterly" => new TimeLimit.Months(3),
        "half-yearly" => new TimeLimit.Months(6),
        _ => new TimeLimit.Months(1),
    };

    private static DateOnly ParseDay(string text) => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);
}
