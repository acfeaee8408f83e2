using System.Globalization;
using System.Text;
using Supervision.Engine.Items;
using Supervision.Host.Setup;

namespace Supervision.Host.Notices;

/// <summary>What a notice about one item says: the item, the department handling it, its deadline and light.</summary>
public sealed record NoticeFacts(long ItemId, string Title, string Department, DateOnly? DueOn, DateTimeOffset? DueAt, Light Light, bool SeriouslyOverdue);

/// <summary>A month's figures for one supervising office's circulation.</summary>
public sealed record CirculationFigures(int Received, int Finished, int OnTime, int Late, int Open, int Red, int SeriouslyOverdue, int Yellow, IReadOnlyList<(string Department, int Red)> RedByDepartment);

/// <summary>
/// The texts of notices, Chinese by default (<c>Supervision:Notices:Language</c> = <c>zh</c> or <c>en</c>). Every
/// notice about an item names the item and its number, the department, the deadline (a day, or an exact time for
/// hour- and minute-limits, in the office's time zone), the light, and a link to the item: absolute under
/// <c>Supervision:PublicUrl</c> (the address people open the board at), a path otherwise.
/// </summary>
public sealed class NoticeTemplates(IConfiguration configuration, OfficeTimeZone zone)
{
    public const string PublicUrlKey = "Supervision:PublicUrl";
    public const string LanguageKey = "Supervision:Notices:Language";
    private static readonly string[] ZhWeekdays = ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"];

    private bool English => string.Equals(configuration[LanguageKey], "en", StringComparison.OrdinalIgnoreCase);

    /// <summary>Where the item opens on the board.</summary>
    public string ItemLink(long itemId) => Link(string.Create(CultureInfo.InvariantCulture, $"/items/{itemId}"));

    /// <summary>The board's address.</summary>
    public string BoardLink() => Link("/");

