using System.Globalization;
using System.Text;
using Supervision.Engine.Reports;
using Supervision.Host.Notices;

namespace Supervision.Host.Reports;

/// <summary>The text of a circulation's notice, in the notices' language.</summary>
public static class CirculationNotice
{
    /// <summary>
    /// A circulation (通报) of one office: the period's figures, the departments with work overdue and open at its end,
    /// the lowest scores, and the link to the printable circulation.
    /// </summary>
    public static (string Subject, string Body) Circulation(this NoticeTemplates templates, long id, string office, ReportPeriod period, bool monthly, StatisticsReport report)
    {
        ArgumentNullException.ThrowIfNull(templates);
        ArgumentNullException.ThrowIfNull(period);
        ArgumentNullException.ThrowIfNull(report);
        var t = report.Totals;
        var rate = t.OnTimeRate is { } r ? Math.Round(100 * r, 1) : (double?)null;
        var red = report.Departments.Where(d => d.Own.OpenRed > 0).OrderByDescending(d => d.Own.OpenRed).ThenBy(d => d.Name, StringComparer.Ordinal).ToList();
        var lowest = report.Departments.Where(d => d.Score.Total < d.Score.Start).OrderBy(d => d.Score.Total).Take(5).ToList();
        var link = templates.Link(string.Create(CultureInfo.InvariantCulture, $"/circulations/{id}"));
        var body = new StringBuilder();
        if (templates.English)
        {
            var name = monthly ? $"{period.From:yyyy-MM}" : $"{period.From:yyyy-MM-dd} to {period.To:yyyy-MM-dd}";
            body.Append(CultureInfo.InvariantCulture, $"{office}, {name}: {t.Received} received, {t.Completed} finished ({t.CompletedOnTime} on time, {t.CompletedLate} late{(rate is { } e ? $", on-time rate {e}%" : string.Empty)}); ");
            body.Append(CultureInfo.InvariantCulture, $"{t.Open} open at the end, of which {t.OpenRed} red ({t.OpenSeriouslyOverdue} seriously overdue) and {t.OpenYellow} yellow.");
            foreach (var d in red)
            {
                body.Append(CultureInfo.InvariantCulture, $"\n{d.Name}: {d.Own.OpenRed} overdue and open.");
            }

            foreach (var d in lowest)
            {
                body.Append(CultureInfo.InvariantCulture, $"\n{d.Name}: score {Scoring.Format(d.Score.Total)}.");
            }

            body.Append("\nCirculation: ").Append(link);
            return ($"[Circulation] {office} {name}", body.ToString());
        }

        var when = monthly ? $"{period.From.Year}年{period.From.Month}月" : $"{period.From:yyyy-MM-dd}至{period.To:yyyy-MM-dd}";
        body.Append(CultureInfo.InvariantCulture, $"{when}：受理{t.Received}件，办结{t.Completed}件（按期{t.CompletedOnTime}件，超期{t.CompletedLate}件{(rate is { } z ? $"，按期率{z}%" : string.Empty)}）；");
        body.Append(CultureInfo.InvariantCulture, $"期末在办{t.Open}件，其中红灯{t.OpenRed}件（严重超期{t.OpenSeriouslyOverdue}件）、黄灯{t.OpenYellow}件。");
        foreach (var d in red)
        {
            body.Append(CultureInfo.InvariantCulture, $"\n{d.Name}：超期未办结{d.Own.OpenRed}件。");
        }

        foreach (var d in lowest)
        {
            body.Append(CultureInfo.InvariantCulture, $"\n{d.Name}：考核得分{Scoring.Format(d.Score.Total)}分。");
        }

        body.Append("\n通报全文：").Append(link);
        return ($"【通报】{office}{when}办理情况", body.ToString());
    }
}
