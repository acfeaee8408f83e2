namespace Supervision.Engine.Items;

/// <summary>
/// The colour an item or assignment shows on the board. Open work is green (on schedule), yellow (close to its
/// time limit) or red (past it); closed work keeps whether it finished on time. A light is a pure function of the
/// definition, the calendar, the clock's event log and the current instant; storage only caches it.
/// </summary>
public enum Light
{
    /// <summary>Open and on schedule.</summary>
    Green,

    /// <summary>Open and close to its time limit.</summary>
    Yellow,

    /// <summary>Open and past its time limit.</summary>
    Red,

    /// <summary>Closed within its time limit.</summary>
    DoneOnTime,

    /// <summary>Closed after its time limit.</summary>
    DoneLate,
}

/// <summary>Stable text codes for <see cref="Light"/>, as stored and as shown on the API.</summary>
public static class Lights
{
    private static readonly string[] Codes = ["green", "yellow", "red", "done-on-time", "done-late"];

    /// <summary>The code: <c>green</c>, <c>yellow</c>, <c>red</c>, <c>done-on-time</c> or <c>done-late</c>.</summary>
    public static string Code(this Light light) =>
        (int)light >= 0 && (int)light < Codes.Length
            ? Codes[(int)light]
            : throw new ArgumentOutOfRangeException(nameof(light), light, "Unknown light.");

    /// <summary>True for the lights of closed work.</summary>
    public static bool IsClosed(this Light light) => light is Light.DoneOnTime or Light.DoneLate;

    /// <summary>Reads a code; returns false for anything else.</summary>
    public static bool TryParse(string? code, out Light light)
    {
        var index = Array.IndexOf(Codes, code);
        light = index >= 0 ? (Light)index : default;
        return index >= 0;
    }

    /// <summary>Reads a code that must be valid, such as one read back from storage.</summary>
    public static Light Parse(string code) =>
        TryParse(code, out var light)
            ? light
            : throw new FormatException($"'{code}' is not a light; expected one of {string.Join(", ", Codes)}.");
}
