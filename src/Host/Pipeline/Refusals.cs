using Supervision.Engine.Workflows;

namespace Supervision.Host.Pipeline;

/// <summary>The answers the pipeline gives, worded once.</summary>
public static class Refusals
{
    /// <summary>The message for an item that does not exist, or that the caller may not know exists.</summary>
    public static string NoSuchItem(long itemId) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Item {itemId} does not exist.");

    /// <summary>An item outside the caller's scope, answered exactly as one that does not exist.</summary>
    public static KeyNotFoundException NotFound(long itemId) => new(NoSuchItem(itemId));

    /// <summary>A message's field problems, as the 400 the API answers with (the first names its field).</summary>
    public static WorkflowRefusedException Invalid(IReadOnlyList<FieldProblem> problems) =>
        new(RefusalKind.Invalid, string.Join("; ", problems));
}
