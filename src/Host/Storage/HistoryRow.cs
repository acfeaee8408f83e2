using Supervision.Engine.Items;

namespace Supervision.Host.Storage;

/// <summary>A stored history row; <see cref="HistoryAudit"/> reads the same shape with its chain hashes.</summary>
internal sealed record HistoryRow
{
    public long ItemId { get; init; }
    public int Sequence { get; init; }
    public DateTimeOffset At { get; init; }
    public string Actor { get; init; } = "";
    public string Action { get; init; } = "";
    public string? FromStep { get; init; }
    public string? ToStep { get; init; }
    public string? FromLight { get; init; }
    public string? ToLight { get; init; }
    public string Detail { get; init; } = "{}";
    public string? PrevHash { get; init; }
    public string? Hash { get; init; }

    public HistoryEntry ToEntry() => new()
    {
        ItemId = ItemId,
        Sequence = Sequence,
        At = At,
        Actor = Actor,
        Action = Action,
        FromStep = FromStep,
        ToStep = ToStep,
        FromLight = FromLight is null ? null : Lights.Parse(FromLight),
        ToLight = ToLight is null ? null : Lights.Parse(ToLight),
        Detail = Detail,
    };
}
