using Supervision.Engine.Escalation;
using Supervision.Host.Notices;

namespace Supervision.Host.Escalation;

/// <summary>What a trigger about open work sends: the notices <see cref="EscalationRules"/> decides, worded for the
/// item and its handling department, ready for <see cref="NoticeFanOut"/>.</summary>
internal static class EscalationNotices
{
    /// <summary>The worded notices of <paramref name="trigger"/>; <paramref name="what"/> names the limit of a step
    /// trigger (null for the others).</summary>
    public static IEnumerable<OutgoingNotice> For(EscalationTrigger trigger, OrgChart chart, NoticeTemplates templates, string title, (string Zh, string En)? what) =>
        EscalationRules.Decide(trigger, chart).Select(notice => new OutgoingNotice(notice, copy =>
            templates.Word(notice, title, chart.Departments.GetValueOrDefault(notice.About!.DepartmentId)?.Name ?? string.Empty, what, copy)));
}
