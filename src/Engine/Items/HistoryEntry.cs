namespace Supervision.Engine.Items;

/// <summary>
/// One line of an item's append-only history: who did what, when, and how the step and light moved.
/// <see cref="Sequence"/> numbers an item's entries 1, 2, 3, ... without gaps; storage guarantees that two writers
/// can never produce the same number or skip one.
/// </summary>
public sealed record HistoryEntry
{
    /// <summary>The item the entry belongs to.</summary>
    public long ItemId { get; init; }

    /// <summary>Position in the item's history, from 1.</summary>
    public int Sequence { get; init; }

    /// <summary>When it happened.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>Who acted: a user's login, or <c>system</c> for timers and jobs.</summary>
    public required string Actor { get; init; }

    /// <summary>What happened: <c>registered</c>, <c>complete</c>, <c>pause</c>, <c>light-changed</c>, ...</summary>
    public required string Action { get; init; }

    /// <summary>Step before the action, if it moved.</summary>
    public string? FromStep { get; init; }

    /// <summary>Step after the action, if it moved.</summary>
    public string? ToStep { get; init; }

    /// <summary>Light before the action, if it changed.</summary>
    public Light? FromLight { get; init; }

    /// <summary>Light after the action, if it changed.</summary>
    public Light? ToLight { get; init; }

    /// <summary>Action-specific detail (reason, outcome, approver, ...) as a JSON object.</summary>
    public string Detail { get; init; } = "{}";
}
