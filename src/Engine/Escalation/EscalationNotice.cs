using Supervision.Engine.Items;
using Supervision.Engine.Workflows;

namespace Supervision.Engine.Escalation;

/// <summary>What a notice is, as stored in its <c>kind</c> (<see cref="NoticeKinds.Code"/>).</summary>
public enum NoticeKind
{
    /// <summary>The ladder's first level: a light turned from green to yellow.</summary>
    Yellow,

    /// <summary>The ladder's second level: a light turned red.</summary>
    Red,

    /// <summary>The ladder's third level: a red light became seriously overdue.</summary>
    SeriouslyOverdue,

    /// <summary>A step's or a pause's own limit is close.</summary>
    StepYellow,

    /// <summary>A step's or a pause's own limit has passed.</summary>
    StepRed,

    /// <summary>The nightly urging (催办) of an overdue assignment.</summary>
    Urging,

    /// <summary>The nightly supervision notice (督办) of a seriously overdue assignment, to the supervising office.</summary>
    Supervision,

    /// <summary>The nightly urging of a step or pause past its own limit.</summary>
    StepUrging,

    /// <summary>A circulation (通报) sent to its office.</summary>
    Circulation,
}

/// <summary>Stable text codes for <see cref="NoticeKind"/>, as stored in notices.</summary>
public static class NoticeKinds
{
    private static readonly string[] Codes = ["yellow", "red", "seriously-overdue", "step-yellow", "step-red", "urging", "supervision", "step-urging", "circulation"];

    /// <summary>The code: <c>yellow</c>, <c>red</c>, <c>seriously-overdue</c>, <c>step-yellow</c>, <c>step-red</c>,
    /// <c>urging</c>, <c>supervision</c>, <c>step-urging</c> or <c>circulation</c>.</summary>
    public static string Code(this NoticeKind kind) =>
        (int)kind >= 0 && (int)kind < Codes.Length
            ? Codes[(int)kind]
            : throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown notice kind.");

    /// <summary>The light a notice of this kind (its code) reports, as the pages show it: <c>yellow</c>, <c>red</c> or
    /// <c>serious</c> (seriously overdue; the supervision notice is only sent for those); the nightly urgings report red.
    /// Null for a kind that reports no light (a circulation, a channel's test).</summary>
    public static string? LightOf(string code) => code switch
    {
        "yellow" or "step-yellow" => "yellow",
        "red" or "step-red" or "urging" or "step-urging" => "red",
        "seriously-overdue" or "supervision" => "serious",
        _ => null,
    };

    /// <summary>Whether a notice of this kind (its code) reports a step's or pause's own limit rather than the item's deadline.</summary>
    public static bool OfStepLimit(string code) => code is "step-yellow" or "step-red" or "step-urging";
}

/// <summary>What a notice about open work says of it: the item, the department handling it, the light it shows (red
/// for the nightly run's notices), whether seriously overdue, the deadline (a day, or an exact instant), and for a step
/// or pause limit its <see cref="StepBasis"/>.</summary>
public sealed record NoticeAbout(long ItemId, long DepartmentId, Light Light, bool SeriouslyOverdue, DateOnly? DueOn, DateTimeOffset? DueAt, string? StepBasis);

/// <summary>Who a notice goes to: the channels a department has set up, or the people holding a role in a department.</summary>
public abstract record NoticeTarget
{
    private NoticeTarget()
    {
    }

    /// <summary>Every channel (webhook, WeCom, DingTalk) the department has configured.</summary>
    public sealed record Channels(long DepartmentId) : NoticeTarget;

    /// <summary>The active people with <see cref="Role"/> in the department, each in their inbox (and by mail where set
    /// up); <see cref="Copy"/> when they are told as a copy (抄送), which the wording says.</summary>
    public sealed record People(long DepartmentId, Role Role, bool Copy) : NoticeTarget;
}

/// <summary>
/// One notice a trigger produces, before it is worded and fanned out: its <see cref="Kind"/>, its <see cref="Cause"/>
/// (the unique key of what caused it: every row written for it is keyed by the cause and the recipient, so the same
/// cause never notifies anyone twice), the <see cref="Event"/> it is recorded under, what it is about (null for a
/// circulation), and its targets in the order they are told. A person named by two targets is told once.
/// </summary>
public sealed record EscalationNotice(NoticeKind Kind, string Cause, string Event, NoticeAbout? About, IReadOnlyList<NoticeTarget> To);
