namespace Supervision.Engine.Calendars;

/// <summary>Why a date is or is not a working day.</summary>
public enum DayKind
{
    /// <summary>Monday to Friday, not a holiday.</summary>
    Workday,

    /// <summary>Saturday or Sunday, not a make-up working day.</summary>
    Weekend,

    /// <summary>A statutory holiday (any weekday or weekend day inside an announced holiday period).</summary>
    Holiday,

    /// <summary>A weekend day worked to make up for a holiday (调休上班).</summary>
    MakeUpWorkday,
}
