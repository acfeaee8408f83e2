using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Supervision.Host.Storage;

/// <summary>
/// The hash chain of an item's history: each entry's hash covers the previous entry's hash and the entry's own
/// fields in a canonical form (JSON details with sorted keys and no spacing, instants in UTC to the microsecond), so
/// the same entry hashes the same on SQLite and PostgreSQL (whose jsonb reformats what it stores).
/// </summary>
internal static class HistoryChain
{
    /// <summary>Instants are stored to the microsecond (PostgreSQL's precision) so that the hashed value is the stored one.</summary>
    public static DateTimeOffset ToStoredPrecision(DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % 10), TimeSpan.Zero);
    }

    public static string Hash(string? previous, long itemId, int sequence, DateTimeOffset at, string actor, string action,
        string? fromStep, string? toStep, string? fromLight, string? toLight, string detail)
    {
        var text = string.Join('\n',
            previous ?? string.Empty,
            itemId.ToString(CultureInfo.InvariantCulture),
            sequence.ToString(CultureInfo.InvariantCulture),
            ToStoredPrecision(at).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
            actor,
            action,
            fromStep ?? string.Empty,
            toStep ?? string.Empty,
            fromLight ?? string.Empty,
            toLight ?? string.Empty,
            CanonicalJson(detail));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>JSON with object keys in ordinal order and no insignificant whitespace.</summary>
    public static string CanonicalJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(document.RootElement, writer);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Write(JsonElement element, Utf8JsonWriter writer)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    Write(property.Value, writer);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    Write(item, writer);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.Number:
                writer.WriteRawValue(element.GetRawText());
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
