using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Supervision.Engine.Deadlines;

/// <summary>
/// The rules an item's clock runs under, fixed when the item is registered (copied from its pinned definition): the
/// light policy and the extension cap. Stored with the item, so recomputing a deadline never needs the definition.
/// </summary>
public sealed partial record ClockPolicy(LightPolicy Light, TimeLimit? ExtensionCap)
{
    /// <summary>Disclosure requests: yellow at 5 working days left, seriously overdue after 5, extensions up to 20 working days (article 33).</summary>
    public static ClockPolicy Disclosure { get; } = new(LightPolicy.DisclosureDefault, new TimeLimit.WorkingDays(20));

    /// <summary>
    /// Reads a yellow rule: <c>remaining 5 working days</c>, <c>elapsed 80%</c>, <c>remaining 2 hours</c>,
    /// <c>remaining 30 minutes</c> or <c>never</c>.
    /// </summary>
    public static bool TryParseYellow(string? text, out YellowRule? rule, out string? error)
    {
        var value = (text ?? string.Empty).Trim();
        rule = null;
        error = null;
        if (value.Equals("never", StringComparison.OrdinalIgnoreCase))
        {
            rule = new YellowRule.Never();
            return true;
        }

        var share = ElapsedPattern().Match(value);
        if (share.Success)
        {
            var percent = int.Parse(share.Groups[1].Value, CultureInfo.InvariantCulture);
            if (percent is < 1 or > 100)
            {
                error = $"'{text}': the share must be 1% to 100%";
                return false;
            }

            rule = new YellowRule.ElapsedShare(percent);
            return true;
        }

        var remaining = RemainingPattern().Match(value);
        if (remaining.Success && TimeLimit.TryParse(remaining.Groups[1].Value, out var amount, out _))
        {
            rule = amount switch
            {
                TimeLimit.WorkingDays w => new YellowRule.RemainingWorkingDays(w.Count),
                TimeLimit.Duration d => new YellowRule.RemainingTime(d.Length),
                _ => null,
            };
            if (rule is not null)
            {
                return true;
            }
        }

        error = $"'{text}' is not a yellow rule: expected 'remaining N working days', 'elapsed P%', 'remaining N hours', 'remaining N minutes' or 'never'";
        return false;
    }

    /// <summary>The notation <see cref="TryParseYellow"/> reads.</summary>
    public static string FormatYellow(YellowRule rule) => rule switch
    {
        YellowRule.RemainingWorkingDays r => string.Create(CultureInfo.InvariantCulture, $"remaining {r.Days} working days"),
        YellowRule.ElapsedShare e => string.Create(CultureInfo.InvariantCulture, $"elapsed {e.Percent}%"),
        YellowRule.RemainingTime t => $"remaining {new TimeLimit.Duration(t.Before)}",
        _ => "never",
    };

    /// <summary>The stored JSON form.</summary>
    public string ToJson() => JsonSerializer.Serialize(new Shape
    {
        Yellow = FormatYellow(Light.Yellow),
        SeriouslyOverdueAfterWorkingDays = Light.SeriouslyOverdueAfterWorkingDays,
        ExtensionCap = ExtensionCap?.ToString(),
    }, Options);

    /// <summary>Reads the stored JSON form. An office has a handful of distinct policies and every item load reads
    /// one, so each distinct text is read once and its (immutable) policy handed out again.</summary>
    public static ClockPolicy FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (Read.TryGetValue(json, out var known))
        {
            return known;
        }

        var policy = Parse(json);
        if (Read.Count >= 1_000)
        {
            Read.Clear();
        }

        Read[json] = policy;
        return policy;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, ClockPolicy> Read = new(StringComparer.Ordinal);

    private static ClockPolicy Parse(string json)
    {
        var shape = JsonSerializer.Deserialize<Shape>(json, Options) ?? throw new FormatException("A clock policy is empty.");
        if (!TryParseYellow(shape.Yellow, out var yellow, out var error))
        {
            throw new FormatException(error);
        }

        return new ClockPolicy(new LightPolicy(yellow!, shape.SeriouslyOverdueAfterWorkingDays), shape.ExtensionCap is null ? null : TimeLimit.Parse(shape.ExtensionCap));
    }

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    private sealed class Shape
    {
        public string? Yellow { get; set; }

        public int? SeriouslyOverdueAfterWorkingDays { get; set; }

        public string? ExtensionCap { get; set; }
    }

    [GeneratedRegex(@"^elapsed\s+(\d{1,3})\s*%$", RegexOptions.IgnoreCase)]
    private static partial Regex ElapsedPattern();

    [GeneratedRegex(@"^remaining\s+(.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex RemainingPattern();
}
