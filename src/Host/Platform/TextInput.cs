using System.Text.Json;
using System.Text.Json.Serialization;
using Supervision.Engine;

namespace Supervision.Host.Platform;

/// <summary>
/// Text the API accepts is text a person could type: a query value, or a string (value or field name) anywhere in a
/// JSON body, holding a control character other than tab and line breaks, a lone surrogate or bytes that are not
/// UTF-8 is refused with 400 naming where, before any endpoint reads it. PostgreSQL cannot store NUL at all, so
/// without this one provider answered 500 where the other stored it, and a calendar year with such a string was a
/// 500 on both. A body's unknown fields are refused too, so a misspelt field is not silently ignored.
/// </summary>
public static class TextInput
{
    /// <summary>Strict bodies: a field the endpoint does not know is refused.</summary>
    public static IServiceCollection AddSupervisionTextInput(this IServiceCollection services) =>
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow);

    /// <summary>Refuses query values and JSON bodies holding strings that are not text, before any endpoint reads
    /// them: one check for every route, typed bodies and free-form ones alike.</summary>
    public static IApplicationBuilder UseSupervisionTextInput(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        foreach (var (name, values) in context.Request.Query)
        {
            var problem = Problem(name) is { } badName ? $"a query parameter: {badName}"
                : values.Select(Problem).FirstOrDefault(p => p is not null) is { } badValue ? $"{name}: {badValue}"
                : null;
            if (problem is not null)
            {
                await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, "Malformed request", problem);
                return;
            }
        }

        if (context.Request.HasJsonContentType() && HttpMethods.IsGet(context.Request.Method) is false)
        {
            // The body is kept for the endpoint to read again; reading it here meets the same size limit (413).
            context.Request.EnableBuffering();
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            context.Request.Body.Position = 0;
            if (BodyProblem(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)) is { } problem)
            {
                await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, "Malformed request", problem);
                return;
            }
        }

        await next(context);
    });

    // The first string (value or field name) of a JSON text that is not text, with its path; malformed JSON is left
    // to the endpoint's reader, which says what is wrong with it.
    private static string? BodyProblem(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        var path = new Stack<(bool Array, int Index, string? Name)>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        Advance(path);
                        path.Push((reader.TokenType == JsonTokenType.StartArray, -1, null));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        path.Pop();
                        break;
                    case JsonTokenType.PropertyName:
                        var name = Text(ref reader);
                        if ((name is null ? "is not valid UTF-8 or UTF-16 text" : Problem(name)) is { } badName)
                        {
                            return $"{Path(path)}: a field name {badName}";
                        }

                        var (array, index, _) = path.Pop();
                        path.Push((array, index, name));
                        break;
                    case JsonTokenType.String:
                        Advance(path);
                        var text = Text(ref reader);
                        if ((text is null ? "the text is not valid UTF-8 or UTF-16" : Problem(text)) is { } badText)
                        {
                            return $"{Path(path)}: {badText}";
                        }

                        break;
                    default:
                        Advance(path);
                        break;
                }
            }
        }
        catch (JsonException)
        {
            return null;
        }

        return null;
    }

    private static string? Text(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static void Advance(Stack<(bool Array, int Index, string? Name)> path)
    {
        if (path.Count > 0 && path.Peek().Array)
        {
            var (array, index, name) = path.Pop();
            path.Push((array, index + 1, name));
        }
    }

    private static string Path(Stack<(bool Array, int Index, string? Name)> path) =>
        "$" + string.Concat(path.Reverse().Select(f => f.Array ? $"[{Math.Max(0, f.Index)}]" : f.Name is null ? string.Empty : "." + f.Name));

    /// <summary>Why the text is refused, or null when it is fine.</summary>
    internal static string? Problem(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var control = TypedText.FirstControl(text);
        if (control >= 0)
        {
            return $"control character U+{(int)text[control]:X4} at position {control} (only tab and line breaks are allowed)";
        }

        var lone = TypedText.FirstLoneSurrogate(text);
        return lone >= 0 ? $"lone surrogate U+{(int)text[lone]:X4} at position {lone} (not Unicode text)" : null;
    }
}
