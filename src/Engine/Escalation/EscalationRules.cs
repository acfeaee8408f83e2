using System.Globalization;
using Supervision.Engine.Items;
using Supervision.Engine.Workflows;

namespace Supervision.Engine.Escalation;

/// <summary>
/// Which notices a trigger produces, and to whom by role: the one place the escalation ladder and the nightly urging are
/// decided. Pure: it takes the trigger's facts and the <see cref="OrgChart"/> and returns the notices as data, which
/// the Host words and writes to the outbox, one row per person or channel, keyed by each notice's cause.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>A light that moves climbs the definition's ladder: green to yellow is the yellow level, anything to red the red
/// level, becoming seriously overdue the third; each level reached goes to the department's channels and to the people
/// the ladder names for it (handlers and lead of the handling department, the supervisors of the supervising office
/// above it). A light that moves back (after an extension) or to a closed light tells no one. The deadline is in the
/// cause: a new deadline may notify again, the same one never twice.</item>
/// <item>A step's or a pause's own limit turning yellow or red goes to the department's handlers, copied to its lead;
/// never back to green or off (only an action does that, and it tells no one).</item>
/// <item>The nightly run urges every red, running assignment once per office day: its department's channels and
/// handlers, copied to its lead; a seriously overdue one also goes to the supervising office as a supervision notice.
/// A step or pause past its own limit is urged once a day to the handlers, copied to the lead, even while the reply
/// clock is paused.</item>
/// <item>A circulation goes to its office's supervisors and channels.</item>
/// </list>
/// </remarks>
public static class EscalationRules
{
    /// <summary>The notices <paramref name="trigger"/> produces, in the order they are written; empty when it
    /// escalates nothing.</summary>
    public static IReadOnlyList<EscalationNotice> Decide(EscalationTrigger trigger, OrgChart chart)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        ArgumentNullException.ThrowIfNull(chart);
        return trigger switch
        {
            EscalationTrigger.LightTurned light => Ladder(light, chart),
            EscalationTrigger.StepLightTurned step => StepLight(step),
            EscalationTrigger.OverdueDay overdue => Urging(overdue, chart),
            EscalationTrigger.StepOverdueDay step => StepUrging(step),
            EscalationTrigger.Circulated circulated => Circulation(circulated),
            _ => throw new ArgumentOutOfRangeException(nameof(trigger), trigger, "Unknown escalation trigger."),
        };
    }

    /// <summary>True when a step or pause limit's light moving from <paramref name="from"/> to <paramref name="to"/>
    /// is recorded and notified: only moving on in time, to yellow or red.</summary>
    public static bool StepLightEscalates(Light? from, Light? to) => to is Light.Yellow or Light.Red && to != from;

    private static List<EscalationNotice> Ladder(EscalationTrigger.LightTurned change, OrgChart chart)
    {
        var levels = new List<(NoticeKind Level, IReadOnlyList<Recipient> To)>();
        if (change.To == Light.Yellow && change.From == Light.Green)
        {
            levels.Add((NoticeKind.Yellow, change.Ladder.Yellow));
        }

        if (change.To == Light.Red && change.From != Light.Red)
        {
            levels.Add((NoticeKind.Red, change.Ladder.Red));
        }

        if (change.ToSerious && !change.FromSerious)
        {
            levels.Add((NoticeKind.SeriouslyOverdue, change.Ladder.SeriouslyOverdue));
        }

        var work = change.Work;
        var about = new NoticeAbout(work.ItemId, work.DepartmentId, change.To, change.ToSerious, change.DueOn, change.DueAt, null);
        var due = change.DueAt is { } at
            ? at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)
            : change.DueOn?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "-";
        return levels.Select(level => new EscalationNotice(
            level.Level,
            string.Create(CultureInfo.InvariantCulture, $"light:{work.ItemId}:{work.AssignmentId ?? 0}:{level.Level.Code()}:{due}"),
            $"light-changed:{level.Level.Code()}",
            about,
            [new NoticeTarget.Channels(work.DepartmentId), .. Recipients(level.To, work.DepartmentId, chart)])).ToList();
    }

    private static List<EscalationNotice> StepLight(EscalationTrigger.StepLightTurned change)
    {
        if (!StepLightEscalates(change.From, change.To))
        {
            return [];
        }

        var work = change.Work;
        var level = change.To == Light.Red ? NoticeKind.StepRed : NoticeKind.StepYellow;
        return
        [
            new EscalationNotice(
                level,
                string.Create(CultureInfo.InvariantCulture, $"step:{work.ItemId}:{work.AssignmentId ?? 0}:{change.Basis}:{level.Code()}:{change.DueOn:yyyy-MM-dd}"),
                "step-light-changed",
                new NoticeAbout(work.ItemId, work.DepartmentId, change.To!.Value, false, change.DueOn, null, change.Basis),
                HandlersCopyingLead(work.DepartmentId)),
        ];
    }

    private static List<EscalationNotice> Urging(EscalationTrigger.OverdueDay overdue, OrgChart chart)
    {
        if (overdue.Light != Light.Red || overdue.Paused)
        {
            return [];
        }

        var work = overdue.Work;
        var day = Day(overdue.Day);
        var about = new NoticeAbout(work.ItemId, work.DepartmentId, Light.Red, overdue.SeriouslyOverdue, overdue.DueOn, overdue.DueAt, null);
        var @event = $"overdue-run:{day}";
        var notices = new List<EscalationNotice>
        {
            new(NoticeKind.Urging, string.Create(CultureInfo.InvariantCulture, $"urging:{work.ItemId}:{work.AssignmentId ?? 0}:{day}"), @event, about,
                [new NoticeTarget.Channels(work.DepartmentId), .. HandlersCopyingLead(work.DepartmentId)]),
        };
        if (overdue.SeriouslyOverdue && chart.NearestAbove(work.DepartmentId, Role.Supervisor) is { } office)
        {
            notices.Add(new(NoticeKind.Supervision, string.Create(CultureInfo.InvariantCulture, $"supervision:{work.ItemId}:{work.AssignmentId ?? 0}:{day}"), @event, about,
                [new NoticeTarget.People(office, Role.Supervisor, false)]));
        }

        return notices;
    }

    private static List<EscalationNotice> StepUrging(EscalationTrigger.StepOverdueDay step)
    {
        if (step.StepLight != Light.Red)
        {
            return [];
        }

        var work = step.Work;
        var day = Day(step.Day);
        return
        [
            new EscalationNotice(
                NoticeKind.StepUrging,
                string.Create(CultureInfo.InvariantCulture, $"step-urging:{work.ItemId}:{work.AssignmentId ?? 0}:{step.Basis}:{day}"),
                $"overdue-run:{day}",
                new NoticeAbout(work.ItemId, work.DepartmentId, Light.Red, false, step.StepDueOn, null, step.Basis),
                HandlersCopyingLead(work.DepartmentId)),
        ];
    }

    private static List<EscalationNotice> Circulation(EscalationTrigger.Circulated circulated)
    {
        var cause = string.Create(CultureInfo.InvariantCulture, $"circulation:{circulated.CirculationId}");
        return [new EscalationNotice(NoticeKind.Circulation, cause, cause, null,
            [new NoticeTarget.People(circulated.OfficeId, Role.Supervisor, false), new NoticeTarget.Channels(circulated.OfficeId)])];
    }

    // The people a ladder level names for the handling department, each once, in the ladder's order; the supervising
    // office only where there is one.
    private static IEnumerable<NoticeTarget> Recipients(IReadOnlyList<Recipient> recipients, long departmentId, OrgChart chart) =>
        recipients.Select(recipient => recipient switch
        {
            Recipient.Handler => new NoticeTarget.People(departmentId, Role.Handler, false),
            Recipient.Lead => new NoticeTarget.People(departmentId, Role.Lead, false),
            Recipient.SupervisingOffice => chart.NearestAbove(departmentId, Role.Supervisor) is { } office ? new NoticeTarget.People(office, Role.Supervisor, false) : null,
            _ => throw new ArgumentOutOfRangeException(nameof(recipients), recipient, "Unknown recipient."),
        }).OfType<NoticeTarget>().Distinct();

    private static NoticeTarget[] HandlersCopyingLead(long departmentId) =>
        [new NoticeTarget.People(departmentId, Role.Handler, false), new NoticeTarget.People(departmentId, Role.Lead, true)];

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
