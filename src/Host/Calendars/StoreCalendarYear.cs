using Mediator;
using Supervision.Engine.Calendars;
using Supervision.Engine.Workflows;
using Supervision.Host.Pipeline;

namespace Supervision.Host.Calendars;

/// <summary>
/// An administrator stores a year's holiday arrangement (from the State Council's notice), replacing the shipped or
/// provisional year; every open item the changed days can affect is recomputed, and the answer says how many items,
/// due days and lights moved. The year is stored and the recomputation recorded in transactions of their own (a
/// recomputation runs over every open item in batches, and one interrupted by a crash is finished at the next start).
/// </summary>
public sealed record StoreCalendarYear(Actor Actor, CalendarYear Year) : ICommand<CalendarChange>, IAdministrative, IOwnTransactions;

public sealed class StoreCalendarYearHandler(CalendarService calendars) : ICommandHandler<StoreCalendarYear, CalendarChange>
{
    public async ValueTask<CalendarChange> Handle(StoreCalendarYear command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        return await calendars.ReplaceYearAsync(command.Year, command.Actor.Login, cancellationToken);
    }
}
