using System.Text.Json;

namespace Supervision.Host.Notices;

/// <summary>What a group robot's answer means for a notice sent to it.</summary>
internal enum RobotVerdict
{
    /// <summary>The robot took the message (<c>errcode</c> 0).</summary>
    Delivered,

    /// <summary>Not taken this time (too many messages a minute, the service busy, an answer that cannot be read):
    /// tried again later with backoff.</summary>
    Retry,

    /// <summary>Refused for good (a wrong or removed robot key, a failed signature, a keyword or IP rule, a message
    /// the robot does not take): sending it again gives the same answer, so the notice fails at once, the robot's
    /// words kept for administrators.</summary>
    Refused,
}

/// <summary>
/// Reads the answer of a WeCom (企业微信) or DingTalk (钉钉) group robot. Both answer HTTP 200 to a refused message
/// and say what happened in the body, <c>{"errcode": 0, "errmsg": "ok"}</c>: a 2xx alone is not a delivery.
/// </summary>
internal static class RobotAnswers
{
    // Answers that mean "not now": rate limits and a busy service. Every other non-zero code is a refusal that
    // retrying cannot change.
    private static readonly HashSet<long> WeComRetry =
    [
        -1,      // 系统繁忙 / system busy
        45009,   // api freq out of limit: more than 20 messages a minute to one robot
        45033,   // api concurrent out of limit
    ];

    private static readonly HashSet<long> DingTalkRetry =
    [
        -1,      // 系统繁忙
        130101,  // send too fast, exceed 20 times per minute
        410100,  // 发送速度太快而限流
    ];

    /// <summary>The verdict on <paramref name="body"/>, answered by a <paramref name="channel"/> robot, and the words
    /// to record with it (null when delivered).</summary>
    public static (RobotVerdict Verdict, string? Reason) Read(string channel, string body)
    {
        long code;
        string? message;
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind != JsonValueKind.Object
                || !json.RootElement.TryGetProperty("errcode", out var errcode)
                || !errcode.TryGetInt64(out code))
            {
                return (RobotVerdict.Retry, $"{channel} answered without an errcode: {Shorten(body)}");
            }

            message = json.RootElement.TryGetProperty("errmsg", out var errmsg) && errmsg.ValueKind == JsonValueKind.String ? errmsg.GetString() : null;
        }
        catch (JsonException)
        {
            return (RobotVerdict.Retry, $"{channel} answered something that is not JSON: {Shorten(body)}");
        }

        if (code == 0)
        {
            return (RobotVerdict.Delivered, null);
        }

        var retry = channel == "dingtalk" ? DingTalkRetry : WeComRetry;
        var reason = $"{channel} errcode {code}: {message ?? "(no errmsg)"}";
        return retry.Contains(code) ? (RobotVerdict.Retry, reason) : (RobotVerdict.Refused, reason);
    }

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
