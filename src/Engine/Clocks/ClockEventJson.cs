using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Supervision.Engine.Deadlines;

namespace Supervision.Engine.Clocks;

/// <summary>
/// The stored form of clock events: a kind code and a JSON object. Days are <c>yyyy-MM-dd</c>, instants ISO 8601 in
/// UTC, limits in the definitions' notation.
/// </summary>
public static class ClockEventJson
{
    /// <summary>The kind code of an event: started, paused, resumed, restarted, extended, overridden, stopped.</summary>
    public static string Kind(ClockEvent e) => e switch
    {
        ClockEvent.Started => "started",
        ClockEvent.Paused => "paused",
        ClockEvent.Resumed => "resumed",
        ClockEvent.Restarted => "restarted",
        ClockEvent.Extended => "extended",
        ClockEvent.Overridden => "overridden",
        ClockEvent.Stopped => "stopped",
        _ => throw new ArgumentOutOfRangeException(nameof(e), e, "Unknown clock event."),
    };

    /// <summary>The event's data as a JSON object (without its kind and instant, which are stored beside it).</summary>
    public static string Data(ClockEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var o = new JsonObject();
        switch (e)
        {
            case ClockEvent.Started s:
                o["startDay"] = Day(s.StartDay);
                o["limit"] = s.Limit.ToString();
                break;
            case ClockEvent.Paused p:
                o["reason"] = Clock.ReasonCode(p.Reason);
                o["note"] = p.Note;
                On(o, p.On);
                break;
            case ClockEvent.Resumed r:
                o["note"] = r.Note;
                On(o, r.On);
                break;
            case ClockEvent.Restarted r:
                o["startDay"] = Day(r.StartDay);
                o["note"] = r.Note;
                break;
            case ClockEvent.Extended x:
                o["by"] = x.By.ToString();
                o["approver"] = x.Approver;
                o["reason"] = x.Reason;
                break;
            case ClockEvent.Overridden v:
                o["dueOn"] = v.DueOn is { } d ? Day(d) : null;
                o["dueAt"] = v.DueAt?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
                o["by"] = v.By;
                o["reason"] = v.Reason;
                break;
            case ClockEvent.Stopped t:
                On(o, t.On);
                break;
            default:
                break;
        }

        return o.ToJsonString();
    }

    /// <summary>Reads an event back from its kind, instant and data.</summary>
    public static ClockEvent Read(string kind, DateTimeOffset at, string data)
    {
        var o = JsonNode.Parse(data)?.AsObject() ?? throw new FormatException($"Clock event '{kind}' has no data.");
        return kind switch
        {
            "started" => new ClockEvent.Started(at, ParseDay(Text(o, "startDay")!), TimeLimit.Parse(Text(o, "limit")!)),
            "paused" => new ClockEvent.Paused(at, ReasonFrom(Text(o, "reason")), Text(o, "note"), OptionalDay(o)),
            "resumed" => new ClockEvent.Resumed(at, Text(o, "note"), OptionalDay(o)),
            "restarted" => new ClockEvent.Restarted(at, ParseDay(Text(o, "startDay")!), Text(o, "note")),
            "extended" => new ClockEvent.Extended(at, TimeLimit.Parse(Text(o, "by")!), Text(o, "approver") ?? string.Empty, Text(o, "reason") ?? string.Empty),
            "overridden" => new ClockEvent.Overridden(at,
                Text(o, "dueOn") is { } d ? ParseDay(d) : null,
                Text(o, "dueAt") is { } i ? DateTimeOffset.Parse(i, CultureInfo.InvariantCulture) : null,
                Text(o, "by") ?? string.Empty,
                Text(o, "reason") ?? string.Empty),
            "stopped" => new ClockEvent.Stopped(at, OptionalDay(o)),
            _ => throw new FormatException($"Unknown clock event kind '{kind}'."),
        };
    }

    /// <summary>Reads a pause reason code.</summary>
    public static PauseReason ReasonFrom(string? code) => code switch
    {
        "third-party-consultation" => PauseReason.ThirdPartyConsultation,
        "agency-consultation" => PauseReason.AgencyConsultation,
        "awaiting-correction" => PauseReason.AwaitingCorrection,
        "custom" => PauseReason.Custom,
        _ => throw new FormatException($"'{code}' is not a pause reason; expected third-party-consultation, agency-consultation, awaiting-correction or custom."),
    };

    private static string? Text(JsonObject o, string name) => o[name]?.GetValueKind() == JsonValueKind.String ? o[name]!.GetValue<string>() : null;

    // The day a pause, resumption or stop names ("on"); events stored before it existed have none.
    private static void On(JsonObject o, DateOnly? on)
    {
        if (on is { } day)
        {
            o["on"] = Day(day);
        }
    }

    private static DateOnly? OptionalDay(JsonObject o) => Text(o, "on") is { } on ? ParseDay(on) : null;

    private static string Day(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    // Stored days are always yyyy-MM-dd: read directly (a light batch reads thousands); anything else goes through
    // the framework's parser, which names what is wrong.
    private static DateOnly ParseDay(string text)
    {
        if (text.Length == 10 && text[4] == '-' && text[7] == '-'
            && int.TryParse(text.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            && int.TryParse(text.AsSpan(5, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var month)
            && int.TryParse(text.AsSpan(8, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var day)
            && year >= 1 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month))
        {
            return new DateOnly(year, month, day);
        }

        return DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);
    }
}
