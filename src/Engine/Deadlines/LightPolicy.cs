namespace Supervision.Engine.Deadlines;

/// <summary>
/// When an open item turns yellow (close to its time limit). Red is always "past the time limit"; the definition
/// chooses the yellow rule. The light of a day-based limit changes at local midnight; of a time-based limit, at the
/// computed instant.
/// </summary>
public abstract record YellowRule
{
    private YellowRule()
    {
    }

    /// <summary>Yellow from the first day on which at most <paramref name="Days"/> working days remain
    /// (the due day itself counts 0). Disclosure requests: 5.</summary>
    public sealed record RemainingWorkingDays(int Days) : YellowRule;

    /// <summary>Yellow once <paramref name="Percent"/> % of the limit has elapsed (working days for working-day
    /// limits, calendar days for other day-based limits, time for hour and minute limits).</summary>
    public sealed record ElapsedShare(int Percent) : YellowRule;

    /// <summary>Yellow from <paramref name="Before"/> before the end of the limit (calendar time).</summary>
    public sealed record RemainingTime(TimeSpan Before) : YellowRule;

    /// <summary>Never yellow: green until red.</summary>
    public sealed record Never : YellowRule;
}

/// <summary>
/// The light rules of a definition: the yellow rule and, optionally, a second red level ("seriously overdue") once
/// more than <see cref="SeriouslyOverdueAfterWorkingDays"/> working days have passed since the due day.
/// </summary>
public sealed record LightPolicy(YellowRule Yellow, int? SeriouslyOverdueAfterWorkingDays = null)
{
    /// <summary>The disclosure-request default: yellow at 5 working days or fewer remaining, seriously overdue after 5.</summary>
    public static LightPolicy DisclosureDefault { get; } = new(new YellowRule.RemainingWorkingDays(5), 5);
}
