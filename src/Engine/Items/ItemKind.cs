namespace Supervision.Engine.Items;

/// <summary>
/// What a supervised item is. Disclosure requests (依申请公开) and supervision tasks (督办任务) share one table of
/// supervised items; the kind decides which workflow definitions apply and how the item is reported.
/// </summary>
public enum ItemKind
{
    /// <summary>A request for government information under the Regulations on Open Government Information.</summary>
    Request,

    /// <summary>A supervision task, usually decomposed from an annual work plan.</summary>
    Task,
}

/// <summary>Stable text codes for <see cref="ItemKind"/>, as stored and as shown on the API.</summary>
public static class ItemKinds
{
    /// <summary>The code stored for the kind: <c>request</c> or <c>task</c>.</summary>
    public static string Code(this ItemKind kind) => kind switch
    {
        ItemKind.Request => "request",
        ItemKind.Task => "task",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown item kind."),
    };

    /// <summary>Reads a stored or submitted code; returns false for anything else.</summary>
    public static bool TryParse(string? code, out ItemKind kind)
    {
        switch (code)
        {
            case "request":
                kind = ItemKind.Request;
                return true;
            case "task":
                kind = ItemKind.Task;
                return true;
            default:
                kind = default;
                return false;
        }
    }

    /// <summary>Reads a code that must be valid, such as one read back from storage.</summary>
    public static ItemKind Parse(string code) =>
        TryParse(code, out var kind)
            ? kind
            : throw new FormatException($"'{code}' is not an item kind; expected 'request' or 'task'.");
}
