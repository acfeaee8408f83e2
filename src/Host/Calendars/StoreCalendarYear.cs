using Mediator;
using Supervision.Engine.Calendars;
using Supervision.Engine.Workflows;
using Supervision.Host.Pipeline;
using Supervision.Host.Platform;

namespace Supervision.Host.Calendars;

/// <summary>
/// An administrator stores a year's holiday arrangement (from the State Council's notice), replacing the shipped or
/// provisional year; every open item the changed days can affect is recomputed, and the answer says how many items,
/// due days and lights moved. The year is stored and the recomputation recorded in transactions of their own (a
/// recomputation runs over every open item in batches). With <see cref="InBackground"/> (the API) the recomputation
/// is handed to a background job and the answer names it; the command line waits for it.
/// </summary>
public sealed record StoreCalendarYear(Actor Actor, CalendarYear Year, bool InBackground = false) : ICommand<CalendarChange>, IAdministrative, IOwnTransactions;

public sealed class StoreCalendarYearHandler(CalendarService calendars) : ICommandHandler<StoreCalendarYear, CalendarChange>
{
    public async ValueTask<CalendarChange> Handle(StoreCalendarYear command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        return await calendars.ReplaceYearAsync(command.Year, command.Actor.Login, cancellationToken, command.InBackground);
    }
}

/// <summary>
/// The background job after a calendar change: brings every open item the change can affect in line with the newest
/// calendar (<see cref="CalendarService.FinishChangeAsync"/>), reporting items looked at as its progress. Delivered
/// twice, it goes on from the last committed batch, or answers with the finished change's record.
/// </summary>
[BackgroundWork("calendar-recompute")]
public sealed record RecomputeCalendarChange(string Calendar, int Version, string RequestedBy) : ICommand<CalendarRecomputed>, IBackgroundWork, IOwnTransactions;

public sealed class RecomputeCalendarChangeHandler(CalendarService calendars) : ICommandHandler<RecomputeCalendarChange, CalendarRecomputed>
{
    public async ValueTask<CalendarRecomputed> Handle(RecomputeCalendarChange command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        return await calendars.FinishChangeAsync(command.Version, cancellationToken);
    }
}
