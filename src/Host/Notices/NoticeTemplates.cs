using System.Globalization;
using System.Text;
using Supervision.Engine.Escalation;
using Supervision.Engine.Items;
using Supervision.Host.Platform;

namespace Supervision.Host.Notices;

/// <summary>What a notice about one item says: the item, the department handling it, its deadline and light.</summary>
public sealed record NoticeFacts(long ItemId, string Title, string Department, DateOnly? DueOn, DateTimeOffset? DueAt, Light Light, bool SeriouslyOverdue);

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

    private Kept? _kept;

    /// <summary>Whether notices are written in English (otherwise Chinese).</summary>
    internal bool English => Settings.English;

    // The two settings, read once and again only after the configuration reloads: a burst renders a notice for
    // every light change, and each read of the host's configuration takes a lock.
    private (bool English, string? Root) Settings
    {
        get
        {
            var kept = _kept;
            if (kept is not null && !kept.Reload.HasChanged)
            {
                return kept.Values;
            }

            var reload = configuration.GetReloadToken();
            var values = (string.Equals(configuration[LanguageKey], "en", StringComparison.OrdinalIgnoreCase), configuration[PublicUrlKey]?.Trim().TrimEnd('/'));
            _kept = new Kept(reload, values);
            return values;
        }
    }

    private sealed record Kept(Microsoft.Extensions.Primitives.IChangeToken Reload, (bool English, string? Root) Values);

    /// <summary>Where the item opens on the board.</summary>
    public string ItemLink(long itemId) => Link(string.Create(CultureInfo.InvariantCulture, $"/items/{itemId}"));

    /// <summary>The board's address.</summary>
    public string BoardLink() => Link("/");

    /// <summary>
    /// The words of a notice about open work as <see cref="EscalationRules"/> decided it, for its recipients or
    /// (<paramref name="copy"/>) for those told as a copy: <paramref name="title"/> is the item's, <paramref name="department"/>
    /// the handling department's name, and <paramref name="what"/> names the limit of a step notice (see
    /// <see cref="StepLightChanged"/>). A circulation is worded beside the circulations.
    /// </summary>
    public (string Subject, string Body) Word(EscalationNotice notice, string title, string department, (string Zh, string En)? what, bool copy)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var about = notice.About ?? throw new ArgumentException($"A {notice.Kind.Code()} notice is not about open work.", nameof(notice));
        var facts = new NoticeFacts(about.ItemId, title, department, about.DueOn, about.DueAt, about.Light, about.SeriouslyOverdue);
        return notice.Kind switch
        {
            NoticeKind.Yellow or NoticeKind.Red or NoticeKind.SeriouslyOverdue => LightChanged(facts, notice.Kind.Code()),
            NoticeKind.StepYellow or NoticeKind.StepRed => StepLightChanged(facts, Limit(notice, what), copy),
            NoticeKind.Urging => Urging(facts, copy),
            NoticeKind.Supervision => Supervising(facts),
            NoticeKind.StepUrging => StepUrging(facts, Limit(notice, what)),
            _ => throw new ArgumentException($"A {notice.Kind.Code()} notice is not worded here.", nameof(notice)),
        };
    }

    private static (string Zh, string En) Limit(EscalationNotice notice, (string Zh, string En)? what) =>
        what ?? throw new ArgumentException($"A {notice.Kind.Code()} notice names the limit it is about.", nameof(what));

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

    /// <summary>A step's or a consultation's own limit turning yellow or red (not the statutory reply deadline), to the
    /// handlers and, copied, to the lead. <paramref name="what"/> names the limit (审核 / 征求第三方意见, with its rule).</summary>
    public (string Subject, string Body) StepLightChanged(NoticeFacts facts, (string Zh, string En) what, bool copy)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var red = facts.Light == Light.Red;
        return English
            ? ($"[{(red ? "Step limit passed" : "Step limit close")}{(copy ? ", copy" : string.Empty)}] {facts.Title}",
                Body(facts, $"\"{facts.Title}\", handled by {facts.Department}: the limit of {what.En} {(red ? "has passed" : "is close")}. This is the step's own limit, not the reply deadline."))
            : ($"【{(red ? "环节超期" : "环节临期")}{(copy ? "（抄送）" : string.Empty)}】{facts.Title}",
                Body(facts, $"{facts.Department}办理的“{facts.Title}”：{what.Zh}{(red ? "已超过期限" : "临近期限")}。此为环节期限，非答复期限。"));
    }

    /// <summary>The nightly urging of a step or consultation past its own limit.</summary>
    public (string Subject, string Body) StepUrging(NoticeFacts facts, (string Zh, string En) what)
    {
        ArgumentNullException.ThrowIfNull(facts);
        return English
            ? ($"[Urging: step limit] {facts.Title}", Body(facts, $"\"{facts.Title}\", handled by {facts.Department}: {what.En} is past its own limit. Please finish it."))
            : ($"【催办·环节超期】{facts.Title}", Body(facts, $"{facts.Department}办理的“{facts.Title}”：{what.Zh}已超过环节期限，请抓紧办理。"));
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

    internal string Link(string path)
    {
        var root = Settings.Root;
        return string.IsNullOrEmpty(root) ? path : root + path;
    }

    private static string Capital(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