    /// <summary>A light changed: <paramref name="level"/> is yellow, red or seriously-overdue.</summary>
    public (string Subject, string Body) LightChanged(NoticeFacts facts, string level)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var (zh, en) = level switch
        {
            "yellow" => ("临近办理期限（黄灯）", "close to its deadline (yellow)"),
            "red" => ("已超过办理期限（红灯）", "past its deadline (red)"),
            _ => ("严重超期（红灯）", "seriously overdue (red)"),
        };
        return English
            ? ($"[{Capital(en)}] {facts.Title}", Body(facts, $"\"{facts.Title}\", handled by {facts.Department}, is {en}."))
            : ($"【{zh}】{facts.Title}", Body(facts, $"{facts.Department}办理的“{facts.Title}”{zh}。"));
    }

    /// <summary>The nightly urging (催办) of an overdue item, to its handlers or, copied, to its leads.</summary>
    public (string Subject, string Body) Urging(NoticeFacts facts, bool copy)
    {
        ArgumentNullException.ThrowIfNull(facts);
        return English
            ? ($"[Urging{(copy ? ", copy" : string.Empty)}] {facts.Title}", Body(facts, $"\"{facts.Title}\", handled by {facts.Department}, is past its deadline and still open. Please finish it and report progress."))
            : ($"【催办{(copy ? "（抄送）" : string.Empty)}】{facts.Title}", Body(facts, $"{facts.Department}办理的“{facts.Title}”已超过办理期限，至今未办结。请抓紧办理并报送进展。"));
    }

    /// <summary>The supervising office's notice (督办) about a seriously overdue item.</summary>
    public (string Subject, string Body) Supervising(NoticeFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        return English
            ? ($"[Supervision] {facts.Title}", Body(facts, $"\"{facts.Title}\", handled by {facts.Department}, is seriously overdue. Please press for it to be finished."))
            : ($"【督办】{facts.Title}", Body(facts, $"{facts.Department}办理的“{facts.Title}”已严重超期，请督促办理。"));
    }

    /// <summary>The monthly circulation (通报) of one office: the month's figures, red items by department, the board's link.</summary>
    public (string Subject, string Body) Circulation(DateOnly month, CirculationFigures figures)
    {
        ArgumentNullException.ThrowIfNull(figures);
        var body = new StringBuilder();
        var rate = figures.Finished > 0 ? Math.Round(100.0 * figures.OnTime / figures.Finished, 1) : (double?)null;
        if (English)
        {
            body.Append(CultureInfo.InvariantCulture, $"{month:yyyy-MM}: {figures.Received} received, {figures.Finished} finished ({figures.OnTime} on time, {figures.Late} late{(rate is { } r ? $", on-time rate {r}%" : string.Empty)}); ");
            body.Append(CultureInfo.InvariantCulture, $"{figures.Open} open now, of which {figures.Red} red ({figures.SeriouslyOverdue} seriously overdue) and {figures.Yellow} yellow.");
            foreach (var (department, red) in figures.RedByDepartment)
            {
                body.Append(CultureInfo.InvariantCulture, $"\n{department}: {red} overdue and open.");
            }

            body.Append("\nBoard: ").Append(BoardLink());
            return (string.Create(CultureInfo.InvariantCulture, $"[Circulation] {month:yyyy-MM}"), body.ToString());
        }

        body.Append(CultureInfo.InvariantCulture, $"{month.Year}年{month.Month}月：受理{figures.Received}件，办结{figures.Finished}件（按期{figures.OnTime}件，超期{figures.Late}件{(rate is { } z ? $"，按期率{z}%" : string.Empty)}）；");
        body.Append(CultureInfo.InvariantCulture, $"目前在办{figures.Open}件，其中红灯{figures.Red}件（严重超期{figures.SeriouslyOverdue}件）、黄灯{figures.Yellow}件。");
        foreach (var (department, red) in figures.RedByDepartment)
        {
            body.Append(CultureInfo.InvariantCulture, $"\n{department}：超期未办结{red}件。");
        }

        body.Append("\n查看：").Append(BoardLink());
        return (string.Create(CultureInfo.InvariantCulture, $"【通报】{month.Year}年{month.Month}月办理情况"), body.ToString());
    }

    /// <summary>The deadline as a notice says it, in the office's time zone.</summary>
    public string Deadline(DateOnly? dueOn, DateTimeOffset? dueAt)
    {
        if (dueAt is { } at)
        {
            var local = TimeZoneInfo.ConvertTime(at, zone.Zone);
            return local.ToString(English ? "yyyy-MM-dd HH:mm" : "yyyy年M月d日 HH:mm", CultureInfo.InvariantCulture);
        }

        if (dueOn is { } day)
        {
            return English
                ? day.ToString("dddd yyyy-MM-dd", CultureInfo.InvariantCulture)
                : string.Create(CultureInfo.InvariantCulture, $"{day.Year}年{day.Month}月{day.Day}日（{ZhWeekdays[(int)day.DayOfWeek]}）");
        }

        return English ? "none" : "无";
    }

    private string Body(NoticeFacts facts, string lead)
    {
        var light = (facts.Light, facts.SeriouslyOverdue) switch
        {
            (Light.Red, true) => English ? "red (seriously overdue)" : "红灯（严重超期）",
            (Light.Red, false) => English ? "red (overdue)" : "红灯（已超期）",
            (Light.Yellow, _) => English ? "yellow (close to the deadline)" : "黄灯（临近期限）",
            (Light.Green, _) => English ? "green (on schedule)" : "绿灯（正常）",
            (Light.DoneOnTime, _) => English ? "completed on time" : "按期办结",
            _ => English ? "completed late" : "超期办结",
        };
        var text = new StringBuilder(lead).Append('\n');
        if (English)
        {
            text.Append(CultureInfo.InvariantCulture, $"Item: {facts.Title} (No. {facts.ItemId})\nDepartment: {facts.Department}\nDeadline: {Deadline(facts.DueOn, facts.DueAt)}\nLight: {light}\nOpen: {ItemLink(facts.ItemId)}");
        }
        else
        {
            text.Append(CultureInfo.InvariantCulture, $"事项：{facts.Title}（编号{facts.ItemId}）\n办理单位：{facts.Department}\n截止时间：{Deadline(facts.DueOn, facts.DueAt)}\n当前状态：{light}\n查看：{ItemLink(facts.ItemId)}");
        }

        return text.ToString();
    }

    private string Link(string path)
    {
        var root = configuration[PublicUrlKey]?.Trim().TrimEnd('/');
        return string.IsNullOrEmpty(root) ? path : root + path;
    }

    private static string Capital(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
