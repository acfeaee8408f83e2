using Supervision.Engine.Clocks;
using Supervision.Engine.Items;
using Supervision.Engine.Organisation;
using Supervision.Engine.Reports;
using Supervision.Host.Storage;

namespace Supervision.Host.Reports;

/// <summary>The statistics and the ledger (台账) as export tables, headed in Chinese as offices file them.</summary>
public static class ReportTables
{
    private static readonly string[] FigureHeadings =
    [
        "收件/交办数", "按时办结", "超期办结", "撤回", "在办-绿灯", "在办-黄灯", "在办-红灯", "其中严重超期", "暂停中",
        "按时办结率", "平均办理工作日", "90%办理工作日", "延期次数", "暂停次数", "退回重办次数", "逾期告知补正次数",
    ];

    public static IReadOnlyList<ExportTable> Statistics(StatisticsReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var names = report.Departments.ToDictionary(d => d.Id, d => d.Name);
        var departments = report.Departments
            .Select(d => (IReadOnlyList<object?>)[d.Name, d.ParentId is { } p ? names[p] : null, .. Figures(d.Own), d.Score.Total])
            .Append([$"合计（{report.From:yyyy-MM-dd}至{report.To:yyyy-MM-dd}）", null, .. Figures(report.Totals), null])
            .ToList();
        var scores = report.Departments
            .SelectMany(d => d.Score.Lines.Select(l => (IReadOnlyList<object?>)[d.Name, l.DescriptionZh, l.Count, l.Points])
                .Prepend([d.Name, "基础分", null, d.Score.Start])
                .Append([d.Name, "得分", null, d.Score.Total]))
            .ToList();
        return
        [
            new ExportTable("部门统计", ["部门", "上级部门", .. FigureHeadings, "考核得分"], departments),
            new ExportTable("考核得分", ["部门", $"细则（{report.Rules}）", "计数", "分值"], scores),
            Rows("按流程", "流程", report.Workflows),
            Rows("按计划", "来源文件", report.Plans),
            Rows("按任务事项", "来源文件及序号", report.PlanItems),
        ];
    }

    internal static IReadOnlyList<ExportTable> Ledger(ReportPeriod period, IReadOnlyList<AssignmentRecord> records, IReadOnlyDictionary<long, AssignmentDetail> details,
        IReadOnlyDictionary<long, Department> departments, IReadOnlyList<HistoryRow> history, ClockContext context)
    {
        ArgumentNullException.ThrowIfNull(period);
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(details);
        ArgumentNullException.ThrowIfNull(departments);
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(context);
        var calendar = context.Calendar;
        var ledger = records.OrderBy(r => r.ItemId).ThenBy(r => r.AssignmentId).Select(r =>
        {
            var detail = details[r.AssignmentId];
            return (IReadOnlyList<object?>)
            [
                r.ItemId, r.Kind == ItemKind.Request ? "依申请公开" : "督办任务", detail.Title, r.Definition, r.Plan, r.PlanItem,
                departments.TryGetValue(r.DepartmentId, out var d) ? d.Name : r.DepartmentId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Role(detail.Role), detail.Step, r.StartedOn, r.DueOn, r.ClosedOn, Result(r), Light(r.Light, r.SeriouslyOverdue, r.Paused),
                r.DoneOn is { } done && !r.Withdrawn ? calendar.WorkingDaysBetween(r.StartedOn, done) : null,
                Scoring.OverdueDays(r, period, calendar), r.Extensions, r.Pauses, r.Returns, r.LateCorrections,
            ];
        }).ToList();
        var steps = history.Select(h => (IReadOnlyList<object?>)
        [
            h.ItemId, h.Sequence, TimeZoneInfo.ConvertTime(h.At, context.Zone).ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
            h.Actor, h.Action, h.FromStep, h.ToStep, h.FromLight, h.ToLight,
        ]).ToList();
        return
        [
            new ExportTable("台账",
                ["事项编号", "类型", "标题", "流程", "来源文件", "任务序号", "部门", "角色", "当前环节", "收件/交办日", "截止日", "办结日", "结果", "亮灯",
                 "办理工作日", "超期工作日", "延期次数", "暂停次数", "退回重办次数", "逾期告知补正次数"], ledger),
            new ExportTable("办理过程", ["事项编号", "序号", "时间", "操作人", "操作", "原环节", "新环节", "原灯", "新灯"], steps),
        ];
    }

    private static ExportTable Rows(string name, string heading, IReadOnlyList<ReportRow> rows) =>
        new(name, [heading, .. FigureHeadings], rows.Select(r => (IReadOnlyList<object?>)[r.Name, .. Figures(r.Figures)]).ToList());

    private static object?[] Figures(ReportFigures f) =>
    [
        f.Received, f.CompletedOnTime, f.CompletedLate, f.Withdrawn, f.OpenGreen, f.OpenYellow, f.OpenRed, f.OpenSeriouslyOverdue, f.OpenPaused,
        f.OnTimeRate is { } rate ? new Percent(rate) : null, f.AverageWorkingDays is { } mean ? Math.Round(mean, 2) : null, f.P90WorkingDays,
        f.Extensions, f.Pauses, f.Returns, f.LateCorrections,
    ];

    private static string Role(string role) => role switch
    {
        "lead" => "牵头",
        "responsible" => "责任",
        _ => "承办",
    };

    private static string? Result(AssignmentRecord r) => r.Result switch
    {
        null => null,
        "withdrawn" => "撤回",
        _ => r.Light == Engine.Items.Light.DoneLate ? "超期办结" : "按时办结",
    };

    private static string Light(Light light, bool serious, bool paused) => light switch
    {
        Engine.Items.Light.Green => paused ? "绿灯（暂停）" : "绿灯",
        Engine.Items.Light.Yellow => paused ? "黄灯（暂停）" : "黄灯",
        Engine.Items.Light.Red => (serious ? "红灯（严重超期）" : "红灯") + (paused ? "（暂停）" : string.Empty),
        Engine.Items.Light.DoneOnTime => "按时",
        _ => "超期",
    };
}
