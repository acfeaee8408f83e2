using System.Text;

namespace Supervision.Host.Documents;

/// <summary>Text files as offices save them: UTF-8, or GB18030 from Chinese Windows.</summary>
public static class TextFiles
{
    /// <summary>UTF-8 (with or without a byte order mark), else GB18030 as Chinese Windows saves text; anything else
    /// (or a control character) refused with an <see cref="InvalidDataException"/> naming the file.</summary>
    public static (string Text, string Encoding) Text(byte[] content, string file)
    {
        try
        {
            var utf8 = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(content).TrimStart('\uFEFF');
            CheckControls(utf8, file);
            return (utf8, "UTF-8");
        }
        catch (DecoderFallbackException)
        {
        }

        try
        {
            var gb = Encoding.GetEncoding("GB18030", EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
            var text = gb.GetString(content);
            if (text.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
            {
                throw new DecoderFallbackException("control characters");
            }

            return (text, "GB18030");
        }
        catch (DecoderFallbackException)
        {
            throw new InvalidDataException($"{file}: neither UTF-8 nor GB18030 text (a binary file?); save it as UTF-8 text and import again");
        }
    }

    // A control character in text is a binary file or a paste gone wrong: refused at its line and character.
    private static void CheckControls(string text, string file)
    {
        var at = Supervision.Engine.TypedText.FirstControl(text);
        if (at >= 0)
        {
            var (line, character) = Position(text, at);
            throw new InvalidDataException($"{file}: line {line}, character {character}: control character U+{(int)text[at]:X4}; a text file holds text, tabs and line breaks only — remove it and import again");
        }
    }

    private static (int Line, int Character) Position(string text, int index)
    {
        var lineStart = text.LastIndexOf('\n', Math.Max(0, index - 1)) + 1;
        var line = 1 + text.AsSpan(0, lineStart).Count('\n');
        return (line, index - lineStart + 1);
    }
}
