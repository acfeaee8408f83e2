namespace Supervision.Host.Platform;

/// <summary>
/// The office's time zone: day-based limits end at the end of the due day here, and "today" is this zone's date.
/// </summary>
public sealed class OfficeTimeZone
{
    /// <summary>The default zone of a Chinese government office.</summary>
    public const string DefaultId = "Asia/Shanghai";

    private OfficeTimeZone(TimeZoneInfo zone, string id)
    {
        Zone = zone;
        Id = id;
    }

    public TimeZoneInfo Zone { get; }

    /// <summary>The IANA id as configured.</summary>
    public string Id { get; }

    /// <summary>Resolves a configured id; an unknown one is an error that names the setting.</summary>
    public static OfficeTimeZone Resolve(string? configured)
    {
        var id = string.IsNullOrWhiteSpace(configured) ? DefaultId : configured.Trim();
        try
        {
            return new OfficeTimeZone(TimeZoneInfo.FindSystemTimeZoneById(id), id);
        }
        catch (TimeZoneNotFoundException) when (id == DefaultId)
        {
            // A slim container may ship without tzdata. China has kept UTC+8 without daylight saving since 1991,
            // so a fixed zone gives the same answers for every date this product handles.
            return new OfficeTimeZone(TimeZoneInfo.CreateCustomTimeZone(DefaultId, TimeSpan.FromHours(8), "China Standard Time", "CST"), id);
        }
        catch (TimeZoneNotFoundException)
        {
            throw new InvalidOperationException(
                $"{SupervisionConfiguration.TimeZoneKey} (SUPERVISION_TIMEZONE) names an unknown time zone '{id}'; use an IANA id such as {DefaultId}.");
        }
    }
}
