using System.Globalization;
using System.Net;
using System.Text;
using Supervision.Engine.Reports;

namespace Supervision.Host.Reports;

/// <summary>
/// A circulation as a printable page (A4, the office's heading, the figures department by department, the scores with
/// the rules that gave them). Every name is HTML-encoded; the page loads nothing but its own stylesheet.
/// </summary>
public static class CirculationPage
{
    public static string Render(Circulation circulation, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(circulation);
        ArgumentNullException.ThrowIfNull(zone);
        var c = circulation;
        var r = c.Report;
        var t = r.Totals;
        var when = c.Kind == "monthly" ? $"{c.From.Year}年{c.From.Month}月" : $"{c.From:yyyy年M月d日}至{c.To:yyyy年M月d日}";
        var title = $"{c.Office}{when}政务公开办理情况通报";
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(E(title)).Append("</title>\n");
        html.Append("<link rel=\"stylesheet\" href=\"/print.css\">\n</head>\n<body>\n<main class=\"circulation\">\n");
        html.Append("<h1>").Append(E(title)).Append("</h1>\n");
        html.Append("<p class=\"meta\">").Append(E($"通报编号 {c.Id}　统计期间 {c.From:yyyy-MM-dd} 至 {c.To:yyyy-MM-dd}　生成于 {TimeZoneInfo.ConvertTime(c.GeneratedAt, zone):yyyy-MM-dd HH:mm}（{(c.GeneratedBy == "system" ? "每月自动生成" : c.GeneratedBy)}）")).Append("</p>\n");

        html.Append("<h2>一、总体情况</h2>\n<p>").Append(E(
            $"统计期间共受理（交办）{t.Received}件，办结{t.Completed}件，其中按期办结{t.CompletedOnTime}件、超期办结{t.CompletedLate}件"
            + (t.OnTimeRate is { } rate ? $"，按期办结率{(100 * rate).ToString("0.#", CultureInfo.InvariantCulture)}%" : string.Empty)
            + $"；撤回{t.Withdrawn}件。期末在办{t.Open}件，其中红灯{t.OpenRed}件（严重超期{t.OpenSeriouslyOverdue}件）、黄灯{t.OpenYellow}件、绿灯{t.OpenGreen}件，暂停计时{t.OpenPaused}件。"
            + $"期间延期{t.Extensions}次，暂停{t.Pauses}次，审核退回重办{t.Returns}次。")).Append("</p>\n");

        html.Append("<h2>二、各部门办理情况</h2>\n<table>\n<thead><tr>");
        foreach (var heading in (string[])["部门", "受理/交办", "按期办结", "超期办结", "按期率", "期末在办", "红灯", "严重超期", "黄灯", "平均办理工作日", "考核得分"])
        {
            html.Append("<th>").Append(E(heading)).Append("</th>");
        }

        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var d in r.Departments.OrderBy(d => d.Score.Total).ThenBy(d => d.Name, StringComparer.Ordinal))
        {
            var f = d.Own;
            html.Append(d.Own.OpenRed > 0 ? "<tr class=\"red\">" : "<tr>");
            foreach (var cell in (string[])[d.Name, N(f.Received), N(f.CompletedOnTime), N(f.CompletedLate), f.OnTimeRate is { } x ? $"{(100 * x).ToString("0.#", CultureInfo.InvariantCulture)}%" : "—",
                N(f.Open), N(f.OpenRed), N(f.OpenSeriouslyOverdue), N(f.OpenYellow), f.AverageWorkingDays is { } a ? a.ToString("0.#", CultureInfo.InvariantCulture) : "—", Scoring.Format(d.Score.Total)])
            {
                html.Append("<td>").Append(E(cell)).Append("</td>");
            }

            html.Append("</tr>\n");
        }

        html.Append("</tbody>\n</table>\n");

        html.Append("<h2>三、考核得分说明</h2>\n<p>").Append(E($"依据《{c.Rules}》：")).Append("</p>\n<ul>\n");
        foreach (var line in r.Departments.Count > 0 ? r.Departments[0].Score.Lines : [])
        {
            html.Append("<li>").Append(E(line.DescriptionZh)).Append("</li>\n");
        }

        html.Append("</ul>\n<ul class=\"deductions\">\n");
        foreach (var d in r.Departments.Where(d => d.Score.Lines.Any(l => l.Points != 0)).OrderBy(d => d.Score.Total))
        {
            var parts = d.Score.Lines.Where(l => l.Points != 0).Select(l => $"{l.DescriptionZh.Split('，')[0]}{l.Count}次（{(l.Points > 0 ? "+" : string.Empty)}{Scoring.Format(l.Points)}分）");
            html.Append("<li>").Append(E($"{d.Name}：{string.Join("；", parts)}，得分{Scoring.Format(d.Score.Total)}分。")).Append("</li>\n");
        }

        html.Append("</ul>\n");
        var red = r.Departments.Where(d => d.Own.OpenRed > 0).OrderByDescending(d => d.Own.OpenRed).ToList();
        html.Append("<h2>四、超期未办结情况</h2>\n<p>").Append(E(red.Count == 0
            ? "期末无超期未办结事项。"
            : string.Join("；", red.Select(d => $"{d.Name}{d.Own.OpenRed}件" + (d.Own.OpenSeriouslyOverdue > 0 ? $"（其中严重超期{d.Own.OpenSeriouslyOverdue}件）" : string.Empty))) + "。请有关部门抓紧办理，按期办结。"))
            .Append("</p>\n");
        html.Append("</main>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);
}
