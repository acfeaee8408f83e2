using System.Globalization;
using Supervision.Engine.Clocks;
using Supervision.Engine.Workflows;
using Supervision.Host.People;
using Supervision.Host.Pipeline;

namespace Supervision.Host.Items;

/// <summary>The checks and conversions of the fields people send about items, worded the same everywhere.</summary>
internal static class ItemInputs
{
    /// <summary>A required text that is missing or blank.</summary>
    public static IEnumerable<FieldProblem> Required(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            yield return new FieldProblem(field, "required");
        }
    }

    /// <summary>A day that is not written yyyy-MM-dd (a missing day is no problem here).</summary>
    public static IEnumerable<FieldProblem> Day(string? text, string field)
    {
        if (text is not null && !TryDay(text, out _))
        {
            yield return new FieldProblem(field, $"'{text}' is not a date (yyyy-MM-dd)");
        }
    }

    /// <summary>A pause reason the clock does not know.</summary>
    public static IEnumerable<FieldProblem> PauseReason(string? code)
    {
        string? problem = null;
        try
        {
            ClockEventJson.ReasonFrom(code);
        }
        catch (FormatException e)
        {
            problem = e.Message;
        }

        if (problem is not null)
        {
            yield return new FieldProblem("reason", problem);
        }
    }

    /// <summary>The day, checked already (see <see cref="Day(string?, string)"/>).</summary>
    public static DateOnly? ToDay(string? text) => text is null ? null : DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The pause reason, checked already.</summary>
    public static PauseReason ToPauseReason(string? code) => ClockEventJson.ReasonFrom(code);

    /// <summary>A department by name, alias or id; a 400 naming <paramref name="field"/> when there is none.</summary>
    public static async Task<long> DepartmentAsync(string? nameOrId, string field, DepartmentStore departments, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(nameOrId))
        {
            throw new WorkflowRefusedException(RefusalKind.Invalid, $"{field}: required (a department's name, alias or id)");
        }

        if (long.TryParse(nameOrId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && await departments.GetAsync(id, cancellationToken) is not null)
        {
            return id;
        }

        return (await departments.FindByNameAsync(nameOrId, cancellationToken))?.Id
            ?? throw new WorkflowRefusedException(RefusalKind.Invalid, $"{field}: no department '{nameOrId}'");
    }

    private static bool TryDay(string text, out DateOnly day) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);
}
