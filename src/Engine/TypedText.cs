namespace Supervision.Engine;

/// <summary>
/// What counts as text a person could type, wherever text comes in (API bodies and queries, imported plans): no
/// control characters but tab, line feed and carriage return, and no half of a surrogate pair. NUL cannot even be
/// stored in PostgreSQL text, and the rest are a binary file or a paste gone wrong.
/// </summary>
public static class TypedText
{
    /// <summary>The index of the first control character other than tab, line feed and carriage return, or -1.</summary>
    public static int FirstControl(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsControl(text[i]) && text[i] is not ('\t' or '\n' or '\r'))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The index of the first surrogate that is not half of a pair, or -1.</summary>
    public static int FirstLoneSurrogate(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
